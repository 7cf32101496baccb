package detect

import (
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

// synthSky is a handful of stars around RA 0, Dec 0 at chosen magnitudes.
func synthSky(mags ...float64) *render.Sky {
	var cat []starcat.Star
	for i, m := range mags {
		cat = append(cat, starcat.Star{HIP: i + 1, RA: math.Mod(360+float64(i%4-2)*2.1+0.37, 360), Dec: float64(i/4-1)*2.3 + 0.21, Vmag: m})
	}
	return render.NewSky(cat, 2000)
}

func TestDegenerateFrames(t *testing.T) {
	d := New(DefaultOptions())
	flat := func(v uint8, w, h int) *image.Gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = v
		}
		return g
	}
	noise := image.NewGray(image.Rect(0, 0, 512, 512))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
	}
	cases := []struct {
		name string
		img  image.Image
	}{
		{"zero", image.NewGray(image.Rect(0, 0, 0, 0))},
		{"tiny", flat(10, 3, 3)},
		{"black", flat(0, 512, 512)},
		{"white", flat(255, 512, 512)},
		{"flat grey", flat(77, 300, 200)},
		{"uniform noise", noise},
		{"gray16 black", image.NewGray16(image.Rect(0, 0, 64, 64))},
		{"odd size", flat(20, 511, 317)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := d.Detect(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Stars) != 0 {
				t.Errorf("%d stars on a starless frame: %+v", len(res.Stars), res.Stars[0])
			}
			if res.Width != tc.img.Bounds().Dx() || res.Height != tc.img.Bounds().Dy() {
				t.Errorf("size %dx%d", res.Width, res.Height)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	d := New(DefaultOptions())
	cases := []struct {
		name         string
		pix          []uint8
		w, h, stride int
	}{
		{"short buffer", make([]uint8, 100), 20, 20, 20},
		{"stride < width", make([]uint8, 400), 20, 20, 10},
		{"negative", make([]uint8, 400), -1, 20, 20},
		{"huge", make([]uint8, 400), 1 << 20, 1, 1 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := d.DetectGray(tc.pix, tc.w, tc.h, tc.stride); !errors.Is(err, ErrInput) {
				t.Fatalf("err = %v, want ErrInput", err)
			}
		})
	}
	if _, err := d.Detect(nil); !errors.Is(err, ErrInput) {
		t.Errorf("nil image: %v", err)
	}
	var g *image.Gray
	if _, err := d.Detect(g); !errors.Is(err, ErrInput) {
		t.Errorf("nil *image.Gray: %v", err)
	}
}

// TestSingleStar checks position, brightness, peak and ordering on a
// rendered frame, for 8-bit, 16-bit, sub-images and other image types.
func TestSingleStar(t *testing.T) {
	sky := synthSky(4.0, 6.0)
	o := render.DefaultOptions()
	o.BitDepth = 16
	f, err := sky.Render(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stars) != 2 {
		t.Fatalf("rendered %d stars", len(f.Stars))
	}
	rgba := image.NewRGBA(f.Gray.Rect)
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			v := f.Gray.GrayAt(x, y).Y
			rgba.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	sub := f.Gray.SubImage(image.Rect(100, 50, 512, 512)).(*image.Gray)
	cases := []struct {
		name   string
		img    image.Image
		dx, dy float64
		scale  float64
	}{
		{"gray", f.Gray, 0, 0, 1},
		{"gray16", f.Gray16, 0, 0, 256},
		{"rgba", rgba, 0, 0, 1},
		{"subimage", sub, 100, 50, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := New(DefaultOptions()).Detect(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Stars) != 2 {
				t.Fatalf("%d stars, want 2: %+v", len(res.Stars), res.Stars)
			}
			for i, ts := range f.Stars { // both sorted brightest first
				s := res.Stars[i]
				if e := math.Hypot(s.X+tc.dx-ts.X, s.Y+tc.dy-ts.Y); e > 0.15 {
					t.Errorf("star %d at (%.2f, %.2f), true (%.2f, %.2f)", i, s.X+tc.dx, s.Y+tc.dy, ts.X, ts.Y)
				}
				if r := s.Brightness / tc.scale / ts.Flux; r < 0.85 || r > 1.15 {
					t.Errorf("star %d brightness %.0f, true flux %.0f", i, s.Brightness/tc.scale, ts.Flux)
				}
			}
			if res.Noise <= 0 {
				t.Error("no noise estimate")
			}
		})
	}
}

// TestSaturatedKept: a very bright star (big saturated blob) is reported,
// flagged and centred.
func TestSaturatedKept(t *testing.T) {
	sky := synthSky(0.0)
	o := render.DefaultOptions()
	o.ExposureUS = 1e6
	o.FWHMPx = 2.5
	f, _ := sky.Render(o)
	res, err := New(DefaultOptions()).Detect(f.Gray)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stars) == 0 || !res.Stars[0].Saturated || res.Stars[0].Peak != 255 {
		t.Fatalf("saturated star not reported as such: %+v", res.Stars)
	}
	if e := math.Hypot(res.Stars[0].X-f.Stars[0].X, res.Stars[0].Y-f.Stars[0].Y); e > 0.3 {
		t.Errorf("saturated star centroid off by %.2f px", e)
	}
}

func TestRejects(t *testing.T) {
	o := render.DefaultOptions()
	cases := []struct {
		name string
		mod  func(*render.Options)
	}{
		{"hot pixels", func(o *render.Options) { o.HotPixels = 300 }},
		{"satellite", func(o *render.Options) {
			o.Streaks = []render.Streak{{X0: 20, Y0: 40, X1: 480, Y1: 300, ADUPerPx: 60}, {X0: 500, Y0: 20, X1: 100, Y1: 490, ADUPerPx: 25}}
		}},
		{"glare", func(o *render.Options) {
			o.Glares = []render.Glare{{X: 100, Y: 400, SigmaPx: 40, PeakADU: 240}, {X: 400, Y: 100, SigmaPx: 12, PeakADU: 150}}
		}},
		{"moonlit gradient", func(o *render.Options) { o.SkyADU = 120; o.GradientADU = 100 }},
		{"cloud glow", func(o *render.Options) {
			o.Cloud = &render.Cloud{X: 256, Y: 256, Radius: 150, Transmission: 0.2, GlowADU: 60}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			falses := 0
			for seed := uint64(1); seed <= 5; seed++ {
				oo := o
				oo.Seed = seed
				tc.mod(&oo)
				f, err := render.Noise(oo)
				if err != nil {
					t.Fatal(err)
				}
				res, err := New(DefaultOptions()).Detect(f.Gray)
				if err != nil {
					t.Fatal(err)
				}
				falses += len(res.Stars)
				for _, s := range res.Stars {
					t.Logf("seed %d: false detection %+v", seed, s)
				}
			}
			if falses > 1 {
				t.Errorf("%d false detections in 5 frames", falses)
			}
		})
	}
}

// TestTrailedStarsKept: stars trailed by the mount by a few pixels are
// still stars.
func TestTrailedStarsKept(t *testing.T) {
	sky := synthSky(4.5, 5.0, 5.5, 5.0)
	o := render.DefaultOptions()
	o.TrailPx = [2]float64{5, 2}
	f, _ := sky.Render(o)
	res, _ := New(DefaultOptions()).Detect(f.Gray)
	idx, _ := match(f.Stars, res.Stars, 1.5, 2.5)
	for i, j := range idx {
		if j < 0 {
			t.Errorf("trailed star %+v not found", f.Stars[i])
		}
	}
}

func TestMaxStarsAndReuse(t *testing.T) {
	sky := synthSky(3, 4, 5, 6, 4.5, 5.5)
	f, _ := sky.Render(render.DefaultOptions())
	d := New(Options{MaxStars: 3})
	a, _ := d.Detect(f.Gray)
	if len(a.Stars) != 3 {
		t.Fatalf("%d stars, want 3", len(a.Stars))
	}
	for i := 1; i < len(a.Stars); i++ {
		if a.Stars[i].Brightness > a.Stars[i-1].Brightness {
			t.Error("not sorted brightest first")
		}
	}
	first := append([]Star(nil), a.Stars...)
	b, _ := d.Detect(f.Gray)
	for i := range first {
		if first[i] != b.Stars[i] {
			t.Error("second call on the same frame differs")
		}
	}
	if got := d.Options(); got.Sigma != 8 || got.Binning != 2 || got.MaxStars != 3 {
		t.Errorf("options %+v", got)
	}
}

func TestBinning1(t *testing.T) {
	sky := synthSky(4.0, 5.5, 6.0)
	f, _ := sky.Render(render.DefaultOptions())
	res, err := New(Options{Binning: 1}).Detect(f.Gray)
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := match(f.Stars, res.Stars, 1.5, 2.5)
	for i, j := range idx {
		if j < 0 {
			t.Errorf("binning 1 missed %+v", f.Stars[i])
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	sky := synthSky(3, 4, 5, 6, 4.5, 5.5)
	o := render.DefaultOptions()
	o.HotPixels = 20
	f, _ := sky.Render(o)
	d := New(DefaultOptions())
	d.Detect(f.Gray)
	if n := testing.AllocsPerRun(20, func() {
		d.DetectGray(f.Gray.Pix, 512, 512, f.Gray.Stride)
	}); n != 0 {
		t.Errorf("%v allocations per frame, want 0", n)
	}
}

func FuzzDetectGray(f *testing.F) {
	f.Add(uint16(16), uint16(16), uint16(16), []byte{1, 2, 3}, uint8(0))
	f.Add(uint16(64), uint16(9), uint16(70), []byte{255, 0, 255}, uint8(1))
	f.Add(uint16(8), uint16(200), uint16(8), []byte{}, uint8(2))
	f.Fuzz(func(t *testing.T, w, h, stride uint16, seed []byte, mode uint8) {
		W, H, S := int(w%300), int(h%300), int(stride%400)
		n := 0
		if H > 0 {
			n = (H-1)*S + W
		}
		if n < 0 || n > 1<<18 {
			return
		}
		pix := make([]byte, max(n, 0))
		rng := rand.New(rand.NewPCG(uint64(len(seed)), uint64(mode)))
		for i := range pix {
			switch {
			case len(seed) > 0 && mode%3 == 0:
				pix[i] = seed[i%len(seed)]
			case mode%3 == 1:
				pix[i] = uint8(rng.IntN(256))
			default:
				pix[i] = uint8(20 + rng.IntN(5))
				if rng.IntN(500) == 0 {
					pix[i] = 255
				}
			}
		}
		o := Options{Sigma: float64(mode%10) + 1, Binning: int(mode%2) + 1}
		res, err := New(o).DetectGray(pix, W, H, S)
		if err != nil {
			return
		}
		for _, s := range res.Stars {
			if !(s.X >= 0 && s.Y >= 0 && s.X <= float64(W) && s.Y <= float64(H)) {
				t.Fatalf("star outside the frame: %+v in %dx%d", s, W, H)
			}
		}
		g16 := image.NewGray16(image.Rect(0, 0, W, H))
		copy(g16.Pix, pix)
		if _, err := New(o).Detect(g16); err != nil {
			t.Fatal(err)
		}
	})
}
