package rawconv

import (
	"fmt"
	"image"
	"math"
)

// Resampler resizes 8-bit images with a separable bicubic filter (a = −0.5)
// whose support widens with the reduction factor, like Pillow's default
// resize, so downscaling averages rather than aliases. The weights are
// computed once per size pair; Resize does not allocate after that.
type Resampler struct {
	sw, sh, dw, dh int
	xs, ys         []span
	tmp            []float32 // sw × dh after the vertical pass
}

type span struct {
	start int
	w     []float32
}

func bicubic(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return ((a+2)*x-(a+3))*x*x + 1
	}
	if x < 2 {
		return (((x-5)*x+8)*x - 4) * a
	}
	return 0
}

func spans(in, out int) []span {
	scale := float64(in) / float64(out)
	fs := math.Max(scale, 1)
	support := 2 * fs
	sp := make([]span, out)
	for i := range sp {
		center := (float64(i) + 0.5) * scale
		lo := int(center - support + 0.5)
		if lo < 0 {
			lo = 0
		}
		hi := int(center + support + 0.5)
		if hi > in {
			hi = in
		}
		w := make([]float32, hi-lo)
		var sum float64
		ws := make([]float64, hi-lo)
		for x := range ws {
			ws[x] = bicubic((float64(x+lo) - center + 0.5) / fs)
			sum += ws[x]
		}
		for x := range w {
			if sum != 0 {
				w[x] = float32(ws[x] / sum)
			}
		}
		sp[i] = span{start: lo, w: w}
	}
	return sp
}

// Resize scales src into dst (any sizes).
func (r *Resampler) Resize(dst, src *image.Gray) error {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	if sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 {
		return fmt.Errorf("imaging: resize %dx%d to %dx%d", sw, sh, dw, dh)
	}
	if sw == dw && sh == dh {
		for y := 0; y < dh; y++ {
			copy(dst.Pix[y*dst.Stride:y*dst.Stride+dw], src.Pix[y*src.Stride:y*src.Stride+sw])
		}
		return nil
	}
	if r.sw != sw || r.sh != sh || r.dw != dw || r.dh != dh {
		r.sw, r.sh, r.dw, r.dh = sw, sh, dw, dh
		r.xs, r.ys = spans(sw, dw), spans(sh, dh)
		r.tmp = make([]float32, sw*dh)
	}
	// Vertical pass first (into tmp, sw × dh): whole-row accumulations keep
	// the inner loop contiguous, and the short-tap horizontal pass then
	// runs over the already reduced row count.
	for y, s := range r.ys {
		acc := r.tmp[y*sw : (y+1)*sw]
		clear(acc)
		for i, w := range s.w {
			sy := s.start + i
			in := src.Pix[sy*src.Stride : sy*src.Stride+sw]
			for x, v := range in {
				acc[x] += w * float32(v)
			}
		}
	}
	for y := 0; y < dh; y++ {
		row := r.tmp[y*sw : (y+1)*sw]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+dw]
		for x, s := range r.xs {
			var acc float32
			px := row[s.start : s.start+len(s.w)]
			for i, w := range s.w {
				acc += w * px[i]
			}
			out[x] = clampRound(acc)
		}
	}
	return nil
}

func clampRound(v float32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 254.5 {
		return 255
	}
	return uint8(v + 0.5)
}
