package detect

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// hotSeeds runs the detector's stages on a real 512×512 frame up to the
// refinement, as DetectGray does, and refines its candidates as scanRefine
// does while recording each seed that reaches hotPixel (the prefix of
// refineAt, findSeed … localSky, run once more before refineAt itself).
// It returns the frame (its claims as the detection left them) and the
// seeds in the order hotPixel saw them.
func hotSeeds(tb testing.TB, name string) (*frame[uint8], []seed) {
	tb.Helper()
	img := loadReal512(tb, name)
	d := New(DefaultOptions())
	pix, w, h, stride := img.Pix, img.Rect.Dx(), img.Rect.Dy(), img.Stride
	d.setup(w, h, 255)
	if d.boxStride == 2 {
		d.bin8(pix, stride)
	} else {
		d.box8(pix, stride)
	}
	d.estimate()
	d.findCands()
	d.sortCands()
	f := &frame[uint8]{d: d, pix: pix, stride: stride}
	var seeds []seed
	for _, c := range d.candidates {
		cx, cy := int(c>>15&0x7FFF), int(c>>30&0x7FFF)
		for range 3 {
			var s seed
			if f.findSeed(cx, cy, &s) && f.boxPreTest(&s) {
				n0 := s.noise
				if f.localSky(&s) && (s.noise == n0 || f.boxPreTest(&s)) {
					seeds = append(seeds, s)
				}
			}
			if !f.refineAt(cx, cy) {
				break
			}
		}
	}
	if len(seeds) == 0 {
		tb.Fatalf("%s: no seed reached hotPixel", name)
	}
	return f, seeds
}

// BenchmarkHotPixel times hotPixel alone over the seeds it sees on real
// frames: an op is one call on each seed, in the detector's order (the
// claims the hits make are made again each pass, so every pass does the
// same work).
func BenchmarkHotPixel(b *testing.B) {
	for _, name := range []string{"orion_bad.png", "tree.jpg"} {
		b.Run(strings.TrimSuffix(name, filepath.Ext(name)), func(b *testing.B) {
			f, seeds := hotSeeds(b, name)
			hits := 0
			for b.Loop() {
				hits = 0
				for i := range seeds {
					if f.hotPixel(&seeds[i]) {
						hits++
					}
				}
			}
			b.ReportMetric(float64(len(seeds)), "seeds")
			b.ReportMetric(float64(hits), "hits")
		})
	}
}

// hotPixelRef is hotPixel as first written, computing every figure before
// testing any, from the pixels read one by one: what hotPixel must still
// return, whatever its order of work. It returns whether the seed is a hit
// and the 3×3 excesses hotPixel passes to markHot, and marks nothing.
func hotPixelRef[T uint8 | uint16](d *Detector, pix []T, stride int, s *seed) (hit bool, e [9]float64) {
	px, py := s.x, s.y
	if !(px >= 2 && py >= 2 && px < d.width-2 && py < d.height-2) {
		return false, e
	}
	var p [25]int
	i0 := (py-2)*stride + px - 2
	for j := range 5 {
		for c := range 5 {
			p[5*j+c] = int(pix[i0+j*stride+c])
		}
	}
	ring := p[0] + p[1] + p[2] + p[3] + p[4] + p[20] + p[21] + p[22] + p[23] + p[24] +
		p[5] + p[10] + p[15] + p[9] + p[14] + p[19]
	inMax := max(p[6], p[7], p[8], p[11], p[12], p[13], p[16], p[17], p[18])
	c1, c3, c4, c5, c7 := p[7], p[11], p[12], p[13], p[17]
	sig := s.noise
	r2 := float64(ring) / 16
	emax := float64(inMax) - r2
	e1, e3, e4, e5, e7 := float64(c1)-r2, float64(c3)-r2, float64(c4)-r2, float64(c5)-r2, float64(c7)-r2
	n4 := (e1 + e3 + e5 + e7) / 4
	m4 := float64(max(c1, c3, c5, c7)) - r2
	single := n4 < 0.15*e4 && m4 < 0.45*e4 && e4 > 1.35*d.opts.Sigma*sig
	cluster := false
	if emax > 15*sig || single {
		tot := 0.0
		m1, m2, m3 := math.Inf(-1), math.Inf(-1), math.Inf(-1)
		for k := range e {
			x := float64(pix[(py-1+k/3)*stride+px-1+k%3]) - r2
			e[k] = x
			tot += x
			x, m1 = min(x, m1), max(x, m1)
			x, m2 = min(x, m2), max(x, m2)
			m3 = max(x, m3)
		}
		t3 := m1 + m2 + m3
		cluster = emax > 15*sig && tot-t3 < 0.2*t3
	}
	if !single && !cluster {
		return false, [9]float64{}
	}
	return true, e
}

// checkHotPixel calls hotPixel on each seed and compares its answer and
// its marks with hotPixelRef's; it returns the number of hits.
func checkHotPixel[T uint8 | uint16](t *testing.T, f *frame[T], seeds []seed) (hits int) {
	t.Helper()
	d := f.d
	for i := range seeds {
		s := &seeds[i]
		want, e := hotPixelRef(d, f.pix, f.stride, s)
		n := d.hotCount
		claims, hot, rows := slices.Clone(d.claimBits), slices.Clone(d.hotBits), slices.Clone(d.hotRowMark)
		got := f.hotPixel(s)
		if got != want {
			t.Fatalf("seed %+v: hotPixel %v, reference %v", *s, got, want)
		}
		if !got {
			if d.hotCount != n || !slices.Equal(d.claimBits, claims) || !slices.Equal(d.hotBits, hot) {
				t.Fatalf("seed %+v: hotPixel rejected it but marked pixels", *s)
			}
			continue
		}
		hits++
		gotClaims, gotHot, gotRows, gotN := d.claimBits, d.hotBits, d.hotRowMark, d.hotCount
		d.claimBits, d.hotBits, d.hotRowMark, d.hotCount = claims, hot, rows, n
		d.markHot(s.x, s.y, &e)
		if d.hotCount != gotN || !slices.Equal(d.claimBits, gotClaims) || !slices.Equal(d.hotBits, gotHot) || !slices.Equal(d.hotRowMark, gotRows) {
			t.Fatalf("seed %+v: hotPixel's marks differ from the reference's", *s)
		}
	}
	return hits
}

// TestHotPixelReference checks hotPixel against hotPixelRef on the seeds
// of the real frames, and on synthetic spikes, clusters, stars and noise
// with noise levels spread around the tests' thresholds, on 8- and 16-bit
// frames, with and without the vector kernels.
func TestHotPixelReference(t *testing.T) {
	defer func(v bool) { useSIMD = v }(useSIMD)
	for _, simd := range []bool{false, true} {
		useSIMD = simd
		for _, name := range benchFrameNames {
			f, seeds := hotSeeds(t, name)
			hits := checkHotPixel(t, f, seeds)
			t.Logf("simd %v %s: %d seeds, %d hits", simd, name, len(seeds), hits)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		hits, n := 0, 0
		for _, bits := range []int{8, 12} {
			const w, h = 48, 40
			d := New(DefaultOptions())
			d.setup(w, h, float64(int(1)<<bits-1))
			pix8, pix16 := make([]uint8, w*h), make([]uint16, w*h)
			for range 400 {
				// Background, then a few shapes at random places.
				bg, amp := rng.IntN(60), rng.IntN(20)+1
				for j := range pix16 {
					pix16[j] = uint16(bg + rng.IntN(amp))
				}
				for range 12 {
					x, y, k := rng.IntN(w), rng.IntN(h), rng.IntN(4)
					v := rng.IntN(1 << bits)
					set := func(x, y, v int) {
						if x >= 0 && y >= 0 && x < w && y < h {
							pix16[y*w+x] = uint16(min(int(pix16[y*w+x])+v, 1<<bits-1))
						}
					}
					switch k {
					case 0: // a spike
						set(x, y, v)
					case 1: // a cluster of two or three
						set(x, y, v)
						set(x+1, y, v*rng.IntN(10)/10)
						set(x, y+1, v*rng.IntN(10)/10)
					case 2: // a star
						for dy := -2; dy <= 2; dy++ {
							for dx := -2; dx <= 2; dx++ {
								set(x+dx, y+dy, int(float64(v)*math.Exp(-float64(dx*dx+dy*dy)/(0.5+2*rng.Float64()))))
							}
						}
					}
				}
				var seeds []seed
				for range 40 {
					x, y := rng.IntN(w), rng.IntN(h)
					seeds = append(seeds, seed{x: x, y: y, noise: math.Exp(rng.Float64()*6 - 2)})
				}
				// Frames start afresh: clear the claims and marks.
				clear(d.claimBits)
				clear(d.hotBits)
				clear(d.hotRowMark)
				d.hotCount = 0
				if bits == 8 {
					for j, v := range pix16 {
						pix8[j] = uint8(min(v, 255))
					}
					hits += checkHotPixel(t, &frame[uint8]{d: d, pix: pix8, stride: w}, seeds)
				} else {
					hits += checkHotPixel(t, &frame[uint16]{d: d, pix: pix16, stride: w}, seeds)
				}
				n += len(seeds)
			}
		}
		t.Logf("simd %v synthetic: %d seeds, %d hits", simd, n, hits)
		if hits < n/50 {
			t.Fatalf("only %d hits of %d synthetic seeds", hits, n)
		}
	}
}
