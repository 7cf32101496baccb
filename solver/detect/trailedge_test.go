package detect

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lineEdgeRef is lineThrough's edge path as it was before trailedge.go,
// verbatim but for the vector kernel (TestLineKernels checks it against
// these portable sums): sample by sample, one float mean per test.
func lineEdgeRef[T uint8 | uint16](d *Detector, pix []T, stride int, px, py int, pk float64) bool {
	sigS := d.noisePixel / math.Sqrt2 // noise of one straddled sample
	// Near the frame edge a ray keeps its samples up to the first one
	// that leaves the frame. Samples are pixel pairs (twice the value).
	const nd = lineDirsN
	var sums, cnt [2 * nd]int32
	w, h := d.width, d.height
	for ks := range sums {
		offs := &lineOff[ks>>1][ks&1]
		a, n := int32(0), int32(0)
		for i := range offs {
			o := &offs[i]
			x0, y0, x1, y1 := px+o[0][0], py+o[0][1], px+o[1][0], py+o[1][1]
			if uint(x0) >= uint(w) || uint(x1) >= uint(w) || uint(y0) >= uint(h) || uint(y1) >= uint(h) {
				break
			}
			a += int32(pix[y0*stride+x0]) + int32(pix[y1*stride+x1])
			n++
		}
		sums[ks], cnt[ks] = a, n
	}
	mean := func(ks int) float64 { return float64(sums[ks]) / float64(2*cnt[ks]) }
	// A side's mean against the reference has a noise of about
	// σs·sqrt(1.5/n); 3.5 of those on both sides at once is rare even
	// over 24 directions.
	var limN [lineNR + 1]float64
	for n := 1; n <= lineNR; n++ {
		limN[n] = max(3.5*sigS*math.Sqrt(1.5/float64(n)), 0.05*pk)
	}
	for k := range nd {
		q := (k + nd/2) % nd
		var ref float64
		switch pa, pb := cnt[2*q], cnt[2*q+1]; {
		case pa > 0 && pb > 0:
			ref = (mean(2*q) + mean(2*q+1)) / 2
		case pa > 0:
			ref = mean(2 * q)
		case pb > 0:
			ref = mean(2*q + 1)
		default:
			continue
		}
		na, nc := cnt[2*k], cnt[2*k+1]
		if na >= 2 && nc >= 2 && mean(2*k)-ref > limN[na] && mean(2*k+1)-ref > limN[nc] {
			trace(px, py, "line-2")
			return true
		}
		// A trail's end (or a trail leaving the frame): one side bright at
		// nearly every radius.
		for side := 0; side < 2; side++ {
			n := cnt[2*k+side]
			if n < 4 || mean(2*k+side)-ref <= limN[n] {
				continue
			}
			t := ref + max(1.5*sigS, 0.05*pk)
			c := int32(0)
			for _, o := range lineOff[k][side][:n] {
				v := int32(pix[(py+o[0][1])*stride+px+o[0][0]]) + int32(pix[(py+o[1][1])*stride+px+o[1][0]])
				if float64(v)/2 > t {
					c++
				}
			}
			if c*4 >= n*3 {
				trace(px, py, "line-1")
				return true
			}
		}
	}
	return false
}

// lineTraced runs f and returns its result and the reasons it traced.
func lineTraced(f func() bool) (bool, string) {
	defer func(old func(int, int, string)) { traceReject = old }(traceReject)
	why := ""
	traceReject = func(x, y int, r string) { why += r + ";" }
	return f(), why
}

// noiseFrame returns a w×h frame in a buffer of the given stride whose
// last row ends the buffer: a sloping background, Gaussian noise of σ and
// up to three straight bands a few σ bright, clipped to [0, maxV].
func noiseFrame[T uint8 | uint16](rng *rand.Rand, w, h, stride int, maxV, sigma float64) []T {
	pix := make([]T, (h-1)*stride+w)
	bg := maxV * (0.1 + 0.3*rng.Float64())
	gx, gy := (rng.Float64()-0.5)*sigma/4, (rng.Float64()-0.5)*sigma/4
	type band struct{ nx, ny, c, amp, half float64 }
	bands := make([]band, rng.IntN(4))
	for i := range bands {
		a := rng.Float64() * math.Pi
		bands[i] = band{math.Cos(a), math.Sin(a), rng.Float64() * float64(w+h), (0.5 + 5*rng.Float64()) * sigma, 0.5 + 1.5*rng.Float64()}
	}
	for y := range h {
		for x := range w {
			v := bg + gx*float64(x) + gy*float64(y) + sigma*rng.NormFloat64()
			for _, b := range bands {
				if math.Abs(b.nx*float64(x)+b.ny*float64(y)-b.c) < b.half {
					v += b.amp
				}
			}
			pix[y*stride+x] = T(math.Round(min(max(v, 0), maxV)))
		}
	}
	return pix
}

// TestLineEdge compares lineThrough with lineEdgeRef at every position
// whose rays reach past the frame (every distance from each edge, every
// corner, frames narrower than the rays) on noise frames with bright
// bands, 8- and 16-bit, filling their buffer or not, with random noise
// estimates and peaks: the decisions and the reasons traced must be the
// same. Flat frames and zero limits (no noise, no peak) make ties.
func TestLineEdge(t *testing.T) {
	simd := []bool{false}
	if useSIMD {
		simd = append(simd, true) // the edge kernel's sums, the portable tests
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(17, 4))
	sizes := []struct{ w, h, stride int }{
		{64, 64, 64}, {40, 300, 40}, {300, 40, 307}, {37, 35, 37}, {20, 33, 25}, {7, 5, 7}, {50, 60, 71}, {1, 1, 1},
	}
	reasons := map[string]int{}
	for trial := range 4 * len(sizes) {
		sz := sizes[trial%len(sizes)]
		sigma := []float64{0.3, 0.7, 2, 6, 25}[rng.IntN(5)]
		d := New(DefaultOptions())
		d.setup(sz.w, sz.h, 255)
		d.noisePixel = sigma * (0.6 + 0.8*rng.Float64())
		if trial%5 == 4 {
			d.noisePixel = 0
		}
		check := func(name string, line, ref func(px, py int, pk float64) bool) {
			for py := range sz.h {
				for px := range sz.w {
					if px > lineRmax+1 && py > lineRmax+1 && px < sz.w-lineRmax-2 && py < sz.h-lineRmax-2 {
						continue // lineInner's
					}
					pk := 10 * d.noisePixel * rng.Float64()
					if rng.IntN(4) == 0 {
						pk = 0
					}
					got, gotWhy := lineTraced(func() bool { return line(px, py, pk) })
					want, wantWhy := lineTraced(func() bool { return ref(px, py, pk) })
					if got != want || gotWhy != wantWhy {
						t.Fatalf("trial %d %s %dx%d/%d σ=%g noise=%g (%d,%d) pk=%g: %v %q, want %v %q",
							trial, name, sz.w, sz.h, sz.stride, sigma, d.noisePixel, px, py, pk, got, gotWhy, want, wantWhy)
					}
					reasons[wantWhy]++
				}
			}
		}
		pix8 := noiseFrame[uint8](rng, sz.w, sz.h, sz.stride, 255, sigma)
		for _, v := range simd {
			useSIMD = v
			check("8-bit",
				func(px, py int, pk float64) bool { return lineThrough(d, pix8, sz.stride, px, py, pk) },
				func(px, py int, pk float64) bool { return lineEdgeRef(d, pix8, sz.stride, px, py, pk) })
		}
		maxV := []float64{8191, 65535}[trial&1]
		pix16 := noiseFrame[uint16](rng, sz.w, sz.h, sz.stride, maxV, sigma*maxV/255)
		d.noisePixel *= maxV / 255
		check("16-bit",
			func(px, py int, pk float64) bool { return lineThrough(d, pix16, sz.stride, px, py, pk) },
			func(px, py int, pk float64) bool { return lineEdgeRef(d, pix16, sz.stride, px, py, pk) })
	}
	t.Logf("decisions by reason: %v", reasons)
	for _, why := range []string{"", "line-2;", "line-1;"} {
		if reasons[why] < 1000 {
			t.Errorf("only %d decisions %q: the frames miss a case", reasons[why], why)
		}
	}
}

// TestLineKept checks the samples lineKept keeps, at every position of
// frames from 1×1 to wider than every ray, against the first sample that
// leaves the frame: lineEdgeSums reads what it keeps without bounds checks.
func TestLineKept(t *testing.T) {
	for _, w := range []int{1, 2, 5, 15, 16, 17, 30, 31, 32, 33, 34, 40} {
		for _, h := range []int{1, 3, 16, 31, 32, 33, 35} {
			for py := range h {
				for px := range w {
					var buf lineKeep
					kept := lineKept(px, py, w, h, &buf)
					for ks := range lineSides {
						want := 0
						for _, s := range lineOff[ks>>1][ks&1] {
							if min(px+s[0][0], px+s[1][0], py+s[0][1], py+s[1][1]) < 0 ||
								max(px+s[0][0], px+s[1][0]) >= w || max(py+s[0][1], py+s[1][1]) >= h {
								break
							}
							want++
						}
						if int(kept[ks]) != want {
							t.Fatalf("%dx%d (%d,%d) side %d: keeps %d samples, want %d", w, h, px, py, ks, kept[ks], want)
						}
					}
				}
			}
		}
	}
}

// lineEdgeBench returns BenchmarkLineEdge's calls: a frame, its detector
// after one detection (for the noise estimate), and positions spread
// evenly over the frame's local maxima within reach of its edges, with a
// faint candidate's peak (refineAt tests those below 10σ).
func lineEdgeBench(tb testing.TB, name string, calls int) (d *Detector, pix []uint8, stride int, pos [][2]int, pk float64) {
	img := loadReal512(tb, name)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	d = New(DefaultOptions())
	if _, err := d.DetectGray(img.Pix, w, h, img.Stride); err != nil {
		tb.Fatal(err)
	}
	var all [][2]int
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			if x > lineRmax+1 && y > lineRmax+1 && x < w-lineRmax-2 && y < h-lineRmax-2 {
				continue
			}
			v, peak := img.Pix[y*img.Stride+x], true
			for _, o := range [][2]int{{-1, -1}, {0, -1}, {1, -1}, {-1, 0}, {1, 0}, {-1, 1}, {0, 1}, {1, 1}} {
				peak = peak && v > img.Pix[(y+o[1])*img.Stride+x+o[0]]
			}
			if peak {
				all = append(all, [2]int{x, y})
			}
		}
	}
	if len(all) < calls {
		tb.Fatalf("%s: %d local maxima near the edges, want %d", name, len(all), calls)
	}
	for i := range calls {
		pos = append(pos, all[i*len(all)/calls])
	}
	return d, img.Pix, img.Stride, pos, 5 * d.noisePixel
}

// BenchmarkLineEdge times lineThrough's edge path on a frame of lit
// foliage, one call per op at 100 positions near the edges in turn: run
// it a multiple of 100 times (arm64-icount's N) for the mean over them.
func BenchmarkLineEdge(b *testing.B) {
	d, pix, stride, pos, pk := lineEdgeBench(b, "tree.jpg", 100)
	trails, i := 0, 0
	for b.Loop() {
		p := pos[i]
		trails += b2i(lineThrough(d, pix, stride, p[0], p[1], pk))
		i = (i + 1) % len(pos)
	}
	b.ReportMetric(float64(trails)/float64(b.N), "trails/op")
}
