package detect

import (
	"image"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pifinder-go/pifinder/solver/geom"
	"github.com/pifinder-go/pifinder/solver/render"
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
	if !useSIMD {
		t.Skip("no vector kernels on this machine")
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
		lt := d.lowT * d.sigC
		for i := range d.sbBG[:d.sbw*d.sbh] {
			bg := float64(d.sbBG[i])
			switch i % 3 {
			case 0:
				bg = math.Floor(bg) - lt
			case 1:
				bg = math.Floor(bg) - lt + 1 - 1e-6
			}
			d.sbBG[i], d.thr[i] = blockLimits(max(bg, 0), lt)
		}
		for cy := range d.ch {
			for cx := range d.cw {
				bg := float64(d.sbBG[(cy>>2)*d.sbw+cx>>2])
				v := max(0, min(0x7FFF, int(bg+d.sigC*(rng.Float64()*14-2))))
				w := &d.words[cy*d.ww+cx>>2]
				sh := 16 * uint(cx&3)
				*w = *w&^(0xFFFF<<sh) | uint64(v)<<sh
			}
		}
		var got [2][]cand
		for k, simd := range []bool{false, true} {
			useSIMD = simd
			d.cands = d.cands[:0]
			d.findCands()
			got[k] = append([]cand(nil), d.cands...)
		}
		if len(got[0]) == 0 {
			t.Fatalf("trial %d: no candidates: the test data misses the limits", trial)
		}
		if diff := cmp.Diff(got[0], got[1]); diff != "" {
			t.Errorf("trial %d (%dx%d, %+v): candidates differ (-portable +vector):\n%s", trial, o.Width, o.Height, opt, diff)
		}
	}
}
