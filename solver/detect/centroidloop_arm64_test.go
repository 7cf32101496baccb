//go:build arm64 && !purego

package detect

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// centroidLoopCase is one input of centroidLoop.
type centroidLoopCase struct {
	win            [56]float64
	x0, y0, px, py int
	cx, cy         float64
}

// realCentroidCases returns the windows of a real frame (tree.jpg) that
// reach the centroid iteration: every pixel that is the largest of its 3×3
// and at least 3 ring deviations over its ring's mean (stars, and the
// noise peaks the candidate stage lets through), with the ring mean as
// background, loaded as centroid loads them, from the first moment.
func realCentroidCases(tb testing.TB) (*Detector, []centroidLoopCase) {
	img := loadReal512(tb, "tree.jpg")
	d := New(DefaultOptions())
	if _, err := d.DetectGray(img.Pix, 512, 512, img.Stride); err != nil {
		tb.Fatal(err)
	}
	pix, stride := img.Pix, img.Stride
	f := &frame[uint8]{d: d, pix: pix, stride: stride}
	var cases []centroidLoopCase
	for y := 3; y < 509; y++ {
		for x := 3; x < 509; x++ {
			v := pix[y*stride+x]
			peak := true
			for j := -1; j <= 1 && peak; j++ {
				for i := -1; i <= 1; i++ {
					if (i != 0 || j != 0) && pix[(y+j)*stride+x+i] >= v {
						peak = false
						break
					}
				}
			}
			if !peak {
				continue
			}
			mean, sd := ringStats(pix, stride, x, y)
			if float64(v) < mean+3*max(sd, 1) {
				continue
			}
			s := seed{x: x, y: y, value: int(v), bg: mean, noise: max(sd, 1)}
			var win window
			f.loadWindow(&s, &win)
			cx, cy := win.firstMoment(x, y)
			cases = append(cases, centroidLoopCase{win: win.cells, x0: win.x0, y0: win.y0, px: x, py: y, cx: cx, cy: cy})
		}
	}
	if len(cases) < 100 {
		tb.Fatalf("only %d windows", len(cases))
	}
	return d, cases
}

// TestCentroidLoopReal compares centroidLoop with the kernel and without
// on the windows of a real frame.
func TestCentroidLoopReal(t *testing.T) {
	if !hasKernel(kernelCentroidLoop) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	d, cases := realCentroidCases(t)
	for i := range cases {
		c := &cases[i]
		useSIMD = true
		s1, cx1, cy1, ix1, iy1, ok1 := d.centroidLoop(&c.win, c.x0, c.y0, c.px, c.py, c.cx, c.cy)
		useSIMD = false
		s2, cx2, cy2, ix2, iy2, ok2 := d.centroidLoop(&c.win, c.x0, c.y0, c.px, c.py, c.cx, c.cy)
		if ok1 != ok2 || s1 != s2 || cx1 != cx2 || cy1 != cy2 || ix1 != ix2 || iy1 != iy2 {
			t.Fatalf("case %d: kernel %v %v %v %d %d %v, portable %v %v %v %d %d %v",
				i, s1, cx1, cy1, ix1, iy1, ok1, s2, cx2, cy2, ix2, iy2, ok2)
		}
	}
}

// BenchmarkCentroidLoop runs centroidLoop once over each window of
// realCentroidCases (one op is all of them; the windows metric says how
// many).
func BenchmarkCentroidLoop(b *testing.B) {
	d, cases := realCentroidCases(b)
	var sink float64
	b.ResetTimer()
	for b.Loop() {
		for i := range cases {
			c := &cases[i]
			s, cx, cy, _, _, _ := d.centroidLoop(&c.win, c.x0, c.y0, c.px, c.py, c.cx, c.cy)
			sink += s + cx + cy
		}
	}
	b.ReportMetric(float64(len(cases)), "windows")
	_ = sink
}

// TestCentroidLoopRealSteps logs how many sums per window the windows of
// realCentroidCases take (centroidLoop's steps, replayed here).
func TestCentroidLoopRealSteps(t *testing.T) {
	d, cases := realCentroidCases(t)
	sums, rejected := 0, 0
	for i := range cases {
		c := &cases[i]
		cxf, cyf, lastX, lastY := c.cx, c.cy, -1, -1
		for range 4 {
			ix := d.weightIndex(cxf - float64(c.x0) - 0.5)
			iy := d.weightIndex(cyf - float64(c.y0) - 0.5)
			if ix == lastX && iy == lastY {
				break
			}
			lastX, lastY = ix, iy
			sums++
			S, sx, sy := centroidSums(&c.win, &d.windowWeights[ix], &d.windowWeights[iy])
			if S <= 0 {
				rejected++
				break
			}
			dx := clampPM(float64(c.x0)+0.5+float64(ix)/wPhases+2*sx/S-cxf, 0.5)
			dy := clampPM(float64(c.y0)+0.5+float64(iy)/wPhases+2*sy/S-cyf, 0.5)
			cxf = clampF(cxf+dx, float64(c.px)-0.5, float64(c.px)+1.5)
			cyf = clampF(cyf+dy, float64(c.py)-0.5, float64(c.py)+1.5)
			if dx*dx+dy*dy < 4e-4 {
				break
			}
		}
	}
	t.Logf("%d windows, %.2f sums each, %d rejected", len(cases), float64(sums)/float64(len(cases)), rejected)
}

// TestCentroidLoopWild runs the kernel and the portable loop from
// estimates far from the window's centre (the phases clamped to the table
// at both ends, the estimate clamped to its bounds), from NaN and huge
// estimates, and on windows with huge and tiny values, and requires the
// same bits (but for the sign of a zero s of a rejection).
func TestCentroidLoopWild(t *testing.T) {
	if !hasKernel(kernelCentroidLoop) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	rng := rand.New(rand.NewPCG(11, 12))
	d := New(DefaultOptions())
	d.windowSigma = 0.85
	d.buildWeights()
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	clampedLo, clampedHi := 0, 0
	for i := range 20000 {
		var win [56]float64
		sx, sy := rng.Float64()*7, rng.Float64()*7
		amp := rng.Float64() * 200
		scale := 1.0
		switch i % 13 {
		case 3:
			scale = 1e300
		case 4:
			scale = 1e-300
		case 5:
			scale = -1
		}
		for j := range 7 {
			for k := range 7 {
				dx, dy := float64(k)+0.5-sx, float64(j)+0.5-sy
				win[8*j+k] = scale * (amp*math.Exp(-(dx*dx+dy*dy)/(2*0.85*0.85)) + 5*rng.NormFloat64())
			}
		}
		x0, y0 := rng.IntN(50), rng.IntN(50)
		px, py := x0+rng.IntN(9)-1, y0+rng.IntN(9)-1
		cx, cy := float64(px)+rng.Float64()*6-2.5, float64(py)+rng.Float64()*6-2.5
		switch i % 11 {
		case 1:
			cx = math.NaN()
		case 2:
			cy = -1e300
		case 3:
			cx = math.Inf(1)
		}
		if u := (cx - float64(x0) - 0.5) * wPhases; u < 0 {
			clampedLo++
		} else if u > float64(len(d.windowWeights)-1) {
			clampedHi++
		}
		useSIMD = true
		s1, cx1, cy1, ix1, iy1, ok1 := d.centroidLoop(&win, x0, y0, px, py, cx, cy)
		useSIMD = false
		s2, cx2, cy2, ix2, iy2, ok2 := d.centroidLoop(&win, x0, y0, px, py, cx, cy)
		if ok1 != ok2 || !(same(s1, s2) || !ok1 && s1 == 0 && s2 == 0) || !same(cx1, cx2) || !same(cy1, cy2) || ix1 != ix2 || iy1 != iy2 {
			t.Fatalf("case %d: kernel %v %v %v %d %d %v, portable %v %v %v %d %d %v",
				i, s1, cx1, cy1, ix1, iy1, ok1, s2, cx2, cy2, ix2, iy2, ok2)
		}
	}
	if clampedLo < 1000 || clampedHi < 1000 {
		t.Fatalf("phases not clamped often: %d low, %d high", clampedLo, clampedHi)
	}
}

// TestCentroidLoopMovedBoundary builds steps whose dx·dx + dy·dy lies
// within an ulp of 4e-4, where rounding dy·dy before the addition or not
// decides whether the loop stops, and requires the kernel to stop where
// the portable loop does (which rounds both products: a fused
// multiply-add would not), where random windows almost never tell the
// difference.
func TestCentroidLoopMovedBoundary(t *testing.T) {
	if !hasKernel(kernelCentroidLoop) {
		t.Skip("no vector kernel for this stage on this machine")
	}
	defer func(v bool) { useSIMD = v }(useSIMD)
	useSIMD = false
	d := New(DefaultOptions())
	d.windowSigma = 0.85
	d.buildWeights()
	const x0, y0, px, py = 0, 0, 3, 3
	// phase and step are the portable loop's first step from (cx, cy).
	phase := func(cx, cy float64) (int, int) {
		return d.weightIndex(cx - float64(x0) - 0.5), d.weightIndex(cy - float64(y0) - 0.5)
	}
	found, tried := 0, 0
	for trial := 0; trial < 600 && found < 12; trial++ {
		var win [56]float64
		sx0, sy0 := 3.1+0.013*float64(trial%17), 3.2+0.011*float64(trial/17)
		for j := range 7 {
			for k := range 7 {
				dx, dy := float64(k)+0.5-sx0, float64(j)+0.5-sy0
				win[8*j+k] = 100 * math.Exp(-(dx*dx+dy*dy)/(2*0.85*0.85))
			}
		}
		// An estimate c whose step d has |d|² = 4e-4, give or take the
		// rounding of d, with the phases of c those of its sums.
		tx := 0.009 + 0.0001*float64(trial%37)
		ty := math.Sqrt(4e-4-tx*tx) * float64(1-2*(trial%2))
		cx, cy := sx0+0.05, sy0-0.05
		var kx, ky float64
		ok := false
		for range 8 {
			ix, iy := phase(cx, cy)
			S, sx, sy := centroidSums(&win, &d.windowWeights[ix], &d.windowWeights[iy])
			kx = float64(x0) + 0.5 + float64(ix)/wPhases + 2*sx/S
			ky = float64(y0) + 0.5 + float64(iy)/wPhases + 2*sy/S
			nx, ny := kx-tx, ky-ty
			if jx, jy := phase(nx, ny); jx == ix && jy == iy {
				cx, cy, ok = nx, ny, true
				break
			}
			cx, cy = nx, ny
		}
		if !ok {
			continue
		}
		ix, iy := phase(cx, cy)
		var c2s [81]float64
		for j := range c2s {
			c2s[j] = stepULPs(cy, j-40)
		}
		tried++
	scan:
		for i := -40; i <= 40; i++ {
			c1 := stepULPs(cx, i)
			for _, c2 := range c2s {
				if jx, jy := phase(c1, c2); jx != ix || jy != iy {
					continue
				}
				dx, dy := clampPM(kx-c1, 0.5), clampPM(ky-c2, 0.5)
				n1, n2 := clampF(c1+dx, px-0.5, px+1.5), clampF(c2+dy, py-0.5, py+1.5)
				if jx, jy := phase(n1, n2); jx == ix && jy == iy {
					continue // the next step would stop anyway
				}
				dd := float64(dx * dx)
				if (dd+float64(dy*dy) < 4e-4) == (math.FMA(dy, dy, dd) < 4e-4) {
					continue
				}
				found++
				useSIMD = true
				s1, cx1, cy1, ix1, iy1, ok1 := d.centroidLoop(&win, x0, y0, px, py, c1, c2)
				useSIMD = false
				s2, cx2, cy2, ix2, iy2, ok2 := d.centroidLoop(&win, x0, y0, px, py, c1, c2)
				if ok1 != ok2 || s1 != s2 || cx1 != cx2 || cy1 != cy2 || ix1 != ix2 || iy1 != iy2 {
					t.Fatalf("trial %d (%v, %v): kernel %v %v %v %d %d %v, portable %v %v %v %d %d %v",
						trial, c1, c2, s1, cx1, cy1, ix1, iy1, ok1, s2, cx2, cy2, ix2, iy2, ok2)
				}
				break scan
			}
		}
	}
	if found < 5 {
		t.Fatalf("only %d boundary cases in %d estimates", found, tried)
	}
	t.Logf("%d boundary cases in %d estimates", found, tried)
}

// stepULPs is x moved n ulps (n < 0: down).
func stepULPs(x float64, n int) float64 {
	for ; n > 0; n-- {
		x = math.Nextafter(x, math.Inf(1))
	}
	for ; n < 0; n++ {
		x = math.Nextafter(x, math.Inf(-1))
	}
	return x
}

// centroidLoopNEON addresses the weight table in entries of 136 bytes.
var _ [unsafe.Sizeof(wEntry{}) - 136]struct{}
var _ [136 - unsafe.Sizeof(wEntry{})]struct{}
