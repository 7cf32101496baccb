package detect

import (
	stdcmp "cmp"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// TestSIMDMatchesPortable runs every frame through the vector kernels and
// through the portable code and requires identical results: the kernels
// only skip work whose outcome the portable code would discard.
func TestSIMDMatchesPortable(t *testing.T) {
	if !useSIMD {
		t.Skip("no vector kernels on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	sky := testSky(t)
	rng := rand.New(rand.NewPCG(7, 11))
	var frames []image.Image
	for k := range 12 {
		o := render.DefaultOptions()
		o.Attitude = geom.Attitude{RA: rng.Float64() * 360, Dec: rng.Float64()*160 - 80, Roll: rng.Float64() * 360}
		o.HotPixels = 50
		o.Seed = uint64(k + 1)
		if k%3 == 1 {
			o.Width, o.Height = 333+k, 250+2*k // odd sizes: partial words and groups
		}
		if k%4 == 2 {
			o.BitDepth = 16
		}
		f, err := sky.Render(o)
		if err != nil {
			t.Fatal(err)
		}
		if f.Gray16 != nil {
			frames = append(frames, f.Gray16)
		} else {
			frames = append(frames, f.Gray)
		}
	}
	// Noise and saturation: box sums up to the lane limit.
	for k, sz := range [][2]int{{64, 64}, {97, 41}, {512, 512}, {130, 70}} {
		g := image.NewGray16(image.Rect(0, 0, sz[0], sz[1]))
		for i := range g.Pix {
			g.Pix[i] = uint8(rng.IntN(256))
		}
		if k%2 == 1 {
			for i := 0; i < len(g.Pix); i += 2 {
				if rng.IntN(4) == 0 {
					g.Pix[i], g.Pix[i+1] = 0xFF, 0xFF
				}
			}
		}
		frames = append(frames, g)
		g8 := image.NewGray(image.Rect(0, 0, sz[0], sz[1]))
		for i := range g8.Pix {
			g8.Pix[i] = uint8(rng.NormFloat64()*20 + 60 + float64(k*40))
		}
		frames = append(frames, g8)
	}
	if _, err := os.Stat(skyDir); err == nil {
		for _, name := range benchFrameNames {
			frames = append(frames, loadReal512(t, name))
		}
	}
	for _, o := range []Options{DefaultOptions(), {Sigma: 5}, {Binning: 1}} {
		for i, img := range frames {
			useSIMD = true
			fast, err := New(o).Detect(img)
			if err != nil {
				t.Fatal(err)
			}
			useSIMD = false
			slow, err := New(o).Detect(img)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Errorf("frame %d (%v), options %+v: vector and portable results differ (-portable +vector):\n%s", i, img.Bounds(), o, diff)
			}
		}
	}
}

// TestCandMaskBoundaries fills the candidate image with box sums spread
// around the stage-2 limits (between the background and 12σ above it) and
// requires the vector kernel to let through every candidate the portable
// code finds: its pre-test limits are lower bounds derived from the block
// thresholds, and only boxes near them can expose an error there.
func TestCandMaskBoundaries(t *testing.T) {
	if !hasKernel(kernelCandMask) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	sky := testSky(t)
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := range 40 {
		o := render.DefaultOptions()
		o.Seed = uint64(trial + 1)
		o.Width = 64 + rng.IntN(300)
		o.Height = 16 + rng.IntN(200)
		o.GradientADU = float64(rng.IntN(60))
		f, err := sky.Render(o)
		if err != nil {
			t.Fatal(err)
		}
		opt := DefaultOptions()
		opt.Sigma = []float64{3, 5, 8, 12}[trial%4]
		if trial%5 == 4 {
			opt.Binning = 1
		}
		d := New(opt)
		if _, err := d.Detect(f.Gray); err != nil {
			t.Fatal(err)
		}
		// Block backgrounds at and just below the points where ⌊bg + lt⌋
		// steps, where the pre-test limits are tightest, and in between.
		lt := d.candSigma * d.noiseBox
		for i := range d.blockBackground[:d.blocksW*d.blocksH] {
			bg := float64(d.blockBackground[i])
			switch i % 3 {
			case 0:
				bg = math.Floor(bg) - lt
			case 1:
				bg = math.Floor(bg) - lt + 1 - 1e-6
			}
			d.blockBackground[i], d.blockThreshold[i] = blockLimits(max(bg, 0), lt)
		}
		for cy := range d.boxesH {
			for cx := range d.boxesW {
				bg := float64(d.blockBackground[(cy>>2)*d.blocksW+cx>>2])
				v := max(0, min(0x7FFF, int(bg+d.noiseBox*(rng.Float64()*14-2))))
				w := &d.boxWords[cy*d.wordsPerRow+cx>>2]
				sh := 16 * uint(cx&3)
				*w = *w&^(0xFFFF<<sh) | uint64(v)<<sh
			}
		}
		var got [2][]cand
		for k, simd := range []bool{false, true} {
			useSIMD = simd
			d.candidates = d.candidates[:0]
			d.findCands()
			got[k] = append([]cand(nil), d.candidates...)
		}
		if len(got[0]) == 0 {
			t.Fatalf("trial %d: no candidates: the test data misses the limits", trial)
		}
		if diff := cmp.Diff(got[0], got[1]); diff != "" {
			t.Errorf("trial %d (%dx%d, %+v): candidates differ (-portable +vector):\n%s", trial, o.Width, o.Height, opt, diff)
		}
	}
}

// TestLineKernels compares the trail test's vector sums with the portable
// ones at every kind of position: inside, at each edge and corner, with
// the frame filling its buffer exactly (so the edge kernel must load the
// bytes before its pixels at the bottom) and inside a wider buffer.
func TestLineKernels(t *testing.T) {
	if !useSIMD || simdKernels&(kernelLineInner|kernelLineEdge) == 0 {
		t.Skip("no vector kernel for this stage on this machine")
	}
	hasEdge, hasInner := hasKernel(kernelLineEdge), hasKernel(kernelLineInner)
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(3, 5))
	for _, sz := range []struct{ w, h, stride int }{{64, 64, 64}, {97, 41, 97}, {50, 80, 61}, {40, 36, 40}} {
		pix := make([]uint8, (sz.h-1)*sz.stride+sz.w)
		for i := range pix {
			pix[i] = uint8(rng.IntN(256))
		}
		d := New(DefaultOptions())
		d.width, d.height = sz.w, sz.h
		lin := d.trailTable(sz.stride)
		for py := 0; py < sz.h; py++ {
			for px := 0; px < sz.w; px++ {
				var sv, cv, sp, cp [2 * lineDirsN]int32
				useSIMD = true
				ran := lineEdgeSIMD(pix, sz.stride, lin, px, py, sz.w, sz.h, &sv, &cv)
				for ks := range sp {
					offs := &lineOff[ks>>1][ks&1]
					for i := range offs {
						o := &offs[i]
						x0, y0, x1, y1 := px+o[0][0], py+o[0][1], px+o[1][0], py+o[1][1]
						if min(x0, y0, x1, y1) < 0 || max(x0, x1) >= sz.w || max(y0, y1) >= sz.h {
							break
						}
						sp[ks] += int32(pix[y0*sz.stride+x0]) + int32(pix[y1*sz.stride+x1])
						cp[ks]++
					}
				}
				if ran && (sv != sp || cv != cp) {
					t.Fatalf("%dx%d/%d edge (%d,%d): sums %v counts %v, want %v %v", sz.w, sz.h, sz.stride, px, py, sv, cv, sp, cp)
				}
				if !ran && hasEdge && sz.h > 2*lineRmax+8 {
					t.Errorf("%dx%d/%d edge (%d,%d): kernel did not run", sz.w, sz.h, sz.stride, px, py)
				}
				inner := px > lineRmax+1 && py > lineRmax+1 && px < sz.w-lineRmax-2 && py < sz.h-lineRmax-2
				if !inner || !hasInner {
					continue
				}
				for _, l := range []int32{0, 50, 300, 1 << 30} {
					var si [2 * lineDirsN]int32
					bright, ok := lineInnerSIMD(pix, py*sz.stride+px, lin, l, &si)
					if !ok {
						t.Fatalf("inner (%d,%d): kernel did not run", px, py)
					}
					if si != sp {
						t.Fatalf("inner (%d,%d): sums %v, want %v", px, py, si, sp)
					}
					var want uint64
					for k := range lineDirsN {
						q := (k + lineDirsN/2) % lineDirsN
						ref := sp[2*q] + sp[2*q+1]
						for side := range 2 {
							if 2*sp[2*k+side]-ref > l {
								want |= 1 << (2*k + side)
							}
						}
					}
					if bright != want {
						t.Fatalf("inner (%d,%d) l=%d: bright %b, want %b", px, py, l, bright, want)
					}
				}
			}
		}
	}
}

// TestWindowKernels compares the centroid window load of the vector kernel
// with the portable code, bit for bit (the weighted sums are checked with
// the whole iteration, in TestCentroidLoopKernel).
func TestWindowKernels(t *testing.T) {
	if !hasKernel(kernelWindow) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	rng := rand.New(rand.NewPCG(9, 1))
	const stride = 23
	pix := make([]uint8, 7*stride)
	for range 2000 {
		for i := range pix {
			pix[i] = uint8(rng.IntN(256))
		}
		// float64() rounds b: the compiler could otherwise fuse the product
		// into the subtractions below (an FMA on arm64), unlike the kernel.
		b := float64(rng.Float64() * 200)
		var vwin window
		var pw [56]float64
		i := rng.IntN(stride - 7)
		pos, all, ok := winLoadSIMD(pix, i, stride, b, &vwin)
		if !ok {
			t.Fatal("window kernel did not run")
		}
		vw := vwin.cells
		// The portable load, as loadWindow does it.
		var ppos, pall float64
		for j := range 7 {
			for k := range 7 {
				v := float64(pix[j*stride+i+k]) - b
				pw[8*j+k] = v
				pall += v * v
				ppos += max(v, 0) * max(v, 0)
			}
		}
		if vw != pw {
			t.Fatalf("window %v, want %v", vw, pw)
		}
		if math.Abs(pos-ppos) > 1e-12*pall || math.Abs(all-pall) > 1e-12*pall {
			t.Fatalf("sums %g %g, want %g %g", pos, all, ppos, pall)
		}
		// A kernel that gives firstMoment's sums gives its centre.
		if vwin.hasFirst {
			pwin := window{cells: pw, x1: 6, y1: 6}
			wx, wy := pwin.firstMoment(3, 3)
			vx, vy := 3.5, 3.5
			if m := vwin.first[0]; m > 0 {
				vx += vwin.first[1] / m
				vy += vwin.first[2] / m
			}
			if vx != wx || vy != wy {
				t.Fatalf("first moment (%v, %v), want (%v, %v)", vx, vy, wx, wy)
			}
		}
	}
}

func TestBoxSum(t *testing.T) {
	hasSIMD := useSIMD
	defer func() { useSIMD = hasSIMD }()
	rng := rand.New(rand.NewPCG(2, 4))
	const stride = 700
	pix := make([]uint8, 40*stride)
	for i := range pix {
		pix[i] = uint8(rng.IntN(256))
		if i%3 == 0 {
			pix[i] = 255 // lanes near their limit
		}
	}
	pix16 := make([]uint16, len(pix))
	for i, p := range pix {
		pix16[i] = uint16(p) * 31
	}
	for _, c := range []struct{ i0, n, rows int }{
		{0, 0, 5}, {3, 5, 0}, {0, 1, 1}, {5, 7, 9}, {0, 8, 1}, {1, 9, 11}, {2, 25, 25},
		{10, 127, 3}, {0, 128, 40}, {7, 129, 39}, {0, 700, 40}, {stride - 9, 9, 3},
		{3, 31, 20}, {0, 32, 39}, {1, 33, 2}, {38*stride + 600, 32, 2}, {39*stride + 660, 32, 1}, {39*stride + 680, 20, 1},
	} {
		want := 0
		for r := range c.rows {
			for k := range c.n {
				want += int(pix[c.i0+r*stride+k])
			}
		}
		for _, simd := range []bool{false, hasSIMD} {
			useSIMD = simd
			if got := boxSum(pix, c.i0, stride, c.n, c.rows); got != want {
				t.Errorf("boxSum(%+v), kernel %v = %d, want %d", c, simd, got, want)
			}
		}
		if got := boxSum(pix16, c.i0, stride, c.n, c.rows); got != 31*want {
			t.Errorf("boxSum16(%+v) = %d, want %d", c, got, 31*want)
		}
	}
}

// TestEstimateKernels compares the box sums, block sums, background and
// thresholds of every block, computed with the vector kernels and without,
// on frames of several sizes (partial tiles and blocks at the right and
// bottom).
func TestEstimateKernels(t *testing.T) {
	if !useSIMD || simdKernels&(kernelBin8|kernelNoise|kernelTileStats|kernelTile4|kernelBlockLimits) == 0 {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(5, 8))
	for _, sz := range [][2]int{{512, 512}, {96, 64}, {333, 250}, {130, 97}, {64, 33}, {640, 480}} {
		w, h := sz[0], sz[1]
		stride := w + 3 // rows padded, as in a sub-image
		pix := make([]uint8, stride*h)
		for y := range h {
			for x := range w {
				// A gradient, noise, and a few bright blobs to clip.
				v := 20 + x/8 + y/16 + rng.IntN(12)
				if (x/40+y/40)%7 == 3 && rng.IntN(4) == 0 {
					v += 150
				}
				if x < 9 {
					v = 0 // a black border: pairs the noise estimate skips
				}
				pix[y*stride+x] = uint8(min(v, 255))
			}
		}
		var got [4]struct {
			noise float64
			words []uint64
			sb    []uint32
			bg    []float32
			thr   []uint64
			tile  []float32
		}
		// 13-bit frames (as detectGray16 makes them) reach thresholds at
		// the top of the lanes, where they are clamped.
		pix16 := make([]uint16, w*h)
		for i := range pix16 {
			pix16[i] = min(uint16(pix[i/w*stride+i%w])*32+uint16(rng.IntN(64)), 8191)
			if i%w > 2*w/3 {
				pix16[i] = 8191 - uint16(rng.IntN(2)) // saturated glare
			}
		}
		for i, simd := range []bool{true, false, true, false} {
			useSIMD = simd
			d := New(DefaultOptions())
			if i < 2 {
				d.setup(w, h, 255)
				d.bin8(pix, stride)
			} else {
				d.setup(w, h, 8191)
				boxSums(d, pix16, w)
			}
			d.estimate()
			got[i].noise = d.noiseBox
			got[i].words = slices.Clone(d.boxWords)
			got[i].sb = slices.Clone(d.blockSums)
			got[i].bg = slices.Clone(d.blockBackground)
			got[i].thr = slices.Clone(d.blockThreshold)
			got[i].tile = slices.Clone(d.tileBackground)
		}
		for i := 0; i < 4; i += 2 {
			if diff := cmp.Diff(got[i+1], got[i], cmp.AllowUnexported(got[0])); diff != "" {
				t.Errorf("%dx%d (%d-bit): kernel estimate differs (-portable +kernel):\n%s", w, h, 8+5*(i/2), diff)
			}
		}
	}
}

// TestSortCands checks that findCands lists candidates in scan order and
// that sortCands' counting sort then gives the comparison sort's order,
// with and without the vector kernels.
func TestSortCands(t *testing.T) {
	hasSIMD := useSIMD
	defer func() { useSIMD = hasSIMD }()
	rng := rand.New(rand.NewPCG(4, 4))
	noise := make([]uint8, 300*200)
	for i := range noise {
		noise[i] = uint8(40 + rng.IntN(30))
	}
	for range 300 { // small blobs of many brightnesses, some equal
		x, y, v := 2+rng.IntN(295), 2+rng.IntN(195), uint8(80+10*rng.IntN(17))
		noise[y*300+x], noise[y*300+x+1], noise[(y+1)*300+x], noise[(y+1)*300+x+1] = v, v/2+30, v/2+30, v/2+20
	}
	frames := []struct {
		pix          []uint8
		w, h, stride int
	}{{noise, 300, 200, 300}}
	if g := benchFrame(t); g != nil {
		frames = append(frames, struct {
			pix          []uint8
			w, h, stride int
		}{g.Pix, g.Rect.Dx(), g.Rect.Dy(), g.Stride})
	}
	for _, f := range frames {
		for _, o := range []Options{DefaultOptions(), {Binning: 1}, {Sigma: 3}} {
			for _, simd := range []bool{false, hasSIMD} {
				useSIMD = simd
				d := New(o)
				d.setup(f.w, f.h, 255)
				if d.boxStride == 2 {
					d.bin8(f.pix, f.stride)
				} else {
					d.box8(f.pix, f.stride)
				}
				d.estimate()
				d.findCands()
				pos := func(c cand) cand { return c & (1<<45 - 1) } // cy, cx
				if !slices.IsSortedFunc(d.candidates, func(a, b cand) int { return stdcmp.Compare(pos(a), pos(b)) }) {
					t.Fatalf("%dx%d %+v kernel %v: candidates not in scan order", f.w, f.h, o, simd)
				}
				want := slices.Clone(d.candidates)
				slices.Sort(want)
				d.sortCands()
				if len(want) < 32 {
					t.Fatalf("%dx%d %+v: only %d candidates; the counting sort is not exercised", f.w, f.h, o, len(want))
				}
				if !slices.Equal(d.candidates, want) {
					t.Errorf("%dx%d %+v kernel %v: counting sort differs from the comparison sort", f.w, f.h, o, simd)
				}
			}
		}
	}
}

// TestCentroidLoopKernel runs the centroid iteration with the kernel and
// without on Gaussian spots at random sub-pixel positions, noise, windows
// clipped by the frame edge (zero columns) and windows with no positive
// sum, and requires the same sums, estimates, phases and verdicts.
func TestCentroidLoopKernel(t *testing.T) {
	if !useSIMD || simdKernels&(kernelCentroidLoop|kernelCentroidSums) == 0 {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(8, 3))
	d := New(DefaultOptions())
	d.windowSigma = 0.85
	d.buildWeights()
	rejected, steps := 0, 0
	for i := range 5000 {
		var win [56]float64
		sx, sy := 2.5+rng.Float64()*2, 2.5+rng.Float64()*2 // spot centre in window pixels
		amp, noise := rng.Float64()*200, 1+rng.Float64()*20
		if i%10 == 0 {
			amp = 0 // noise only: some sums are not positive
		}
		cols := 7
		if i%7 == 0 {
			cols = 4 + rng.IntN(3) // clipped at the frame edge
		}
		for j := range 7 {
			for k := range cols {
				dx, dy := float64(k)+0.5-sx, float64(j)+0.5-sy
				win[8*j+k] = amp*math.Exp(-(dx*dx+dy*dy)/(2*0.85*0.85)) + noise*rng.NormFloat64()
			}
		}
		x0, y0 := rng.IntN(500), rng.IntN(500)
		px, py := x0+3, y0+3
		cx, cy := float64(px)+rng.Float64()*1.6-0.3, float64(py)+rng.Float64()*1.6-0.3
		useSIMD = true
		s1, cx1, cy1, ix1, iy1, ok1 := d.centroidLoop(&win, x0, y0, px, py, cx, cy)
		useSIMD = false
		s2, cx2, cy2, ix2, iy2, ok2 := d.centroidLoop(&win, x0, y0, px, py, cx, cy)
		if ok1 != ok2 || (ok1 && (s1 != s2 || cx1 != cx2 || cy1 != cy2 || ix1 != ix2 || iy1 != iy2)) {
			t.Fatalf("case %d: kernel %v %v %v %d %d %v, portable %v %v %v %d %d %v",
				i, s1, cx1, cy1, ix1, iy1, ok1, s2, cx2, cy2, ix2, iy2, ok2)
		}
		if !ok1 {
			rejected++
		} else if cx1 != cx || cy1 != cy {
			steps++
		}
	}
	if rejected == 0 || steps < 1000 {
		t.Fatalf("cases not exercised: %d rejected, %d moved", rejected, steps)
	}
}

// TestCentroidSumsKernel compares centroidSums' three weighted sums with
// the kernel and without, bit for bit, over every pair of window phases
// and windows of noise, spots, zero columns (clipped at the frame edge)
// and all zeros.
func TestCentroidSumsKernel(t *testing.T) {
	if !hasKernel(kernelCentroidSums) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(4, 6))
	d := New(DefaultOptions())
	d.windowSigma = 0.85
	d.buildWeights()
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a == 0 && b == 0) }
	for i := range 3000 {
		var win [56]float64
		cols := 7 - i%4
		for j := range 7 {
			for k := range cols {
				switch i % 5 {
				case 0:
				case 1:
					win[8*j+k] = rng.NormFloat64() * 1e-3
				default:
					dx, dy := float64(k)-3+rng.Float64(), float64(j)-3+rng.Float64()
					win[8*j+k] = 300*math.Exp(-(dx*dx+dy*dy)/1.5) + 20*rng.NormFloat64()
				}
			}
		}
		wx, wy := &d.windowWeights[rng.IntN(len(d.windowWeights))], &d.windowWeights[rng.IntN(len(d.windowWeights))]
		useSIMD = true
		s1, sx1, sy1 := centroidSums(&win, wx, wy)
		useSIMD = false
		s2, sx2, sy2 := centroidSums(&win, wx, wy)
		if !same(s1, s2) || !same(sx1, sx2) || !same(sy1, sy2) {
			t.Fatalf("case %d: kernel %v %v %v, portable %v %v %v", i, s1, sx1, sy1, s2, sx2, sy2)
		}
	}
}

// TestTile4Kernels compares the whole-tile statistics and clip sums of
// the kernels with plain loops on random block sums up to the largest a
// 13-bit frame gives, with limits at, between and beyond the values.
func TestTile4Kernels(t *testing.T) {
	if !hasKernel(kernelTile4) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	rng := rand.New(rand.NewPCG(6, 2))
	const sbw = 9
	sb := make([]uint32, 4*sbw)
	for i := range 5000 {
		top := []int{16, 1 << 14, 1<<19 + 1<<18}[i%3]
		for j := range sb {
			sb[j] = uint32(rng.IntN(top))
		}
		i0 := rng.IntN(sbw - 3)
		var sum, lo, hi int64 = 0, math.MaxInt64, 0
		for r := range 4 {
			for c := range 4 {
				x := int64(sb[i0+r*sbw+c])
				sum, lo, hi = sum+x, min(lo, x), max(hi, x)
			}
		}
		gs, gl, gh, ok := tileStats4SIMD(sb, i0, sbw, 4, 4)
		if !ok || gs != sum || gl != lo || gh != hi {
			t.Fatalf("case %d: stats %d %d %d (ran %v), want %d %d %d", i, gs, gl, gh, ok, sum, lo, hi)
		}
		for _, l := range []int64{0, lo - 1, lo, hi - 1, hi, int64(sb[i0+sbw+2]), int64(rng.IntN(top)), math.MaxUint32} {
			if l < 0 {
				continue
			}
			var s, k int64
			for r := range 4 {
				for c := range 4 {
					if x := int64(sb[i0+r*sbw+c]); x <= l {
						s, k = s+x, k+1
					}
				}
			}
			gs, gk, ok := tileClip4SIMD(sb, i0, sbw, 4, 4, l)
			if !ok || gs != s || gk != k {
				t.Fatalf("case %d, l %d: clip %d %d (ran %v), want %d %d", i, l, gs, gk, ok, s, k)
			}
		}
	}
}

// TestRingKernel compares ringStats with and without the kernel on rings
// with and without outliers (the clipped second pass), including rings
// on the frame's last row.
func TestRingKernel(t *testing.T) {
	if !hasKernel(kernelRing) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(6, 6))
	const w, h = 20, 9
	pix := make([]uint8, w*h)
	clipped := 0
	for i := range 3000 {
		for j := range pix {
			pix[j] = uint8(30 + rng.IntN(20*(1+i%4)))
			if rng.IntN(30) == 0 {
				pix[j] = uint8(200 + rng.IntN(56)) // an outlier the clip drops
			}
		}
		px, py := 3+rng.IntN(w-6), 3+rng.IntN(h-6)
		useSIMD = true
		m1, s1 := ringStats(pix, w, px, py)
		useSIMD = false
		m2, s2 := ringStats(pix, w, px, py)
		if m1 != m2 || s1 != s2 {
			t.Fatalf("ring at (%d,%d): kernel %v %v, portable %v %v", px, py, m1, s1, m2, s2)
		}
		useSIMD = true
		if s, _, _, _, _ := ringSumsSIMD(pix, (py-3)*w+px-3, w, math.MaxInt32); float64(s)/24 != m1 {
			clipped++ // the second, clipped pass changed the mean
		}
	}
	if clipped < 100 {
		t.Fatalf("only %d rings were clipped", clipped)
	}
}

// TestPeakKernel compares the 4×4 peak search of the kernel with the
// scalar rule (the first brightest unclaimed pixel in scan order) on
// random blocks with random claims, ties, and fully claimed blocks.
func TestPeakKernel(t *testing.T) {
	if !hasKernel(kernelPeak) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	rng := rand.New(rand.NewPCG(5, 1))
	const w, h = 67, 9
	pix := make([]uint8, w*h)
	d := New(DefaultOptions())
	d.setup(w, h, 255)
	for i := range 20000 {
		for j := range pix {
			pix[j] = uint8(rng.IntN(4 + i%250)) // small ranges make ties
		}
		clear(d.claimBits)
		for j := range w * h {
			if rng.IntN(3+i%5) == 0 || i%97 == 0 {
				d.claim(j)
			}
		}
		x0, y0 := rng.IntN(w-3), rng.IntN(h-3)
		k, v, ran := peak4x4SIMD(d, pix, w, x0, y0)
		if !ran {
			t.Fatal("kernel did not run")
		}
		wk, wv := -1, -1
		for r := range 4 {
			for c := range 4 {
				if !d.claimed((y0+r)*w+x0+c) && int(pix[(y0+r)*w+x0+c]) > wv {
					wk, wv = 4*r+c, int(pix[(y0+r)*w+x0+c])
				}
			}
		}
		if v != wv || (wv >= 0 && k != wk) {
			t.Fatalf("case %d at (%d,%d): kernel %d (%d), want %d (%d)", i, x0, y0, k, v, wk, wv)
		}
	}
}

// TestHotKernel compares the hot-pixel test's 5×5 figures from the kernel
// with the scalar ones on random blocks, the last row of the buffer too.
func TestHotKernel(t *testing.T) {
	if !hasKernel(kernelHot) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	const w, h = 29, 8
	pix := make([]uint8, w*h)
	ran := 0
	for range 20000 {
		for j := range pix {
			pix[j] = uint8(rng.IntN(256))
		}
		x0, y0 := rng.IntN(w-4), rng.IntN(h-4)
		i0 := y0*w + x0
		got, ok := hotStatsSIMD(pix, i0, w)
		if !ok {
			continue // the 8-byte row reads would pass the buffer's end
		}
		ran++
		px := func(r, c int) uint64 { return uint64(pix[i0+r*w+c]) }
		var ring, inMax uint64
		for c := range 5 {
			ring += px(0, c) + px(4, c)
		}
		for r := 1; r <= 3; r++ {
			ring += px(r, 0) + px(r, 4)
			for c := 1; c <= 3; c++ {
				inMax = max(inMax, px(r, c))
			}
		}
		want := ring | inMax<<16 | px(1, 2)<<24 | px(2, 1)<<32 | px(2, 2)<<40 | px(2, 3)<<48 | px(3, 2)<<56
		if got != want {
			t.Fatalf("block at (%d,%d): kernel %#x, want %#x", x0, y0, got, want)
		}
	}
	if ran < 10000 {
		t.Fatalf("kernel ran on only %d blocks", ran)
	}
}

// TestKernelSet checks that the build names only known kernels.
func TestKernelSet(t *testing.T) {
	if simdKernels&^kernelAll != 0 {
		t.Fatalf("simdKernels %#x has bits outside kernelAll %#x", simdKernels, kernelAll)
	}
}
