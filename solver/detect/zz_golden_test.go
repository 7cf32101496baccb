package detect

// Temporary identity check: records (DETECT_GOLDEN=write) or compares the
// detector's output against /tmp/detect-golden.gob.

import (
	"encoding/gob"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pifinder-go/pifinder/solver/catalog"
	"github.com/pifinder-go/pifinder/solver/geom"
	"github.com/pifinder-go/pifinder/solver/imageio"
	"github.com/pifinder-go/pifinder/solver/render"
)

const goldenPath = "/tmp/detect-golden.gob"

type goldenCase struct {
	Name   string
	Stars  []Star
	Noise  float64
	W, H   int
	ErrStr string
}

type goldenFrame struct {
	name   string
	g8     *image.Gray
	g16    *image.Gray16
	pix    []uint8 // raw buffer with stride for DetectGray
	w, h   int
	stride int
}

func goldenFrames(t *testing.T) []goldenFrame {
	var fr []goldenFrame
	add8 := func(name string, g *image.Gray) {
		fr = append(fr, goldenFrame{name: name, g8: g})
	}
	// Real frames.
	ents, err := os.ReadDir("/work/shared/sky/images")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		img, err := imageio.Load(filepath.Join("/work/shared/sky/images", n))
		if err != nil {
			t.Logf("skip %s: %v", n, err)
			continue
		}
		add8("real/"+n, imageio.ToGray8(img))
		if g16, ok := img.(*image.Gray16); ok {
			fr = append(fr, goldenFrame{name: "real16/" + n, g16: g16})
		}
	}
	// Rendered frames.
	stars, err := catalog.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sky := render.NewSky(stars, 2026)
	rng := rand.New(rand.NewPCG(7, 11))
	nRender := 400
	if s := os.Getenv("DETECT_GOLDEN_N"); s != "" {
		fmt.Sscan(s, &nRender)
	}
	for i := 0; i < nRender; i++ {
		o := render.DefaultOptions()
		o.Seed = uint64(i + 1)
		o.Attitude = geom.Attitude{RA: rng.Float64() * 360, Dec: math.Asin(2*rng.Float64()-1) * 180 / math.Pi, Roll: rng.Float64() * 360}
		if i%2 == 0 {
			o.FOVDeg = 10.2
		}
		o.HotPixels = rng.IntN(60)
		o.SkyADU = 5 + rng.Float64()*60
		o.GradientADU = rng.Float64() * 40
		o.GradientAngleDeg = rng.Float64() * 360
		o.Gain = 0.5 + rng.Float64()*2
		o.FWHMPx = 1.4 + rng.Float64()*1.5
		o.ExposureUS = 100000 + rng.Float64()*900000
		if i%3 == 0 {
			o.TrailPx = [2]float64{rng.Float64()*8 - 4, rng.Float64()*8 - 4}
		}
		if i%4 == 1 {
			o.Cloud = &render.Cloud{X: rng.Float64() * 512, Y: rng.Float64() * 512, Radius: 50 + rng.Float64()*200, Transmission: rng.Float64(), GlowADU: rng.Float64() * 40}
		}
		if i%5 == 2 {
			o.Streaks = []render.Streak{{X0: rng.Float64() * 512, Y0: rng.Float64() * 512, X1: rng.Float64() * 512, Y1: rng.Float64() * 512, ADUPerPx: 5 + rng.Float64()*100}}
		}
		if i%7 == 3 {
			o.Glares = []render.Glare{{X: rng.Float64() * 512, Y: rng.Float64() * 512, SigmaPx: 10 + rng.Float64()*80, PeakADU: 50 + rng.Float64()*300}}
		}
		if i%25 == 4 {
			o.Width, o.Height = 640+rng.IntN(5), 480+rng.IntN(5)
		}
		if i%20 == 5 {
			o.BitDepth = 16
		}
		f, err := sky.Render(o)
		if err != nil {
			t.Fatal(err)
		}
		add8(fmt.Sprintf("render/%d", i), f.Gray)
		if f.Gray16 != nil {
			fr = append(fr, goldenFrame{name: fmt.Sprintf("render16/%d", i), g16: f.Gray16})
		}
	}
	// Random-noise frames of odd sizes, with stride > width.
	sizes := [][2]int{{8, 8}, {9, 13}, {15, 8}, {33, 41}, {64, 64}, {100, 77}, {131, 257}, {257, 131}, {511, 513}, {513, 511}, {37, 999}, {1000, 23}, {7, 100}, {100, 7}}
	for k, sz := range sizes {
		for rep := 0; rep < 3; rep++ {
			w, h := sz[0], sz[1]
			stride := w + rep*3
			pix := make([]uint8, (h-1)*stride+w)
			base := rng.IntN(200)
			amp := 1 + rng.IntN(60)
			for j := range pix {
				v := base + rng.IntN(amp)
				if rng.IntN(500) == 0 {
					v = 255
				}
				if rng.IntN(300) == 0 {
					v += 100
				}
				pix[j] = uint8(min(v, 255))
			}
			// a few blobs
			for b := 0; b < 5; b++ {
				cx, cy := rng.IntN(w), rng.IntN(h)
				pk := float64(20 + rng.IntN(240))
				for y := max(cy-4, 0); y < min(cy+5, h); y++ {
					for x := max(cx-4, 0); x < min(cx+5, w); x++ {
						d2 := float64((x-cx)*(x-cx) + (y-cy)*(y-cy))
						v := float64(pix[y*stride+x]) + pk*math.Exp(-d2/2)
						pix[y*stride+x] = uint8(min(v, 255))
					}
				}
			}
			fr = append(fr, goldenFrame{name: fmt.Sprintf("noise/%d/%d", k, rep), pix: pix, w: w, h: h, stride: stride})
		}
	}
	return fr
}

func goldenRun(t *testing.T) []goldenCase {
	frames := goldenFrames(t)
	var opts []Options
	for _, sg := range []float64{8, 5} {
		for _, bn := range []int{1, 2} {
			opts = append(opts, Options{Sigma: sg, Binning: bn})
		}
	}
	opts = append(opts, Options{Sigma: 6, Binning: 2, FWHMPx: 3, MaxStars: 20, SaturationLevel: 200})
	var out []goldenCase
	for oi, o := range opts {
		d := New(o)
		for _, f := range frames {
			var res Result
			var err error
			switch {
			case f.g8 != nil:
				g := f.g8
				res, err = d.DetectGray(g.Pix, g.Rect.Dx(), g.Rect.Dy(), g.Stride)
			case f.g16 != nil:
				res, err = d.Detect(f.g16)
			default:
				res, err = d.DetectGray(f.pix, f.w, f.h, f.stride)
			}
			c := goldenCase{Name: fmt.Sprintf("o%d/%s", oi, f.name), Noise: res.Noise, W: res.Width, H: res.Height}
			c.Stars = append([]Star(nil), res.Stars...)
			if err != nil {
				c.ErrStr = err.Error()
			}
			out = append(out, c)
		}
	}
	return out
}

func TestGoldenIdentity(t *testing.T) {
	if os.Getenv("DETECT_GOLDEN") == "" {
		t.Skip("set DETECT_GOLDEN=write|check")
	}
	got := goldenRun(t)
	if os.Getenv("DETECT_GOLDEN") == "write" {
		f, err := os.Create(goldenPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := gob.NewEncoder(f).Encode(got); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range got {
			n += len(c.Stars)
		}
		t.Logf("wrote %d cases, %d stars", len(got), n)
		return
	}
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []goldenCase
	if err := gob.NewDecoder(f).Decode(&want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Fatalf("%d cases, want %d", len(got), len(want))
	}
	bad, nst := 0, 0
	for i := range want {
		w, g := want[i], got[i]
		nst += len(w.Stars)
		ok := w.Name == g.Name && w.ErrStr == g.ErrStr && w.W == g.W && w.H == g.H &&
			math.Float64bits(w.Noise) == math.Float64bits(g.Noise) && len(w.Stars) == len(g.Stars)
		if ok {
			for k := range w.Stars {
				a, b := w.Stars[k], g.Stars[k]
				if math.Float64bits(a.X) != math.Float64bits(b.X) || math.Float64bits(a.Y) != math.Float64bits(b.Y) ||
					math.Float64bits(a.Brightness) != math.Float64bits(b.Brightness) || math.Float64bits(a.Peak) != math.Float64bits(b.Peak) ||
					a.Saturated != b.Saturated {
					ok = false
					t.Logf("%s star %d: got %+v want %+v", w.Name, k, b, a)
					break
				}
			}
		}
		if !ok {
			bad++
			if bad < 20 {
				t.Errorf("%s: mismatch (stars %d vs %d, noise %v vs %v)", w.Name, len(g.Stars), len(w.Stars), g.Noise, w.Noise)
			}
		}
	}
	t.Logf("compared %d cases (%d stars); %d mismatches", len(want), nst, bad)
	if bad > 0 {
		t.Fatalf("%d mismatching cases", bad)
	}
}
