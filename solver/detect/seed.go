package detect

import "math"

// seed is the pixel a candidate's refinement starts from and the sky
// around it. bg and noise start as the frame's (tile background, frame
// noise) and localSky may replace them with the ring's.
type seed struct {
	x, y   int     // the brightest unclaimed pixel of the candidate box
	value  int     // its raw value
	bg     float64 // background per pixel
	noise  float64 // noise per pixel
	excess float64 // value − bg, set with bg
}

// findSeed sets s to the brightest unclaimed pixel of candidate box
// (cx, cy) and of the ring of pixels around it (the 4×4 pixels from
// (2cx−1, 2cy−1) at Binning 2), the first in scan order on ties, with the
// tile background and the frame's noise. It fails when every pixel is
// claimed, when the pixel lies on the frame's border, or when it is not
// above the background.
func (f *frame[T]) findSeed(cx, cy int, s *seed) bool {
	d := f.d
	w, h := d.width, d.height
	var px, py, pv int
	if d.boxStride == 2 && cx > 0 && cy > 0 && 2*cx+2 < w && 2*cy+2 < h {
		// The 4×4 pixels lie inside the frame.
		x0, y0 := 2*cx-1, 2*cy-1
		k, v, ran := peak4x4SIMD(d, f.pix, f.stride, x0, y0)
		if !ran {
			k, v = f.peak4x4(x0, y0)
		}
		if v < 0 {
			return false // all claimed
		}
		px, py, pv = x0+k&3, y0+k>>2, v
	} else {
		px, py, pv = f.peakClipped(cx, cy)
	}
	// The stages below read the 3×3 pixels around the seed.
	if px < 1 || py < 1 || px >= w-1 || py >= h-1 {
		return false
	}
	// Field by field: a composite literal would be built on the stack
	// and copied.
	s.x, s.y, s.value = px, py, pv
	s.bg = d.backgroundAt(float64(px)+0.5, float64(py)+0.5)
	s.noise = d.noisePixel
	s.excess = float64(pv) - s.bg
	return s.excess > 0
}

// peak4x4 is peak4x4SIMD's portable form: the brightest unclaimed of the
// 4×4 pixels from (x0, y0), inside the frame, as index 4·row + column
// (the first in scan order on ties) and value, −1 when all are claimed.
// It reads one row and its claim bits at a time. (Out of line, as the
// rarely needed paths of findSeed are, so that the common path keeps its
// values in registers.)
//
//go:noinline
func (f *frame[T]) peak4x4(x0, y0 int) (k, v int) {
	d, pix, stride := f.d, f.pix, f.stride
	k, v = -1, -1
	for r := range 4 {
		y := y0 + r
		row := (*[4]T)(pix[y*stride+x0:])
		j := y*d.width + x0
		sh := uint(j & 63)
		cl := d.claimBits[j>>6]>>sh | d.claimBits[j>>6+1]<<(64-sh) // << 64 is 0
		k0 := int(row[0]) | -int(cl&1)
		k1 := int(row[1]) | -int(cl>>1&1)
		k2 := int(row[2]) | -int(cl>>2&1)
		k3 := int(row[3]) | -int(cl>>3&1)
		// The row's first maximum, then against the rows before.
		kx, km := 0, k0
		if k1 > km {
			kx, km = 1, k1
		}
		if k2 > km {
			kx, km = 2, k2
		}
		if k3 > km {
			kx, km = 3, k3
		}
		if km > v {
			k, v = 4*r+kx, km
		}
	}
	return k, v
}

// peakClipped is findSeed's search at Binning 1 or at the frame's edge:
// the brightest unclaimed pixel of the 4×4 around the box, clipped to the
// frame; (−1, −1, −1) when every pixel is claimed.
//
//go:noinline
func (f *frame[T]) peakClipped(cx, cy int) (px, py, pv int) {
	d, pix, stride := f.d, f.pix, f.stride
	w, h, bs := d.width, d.height, d.boxStride
	px, py, pv = -1, -1, -1
	for y := max(bs*cy-1, 0); y <= min(bs*cy+2, h-1); y++ {
		for x := max(bs*cx-1, 0); x <= min(bs*cx+2, w-1); x++ {
			// A claimed pixel gets key −1 and is never taken; written
			// without && so the compiler can use conditional moves.
			j := y*w + x
			key := int(pix[y*stride+x]) | -int(d.claimBits[j>>6]>>(j&63)&1)
			if key > pv {
				px, py, pv = x, y, key
			}
		}
	}
	return px, py, pv
}

// boxPreTest is a cheap early exit for noise peaks: the 3×3 box sum around
// the seed carries 80-95% of the matched-filter significance of a star
// (FWHM 1.5-2.5 px), so a box sum under 0.7·Sigma of its noise is not a
// star worth the centroid.
func (f *frame[T]) boxPreTest(s *seed) bool {
	d, pix, stride := f.d, f.pix, f.stride
	px, py := s.x, s.y
	q := 0.0
	if d.hotCount == 0 || (d.hotRowMark[py-1] != d.frameGen && d.hotRowMark[py] != d.frameGen && d.hotRowMark[py+1] != d.frameGen) {
		// No hot pixel here: an integer sum, equal to the float one.
		r0 := pix[(py-1)*stride+px-1 : (py-1)*stride+px+2]
		r1 := pix[py*stride+px-1 : py*stride+px+2]
		r2 := pix[(py+1)*stride+px-1 : (py+1)*stride+px+2]
		q = float64(int(r0[0]) + int(r0[1]) + int(r0[2]) + int(r1[0]) + int(r1[1]) + int(r1[2]) + int(r2[0]) + int(r2[1]) + int(r2[2]))
	} else {
		for y := py - 1; y <= py+1; y++ {
			for x := px - 1; x <= px+1; x++ {
				q += pixelValue(d, pix, stride, x, y, s.bg)
			}
		}
	}
	// float64() rounds the product, so that no multiply-add is fused on
	// arm64 (see backgroundAt).
	if (q-float64(9*s.bg))/(3*s.noise) < 0.7*d.opts.Sigma {
		trace(px, py, "weak-box")
		return false
	}
	return true
}

// localSky takes, for all but bright stars, the background and noise from
// the ring three pixels out: on glare or a steep gradient the tile
// background lags and the photon noise is higher than the frame's. It
// fails when the seed is then not above the background.
func (f *frame[T]) localSky(s *seed) bool {
	d, px, py := f.d, s.x, s.y
	if !(s.excess < 20*s.noise && px >= 3 && py >= 3 && px < d.width-3 && py < d.height-3) {
		return true
	}
	ringMean, ringSD := ringStats(f.pix, f.stride, px, py)
	// The ring mean is noisy (24 pixels): only trust it when it is
	// significantly above the tile background.
	if ringMean-s.bg > 3*s.noise/math.Sqrt(24) {
		s.bg = ringMean
	}
	// Only a ring noise well above the frame's replaces it (24 pixels make
	// a rough estimate): the photon noise of glare.
	if ringSD > 1.5*s.noise {
		s.noise = ringSD
	}
	s.excess = float64(s.value) - s.bg
	return s.excess > 0
}

// ringStats returns the clipped mean and standard deviation of the 24
// pixels at Chebyshev distance 3 from (px, py).
func ringStats[T uint8 | uint16](pix []T, stride, px, py int) (mean, sd float64) {
	// Pixels are integers below 2^16, so their sums and sums of squares
	// over 24 pixels are exact in integers and equal the float sums.
	// float64() rounds each product that is added or subtracted, so that
	// no multiply-add is fused on arm64 (see backgroundAt).
	i0 := (py-3)*stride + px - 3
	if s, s2, _, hi, ok := ringSumsSIMD(pix, i0, stride, math.MaxInt32); ok {
		mean = float64(s) / 24
		sd = math.Sqrt(max(float64(s2)/24-float64(mean*mean), 0))
		l := int64(math.Floor(mean + float64(2.5*sd)))
		if int64(hi) <= l {
			return mean, sd
		}
		s, s2, k, _, _ := ringSumsSIMD(pix, i0, stride, int32(l))
		if k >= 4 {
			mean = float64(s) / float64(k)
			sd = math.Sqrt(max(float64(s2)/float64(k)-float64(mean*mean), 0))
		}
		return mean, sd
	}
	var v [24]int64
	top := (*[7]T)(pix[(py-3)*stride+px-3:])
	bot := (*[7]T)(pix[(py+3)*stride+px-3:])
	for k := range 7 {
		v[2*k], v[2*k+1] = int64(top[k]), int64(bot[k])
	}
	r := (py-2)*stride + px
	for k := range 5 {
		c := pix[r-3 : r+4]
		v[14+2*k], v[15+2*k] = int64(c[0]), int64(c[6])
		r += stride
	}
	// First pass: every pixel (the limit is +Inf). Two sets of sums keep
	// the dependency chains short.
	var s, s2, hi, sb, s2b, hib int64
	for k := 0; k < len(v); k += 2 {
		x, y := v[k], v[k+1]
		s, sb = s+x, sb+y
		s2, s2b = s2+x*x, s2b+y*y
		hi, hib = max(hi, x), max(hib, y)
	}
	s, s2, hi = s+sb, s2+s2b, max(hi, hib)
	mean = float64(s) / 24
	sd = math.Sqrt(max(float64(s2)/24-float64(mean*mean), 0))
	// Second pass, clipped at mean+2.5·sd: for integers x ≤ lim is
	// x ≤ ⌊lim⌋. With nothing above it, the pass would repeat the first.
	l := int64(math.Floor(mean + float64(2.5*sd)))
	if hi <= l {
		return mean, sd
	}
	s, s2 = 0, 0
	k := int64(0)
	for _, x := range v[:] {
		in := ^((l - x) >> 63) & 1 // 1 when x ≤ l
		x *= in
		s += x
		s2 += x * x
		k += in
	}
	if k >= 4 {
		mean = float64(s) / float64(k)
		sd = math.Sqrt(max(float64(s2)/float64(k)-float64(mean*mean), 0))
	}
	return mean, sd
}
