package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// seedChainPortable runs refineAt's Go stages of the seed chain (findSeed
// … the second boxPreTest) and returns the stage that rejects the seed, as
// seedFast reports it.
func (f *frame[T]) seedChainPortable(cx, cy int) int {
	s := &f.seed
	const unset = -1 << 30
	s.x = unset // findSeed sets it unless the block is all claimed (or the seed on the border)
	if !f.findSeed(cx, cy, s) {
		if s.x == unset {
			return seedClaimed
		}
		return seedNotAbove
	}
	if !f.boxPreTest(s) {
		return seedWeakBox
	}
	n0 := s.noise
	if !f.localSky(s) {
		return seedSkyBelow
	}
	if s.noise != n0 && !f.boxPreTest(s) {
		return seedWeakBox2
	}
	return seedPass
}

// poisonSeed fills s with values no stage produces, so that a field left
// unwritten shows.
func poisonSeed(s *seed) {
	nan := math.Float64frombits(0x7ff8dead0000beef)
	*s = seed{x: -77, y: -77, value: -77, bg: nan, noise: nan, excess: nan}
}

func sameSeed(a, b *seed) bool {
	return a.x == b.x && a.y == b.y && a.value == b.value &&
		math.Float64bits(a.bg) == math.Float64bits(b.bg) &&
		math.Float64bits(a.noise) == math.Float64bits(b.noise) &&
		math.Float64bits(a.excess) == math.Float64bits(b.excess)
}

var seedStageNames = [...]string{"pass", "portable", "claimed", "not-above", "weak-box", "sky-below", "weak-box-2"}

// seedTestFrame is a random 8-bit frame: a sky with a gradient, glare,
// stars of every brightness (some saturated) and noise, in a buffer whose
// rows may be longer than the frame and whose last row may end at the
// frame's edge.
func seedTestFrame(rng *rand.Rand, w, h, stride int, tight bool) []uint8 {
	n := (h-1)*stride + w
	if !tight {
		n = h * stride
	}
	pix := make([]uint8, n)
	for i := range pix {
		pix[i] = uint8(rng.IntN(256)) // the padding: the kernel must not count it
	}
	sky := 10 + rng.Float64()*80
	gx, gy := rng.Float64()*0.4-0.2, rng.Float64()*0.4-0.2
	noise := 1 + rng.Float64()*12
	gx0, gy0, gr, ga := rng.Float64()*float64(w), rng.Float64()*float64(h), 10+rng.Float64()*60, rng.Float64()*120
	type star struct{ x, y, a, s float64 }
	var stars []star
	for range w * h / 150 {
		stars = append(stars, star{rng.Float64() * float64(w), rng.Float64() * float64(h), math.Exp(rng.Float64() * 6), 0.6 + rng.Float64()*1.2})
	}
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			v := sky + gx*fx + gy*fy
			r2 := (fx-gx0)*(fx-gx0) + (fy-gy0)*(fy-gy0)
			v += ga * math.Exp(-r2/(2*gr*gr))
			for _, s := range stars {
				if dx, dy := fx-s.x, fy-s.y; math.Abs(dx) < 6 && math.Abs(dy) < 6 {
					v += s.a * math.Exp(-(dx*dx+dy*dy)/(2*s.s*s.s))
				}
			}
			v += rng.NormFloat64() * noise * math.Sqrt(max(v, 1)/max(sky, 1))
			pix[y*stride+x] = uint8(min(max(math.Round(v), 0), 255))
		}
	}
	return pix
}

type seedFrame struct {
	name             string
	pix              []uint8
	w, h, stride     int
	opts             Options
	randClaims, hots bool
}

// TestSeedFastMatchesPortable compares, at every box of real and random
// frames, the fused seed kernel with the Go stages: the stage that rejects
// the seed and every field of the seed, bit for bit. The detector's state
// is a detection's, then random claims and random rows of hot pixels; the
// kernel must run exactly where it applies.
func TestSeedFastMatchesPortable(t *testing.T) {
	if !seedFastKernel || !useSIMD {
		t.Skip("no fused seed kernel in this build")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(3, 14))
	var frames []seedFrame
	if _, err := os.Stat(skyDir); err == nil {
		for _, name := range []string{"tree.jpg", "orion_bad.png"} {
			g := loadReal512(t, name)
			opts := []Options{DefaultOptions(), {Sigma: 5}}
			if testing.Short() {
				opts = opts[:1]
			}
			for _, o := range opts {
				frames = append(frames, seedFrame{name, g.Pix, g.Rect.Dx(), g.Rect.Dy(), g.Stride, o, false, false})
				frames = append(frames, seedFrame{name, g.Pix, g.Rect.Dx(), g.Rect.Dy(), g.Stride, o, true, true})
			}
		}
	}
	n := 40
	if testing.Short() {
		n = 12
	}
	for k := range n {
		w, h := 24+rng.IntN(150), 20+rng.IntN(110)
		stride := w + []int{0, 0, 1, 7, 16}[k%5]
		tight := k%3 == 0
		o := Options{Sigma: []float64{8, 5, 3, 12}[k%4]}
		frames = append(frames, seedFrame{fmt.Sprintf("random %d", k), seedTestFrame(rng, w, h, stride, tight), w, h, stride, o, k%2 == 1, k%4 >= 2})
	}
	var stages [len(seedStageNames)]int
	var bgRing, noiseRing, hotFallback int
	for _, fr := range frames {
		d := New(fr.opts)
		if _, err := d.DetectGray(fr.pix, fr.w, fr.h, fr.stride); err != nil {
			t.Fatal(err)
		}
		if fr.randClaims {
			p := 1 + rng.IntN(8)
			for i := range d.claimBits {
				d.claimBits[i] = 0
				for range p {
					d.claimBits[i] |= rng.Uint64() & rng.Uint64()
				}
			}
		}
		if fr.hots {
			for y := range fr.h {
				if rng.IntN(6) == 0 {
					d.hotRowMark[y] = d.frameGen
					for x := range fr.w {
						if rng.IntN(8) == 0 {
							d.hotBits[(y*fr.w+x)>>6] |= 1 << ((y*fr.w + x) & 63)
							d.hotCount++
						}
					}
				}
			}
		}
		f := &frame[uint8]{d: d, pix: fr.pix, stride: fr.stride}
		tileBG := func(s *seed) float64 { return d.backgroundAt(float64(s.x)+0.5, float64(s.y)+0.5) }
		for cy := range d.boxesH {
			for cx := range d.boxesW {
				useSIMD = false
				poisonSeed(&f.seed)
				want := f.seedChainPortable(cx, cy)
				ws := f.seed
				useSIMD = true
				poisonSeed(&f.seed)
				got := f.seedFast(cx, cy)
				gs := f.seed
				var poison seed
				poisonSeed(&poison)
				// The kernel applies inside (every pixel of the block with its
				// ring in the frame, the 8-byte row reads in the buffer) unless
				// boxPreTest would read a row with a hot pixel.
				inside := cx >= 2 && cy >= 2 && 2*cx+5 < fr.w && 2*cy+5 < fr.h && (2*cy+5)*fr.stride+2*cx+7 <= len(fr.pix)
				hot := want != seedClaimed && want != seedNotAbove && d.hotCount > 0 &&
					(d.hotRowMark[ws.y-1] == d.frameGen || d.hotRowMark[ws.y] == d.frameGen || d.hotRowMark[ws.y+1] == d.frameGen)
				where := fmt.Sprintf("%s %+v box (%d,%d)", fr.name, fr.opts, cx, cy)
				if !inside || hot {
					if got != seedPortable || !sameSeed(&gs, &poison) {
						t.Fatalf("%s: kernel ran (stage %s, %+v) where it does not apply (inside %v, hot %v)", where, seedStageNames[got], gs, inside, hot)
					}
					if hot && inside {
						hotFallback++
					}
					continue
				}
				if got != want {
					t.Fatalf("%s: kernel stage %s, portable %s\n kernel   %+v\n portable %+v", where, seedStageNames[got], seedStageNames[want], gs, ws)
				}
				stages[got]++
				if got == seedClaimed {
					if !sameSeed(&gs, &poison) {
						t.Fatalf("%s: kernel wrote the seed of an all-claimed block: %+v", where, gs)
					}
					continue
				}
				if !sameSeed(&gs, &ws) {
					t.Fatalf("%s: stage %s, seeds differ\n kernel   %+v\n portable %+v", where, seedStageNames[got], gs, ws)
				}
				if got == seedPass || got == seedWeakBox2 || got == seedSkyBelow {
					if ws.bg != tileBG(&ws) {
						bgRing++
					}
					if ws.noise != d.noisePixel {
						noiseRing++
					}
				}
			}
		}
	}
	t.Logf("stages %v, ring background %d, ring noise %d, hot fallbacks %d", stages, bgRing, noiseRing, hotFallback)
	for st, c := range stages {
		if st != seedPortable && c == 0 {
			t.Errorf("no seed ended at stage %s", seedStageNames[st])
		}
	}
	if bgRing == 0 || noiseRing == 0 || hotFallback == 0 {
		t.Errorf("untested: ring background %d, ring noise %d, hot fallbacks %d", bgRing, noiseRing, hotFallback)
	}
}

// TestSeedFastRing checks the kernel's ring statistics, the clipped second
// pass above all, on rings built to reach every branch: seeds whose ring
// holds outliers above mean+2.5·sd, flat rings (sd 0), rings of 255.
func TestSeedFastRing(t *testing.T) {
	if !seedFastKernel || !useSIMD {
		t.Skip("no fused seed kernel in this build")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(9, 2))
	const w, h = 16, 14
	d := New(DefaultOptions())
	d.setup(w, h, 255)
	for i := range d.tileBackground {
		d.tileBackground[i] = 0
	}
	pix := make([]uint8, w*h)
	f := &frame[uint8]{d: d, pix: pix, stride: w}
	var stages [len(seedStageNames)]int
	clipped := 0
	for i := range 30000 {
		base := rng.IntN(256)
		spread := []int{0, 1, 3, 10, 40, 256}[i%6]
		for j := range pix {
			pix[j] = uint8(min(255, base+rng.IntN(spread+1)))
			if rng.IntN(12) == 0 {
				pix[j] = uint8(rng.IntN(256)) // outliers for the clip
			}
		}
		// The peak: a bright 3×3 core, or none.
		cx, cy := 2+rng.IntN(2), 2+rng.IntN(2)
		if i%3 != 0 {
			px, py := 2*cx-1+rng.IntN(4), 2*cy-1+rng.IntN(4)
			for y := py - 1; y <= py+1; y++ {
				for x := px - 1; x <= px+1; x++ {
					pix[y*w+x] = uint8(min(255, int(pix[y*w+x])+rng.IntN(120)))
				}
			}
		}
		d.tileBackground[0] = float32(rng.Float64() * 4 * float64(base+1))
		d.noisePixel = rng.Float64() * 30
		d.opts.Sigma = rng.Float64() * 12
		useSIMD = false
		poisonSeed(&f.seed)
		want := f.seedChainPortable(cx, cy)
		ws := f.seed
		useSIMD = true
		poisonSeed(&f.seed)
		got := f.seedFast(cx, cy)
		if got != want || (want != seedClaimed && !sameSeed(&f.seed, &ws)) {
			t.Fatalf("case %d: kernel stage %s %+v, portable %s %+v", i, seedStageNames[got], f.seed, seedStageNames[want], ws)
		}
		stages[got]++
		if want != seedClaimed && want != seedNotAbove && want != seedWeakBox {
			i0 := (ws.y-3)*w + ws.x - 3
			s, _, _, _, _ := ringSumsSIMD(pix, i0, w, math.MaxInt32)
			if m, _ := ringStats(pix, w, ws.x, ws.y); float64(s)/24 != m {
				clipped++
			}
		}
	}
	t.Logf("stages %v, clipped rings %d", stages, clipped)
	if clipped < 100 {
		t.Errorf("only %d rings were clipped", clipped)
	}
}

// TestSeedFastTrace checks that a detection reports the same weak-box
// rejections, in the same order, with the fused kernel as without.
func TestSeedFastTrace(t *testing.T) {
	if !seedFastKernel || !useSIMD {
		t.Skip("no fused seed kernel in this build")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	defer func() { traceReject = nil }()
	if _, err := os.Stat(skyDir); err != nil {
		t.Skip("shared sky frames absent")
	}
	for _, name := range []string{"tree.jpg", "orion_bad.png"} {
		g := loadReal512(t, name)
		var runs [2][]string
		for k, simd := range []bool{true, false} {
			useSIMD = simd
			traceReject = func(x, y int, why string) {
				if why == "weak-box" {
					runs[k] = append(runs[k], fmt.Sprint(x, y))
				}
			}
			if _, err := New(DefaultOptions()).DetectGray(g.Pix, g.Rect.Dx(), g.Rect.Dy(), g.Stride); err != nil {
				t.Fatal(err)
			}
		}
		if len(runs[0]) == 0 || !slices.Equal(runs[0], runs[1]) {
			t.Errorf("%s: weak-box rejections differ: %d with the kernel, %d without", name, len(runs[0]), len(runs[1]))
		}
	}
}

// BenchmarkSeedChain runs the seed chain for every candidate of a real
// frame (claims cleared, as when the refinement starts): the fused kernel
// (the Go stages where it does not apply), the Go stages alone (with their
// own kernels), and the loop alone. Divide by cands.
func BenchmarkSeedChain(b *testing.B) {
	defer func(v bool) { useSIMD = v }(useSIMD)
	for _, name := range []string{"tree.jpg", "orion_bad.png"} {
		g := loadReal512(b, name)
		d := New(DefaultOptions())
		if _, err := d.DetectGray(g.Pix, g.Rect.Dx(), g.Rect.Dy(), g.Stride); err != nil {
			b.Fatal(err)
		}
		clear(d.claimBits)
		d.hotCount = 0
		f := &frame[uint8]{d: d, pix: g.Pix, stride: g.Stride}
		cands := slices.Clone(d.candidates)
		for _, mode := range []string{"fused", "portable", "loop"} {
			fused, portable := mode == "fused", mode == "portable"
			b.Run(name[:len(name)-4]+"/"+mode, func(b *testing.B) {
				pass, fallback := 0, 0
				for b.Loop() {
					pass, fallback = 0, 0
					for _, c := range cands {
						cx, cy := int(c>>15&0x7FFF), int(c>>30&0x7FFF)
						st := seedPortable
						if fused {
							st = f.seedFast(cx, cy)
						}
						if st == seedPortable && (fused || portable) {
							fallback++
							st = f.seedChainPortable(cx, cy)
						}
						pass += b2i(st == seedPass)
					}
				}
				b.ReportMetric(float64(len(cands)), "cands")
				b.ReportMetric(float64(pass), "passed")
				b.ReportMetric(float64(fallback), "portable")
			})
		}
	}
}
