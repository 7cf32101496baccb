package rawconv

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

// refConvert is the conversion written the slow, obvious way, in the
// order of PiFinder's Pi backend (reference §3.2): crop, rot90 by the
// profile, then an exact-area reduction in float64 of the samples, the
// profile's 8-bit formula on each mean (truncated, clipped), then the solve
// rotation. It returns the raw crop and the solve image.
func refConvert(p Profile, src []byte, l Layout, size, solveK int) (*image.Gray16, *image.Gray) {
	shift := uint(0)
	if l.Format == MSBAligned {
		shift = uint(16 - p.Bits)
	}
	cw, ch := p.RawW-p.CropLeft-p.CropRight, p.RawH-p.CropTop-p.CropBottom
	k := ((p.Rot90 % 4) + 4) % 4
	w, h := p.CroppedSize()
	raw := image.NewGray16(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			// Output (y, x) of k CCW turns of the cw×ch crop.
			sr, sc := srcIndex(k, cw, ch, y, x)
			off := (sr+p.CropTop)*l.Stride + 2*(sc+p.CropLeft)
			v := binary.LittleEndian.Uint16(src[off:]) >> shift
			raw.SetGray16(x, y, color.Gray16{Y: v})
		}
	}
	frac := func(in, out, i, x int) float64 { // overlap of output i with input x, in input pixels
		lo := math.Max(float64(i)*float64(in)/float64(out), float64(x))
		hi := math.Min(float64(i+1)*float64(in)/float64(out), float64(x+1))
		return math.Max(0, hi-lo)
	}
	img := image.NewGray(image.Rect(0, 0, size, size))
	scale := p.DigitalGain * 255 / (float64(int(1)<<p.Bits) - p.Bias - 1)
	for j := range size {
		for i := range size {
			var sum float64
			for y := range h {
				fy := frac(h, size, j, y)
				if fy == 0 {
					continue
				}
				for x := range w {
					if fx := frac(w, size, i, x); fx != 0 {
						sum += fx * fy * float64(raw.Gray16At(x, y).Y)
					}
				}
			}
			mean := sum / (float64(w) / float64(size) * float64(h) / float64(size))
			img.Pix[j*img.Stride+i] = uint8(max(0, min(255, int((mean-p.Bias)*scale))))
		}
	}
	out := image.NewGray(img.Rect)
	if err := RotateGray(out, img, solveK); err != nil {
		panic(err)
	}
	return raw, out
}

// starFrame is a raw frame of noise around the bias with a few bright
// 1–3 px stars and one saturated pixel, the content the solver needs
// averaged rather than aliased.
func starFrame(rng *rand.Rand, p Profile, l Layout) []byte {
	buf := make([]byte, l.Stride*p.RawH)
	maxV := 1<<p.Bits - 1
	img := make([]int, p.RawW*p.RawH)
	for i := range img {
		img[i] = int(p.Bias) + rng.IntN(40) - 10
	}
	for range 3 + p.RawW*p.RawH/2000 {
		x, y, r := rng.IntN(p.RawW), rng.IntN(p.RawH), 1+rng.IntN(2)
		amp := rng.IntN(maxV)
		for dy := range r {
			for dx := range r {
				if x+dx < p.RawW && y+dy < p.RawH {
					img[(y+dy)*p.RawW+x+dx] += amp / (1 + dx + dy)
				}
			}
		}
	}
	img[rng.IntN(len(img))] = maxV
	for y := range p.RawH {
		for x := range p.RawW {
			v := uint16(max(0, min(maxV, img[y*p.RawW+x])))
			if l.Format == MSBAligned {
				v <<= 16 - p.Bits
			}
			binary.LittleEndian.PutUint16(buf[y*l.Stride+2*x:], v)
		}
	}
	return buf
}

// TestConvertMatchesReference checks the fast path against refConvert:
// the raw crop bit for bit and the solve image within ±1 (fixed-point
// weights and scale against float64), over profiles with every crop
// rotation, odd sizes (row tails the block kernels leave to Go), both
// sample formats, every solve rotation, down- and upscaling.
func TestConvertMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	small := []Profile{
		{Name: "odd", RawW: 77, RawH: 53, Bits: 10, DigitalGain: 1, Bias: 60, CropLeft: 5, CropRight: 3, CropTop: 2, CropBottom: 1, Rot90: 1},
		{Name: "gain", RawW: 90, RawH: 64, Bits: 12, DigitalGain: 13, Bias: 256, CropLeft: 7, CropRight: 2, Rot90: 3},
		{Name: "flip", RawW: 41, RawH: 41, Bits: 16, DigitalGain: 1.5, Bias: 4000.5, Rot90: 2},
		{Name: "eight", RawW: 24, RawH: 20, Bits: 8, DigitalGain: 1, Bias: 0, CropTop: 3},
	}
	type tc struct {
		p     Profile
		sizes []int
	}
	cases := []tc{}
	for _, p := range small {
		cases = append(cases, tc{p, []int{1, 7, 16, 23, 45}})
	}
	// The shipped profiles shrunk in the ratios of the real crop to 512²
	// (full frames against the float reference take minutes).
	for _, name := range []string{"imx296", "imx462", "hq"} {
		p := Profiles[name]
		q := p
		q.RawW, q.RawH = p.RawW/4, p.RawH/4
		q.CropLeft, q.CropRight, q.CropTop, q.CropBottom = p.CropLeft/4, p.CropRight/4, p.CropTop/4, p.CropBottom/4
		w, _ := q.CroppedSize()
		cases = append(cases, tc{q, []int{w * 512 / (p.RawW - p.CropLeft - p.CropRight)}})
	}
	for _, c := range cases {
		for _, size := range c.sizes {
			for _, f := range []SampleFormat{Unpacked, MSBAligned} {
				for solve := range 4 {
					name := fmt.Sprintf("%s/%d/%v/%d", c.p.Name, size, f, solve*90)
					t.Run(name, func(t *testing.T) {
						l := Layout{Stride: 2*c.p.RawW + 2*rng.IntN(40), Format: f}
						src := starFrame(rng, c.p, l)
						conv, err := NewConverter(c.p, size, solve*90)
						if err != nil {
							t.Fatal(err)
						}
						w, h := c.p.CroppedSize()
						raw := image.NewGray16(image.Rect(0, 0, w, h))
						dst := image.NewGray(image.Rect(0, 0, size, size))
						if err := conv.Convert(src, l, raw, dst); err != nil {
							t.Fatal(err)
						}
						wantRaw, wantDst := refConvert(c.p, src, l, size, solve)
						for i := range wantRaw.Pix {
							if raw.Pix[i] != wantRaw.Pix[i] {
								t.Fatalf("raw byte %d (pixel %d, %d) = %d, want %d", i, i/2%w, i/2/w, raw.Pix[i], wantRaw.Pix[i])
							}
						}
						worst := 0
						for i, v := range wantDst.Pix {
							worst = max(worst, abs(int(dst.Pix[i])-int(v)))
							if worst > 1 {
								t.Fatalf("solve pixel (%d, %d) = %d, reference %d", i%size, i/size, dst.Pix[i], v)
							}
						}
						// Without a raw destination the solve image is the same.
						dst2 := image.NewGray(dst.Rect)
						if err := conv.Convert(src, l, nil, dst2); err != nil {
							t.Fatal(err)
						}
						for i := range dst.Pix {
							if dst.Pix[i] != dst2.Pix[i] {
								t.Fatalf("solve pixel %d is %d without raw, %d with", i, dst2.Pix[i], dst.Pix[i])
							}
						}
					})
				}
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestConvertUniform: every level of a uniform frame gives the profile's
// To8 value exactly, the end points (bias → 0, full scale → 255) included.
func TestConvertUniform(t *testing.T) {
	for _, name := range []string{"imx296", "imx462", "hq"} {
		p := Profiles[name]
		c, err := NewConverter(p, 512, 0)
		if err != nil {
			t.Fatal(err)
		}
		l := Layout{Stride: 2 * p.RawW}
		dst := image.NewGray(image.Rect(0, 0, 512, 512))
		for _, v := range []int{0, int(p.Bias), int(p.Bias) + 1, int(p.Bias) + 50, int(p.Bias) + 333, 1<<p.Bits - 2, 1<<p.Bits - 1} {
			buf := rawFrame(p, l.Stride, func(int, int) uint16 { return uint16(v) })
			if err := c.Convert(buf, l, nil, dst); err != nil {
				t.Fatal(err)
			}
			want := p.To8(uint16(v))
			for i, got := range dst.Pix {
				if got != want {
					t.Fatalf("%s: level %d → pixel %d = %d, want %d", name, v, i, got, want)
				}
			}
		}
	}
}

// TestAxisWeights: every output's weights sum to wOne and follow the
// exact overlaps to within one unit per tap.
func TestAxisWeights(t *testing.T) {
	for _, c := range [][2]int{{1088, 512}, {980, 512}, {1516, 512}, {1520, 512}, {5, 5}, {3, 8}, {1, 1}, {100, 1}, {17, 8}} {
		in, out := c[0], c[1]
		a := newAxis(in, out)
		for i := range out {
			sum := 0
			for k := range a.taps {
				x := int(a.start[i]) + k
				w := int(a.w[i*a.taps+k])
				sum += w
				lo := math.Max(float64(i)*float64(in)/float64(out), float64(x))
				hi := math.Min(float64(i+1)*float64(in)/float64(out), float64(x+1))
				exact := math.Max(0, hi-lo) * float64(out) / float64(in) * wOne
				if math.Abs(float64(w)-exact) > 1 {
					t.Fatalf("%d→%d: output %d input %d weight %d, exact %.2f", in, out, i, x, w, exact)
				}
				if w != 0 && x >= in {
					t.Fatalf("%d→%d: output %d weighs input %d past the edge", in, out, i, x)
				}
			}
			if sum != wOne {
				t.Fatalf("%d→%d: output %d weights sum to %d", in, out, i, sum)
			}
		}
	}
}

// TestRotateSquare compares the tiled turns with RotateGray on sizes with
// and without a partial tile.
func TestRotateSquare(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 5, 8, 13, 16, 24, 31, 512} {
		src := image.NewGray(image.Rect(0, 0, n, n))
		for i := range src.Pix {
			src.Pix[i] = uint8(rng.Uint32())
		}
		for k := range 4 {
			want := image.NewGray(src.Rect)
			if err := RotateGray(want, src, k); err != nil {
				t.Fatal(err)
			}
			got := image.NewGray(src.Rect)
			rotateSquare(got, src, k)
			for i := range want.Pix {
				if got.Pix[i] != want.Pix[i] {
					t.Fatalf("n=%d k=%d: pixel (%d, %d) = %d, want %d", n, k, i%n, i/n, got.Pix[i], want.Pix[i])
				}
			}
		}
	}
}
