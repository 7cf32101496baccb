package render

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

var (
	hipOnce sync.Once
	hipSky  *Sky
	hipErr  error
)

// hip8 loads ../shared/catalog/hip8.csv once, or skips when absent.
func hip8(tb testing.TB) *Sky {
	tb.Helper()
	hipOnce.Do(func() {
		var st []starcat.Star
		st, hipErr = starcat.Load(filepath.FromSlash("../../../shared/catalog/hip8.csv"))
		if hipErr == nil {
			hipSky = NewSky(st, 2026.9)
		}
	})
	if hipErr != nil {
		if _, err := os.Stat("../../../shared/catalog/hip8.csv"); err != nil {
			tb.Skipf("shared catalogue absent: %v", err)
		}
		tb.Fatal(hipErr)
	}
	return hipSky
}

func small(mags ...float64) *Sky {
	var cat []starcat.Star
	for i, m := range mags {
		cat = append(cat, starcat.Star{HIP: i + 1, RA: math.Mod(360+float64(i%4-2)*2.1+0.37, 360), Dec: float64(i/4-1)*2.3 + 0.21, Vmag: m})
	}
	return NewSky(cat, 2000)
}

func TestPositionsMatchGeom(t *testing.T) {
	sky := hip8(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 20; k++ {
		o := DefaultOptions()
		o.Attitude = geom.Attitude{RA: rng.Float64() * 360, Dec: rng.Float64()*178 - 89, Roll: rng.Float64() * 360}
		if k == 0 {
			o.Attitude.Dec = 89.9 // the pole
		}
		o.NoNoise = true
		f, err := sky.Render(o)
		if err != nil {
			t.Fatal(err)
		}
		cam := geom.Camera{W: o.Width, H: o.Height, FOV: o.FOVDeg}
		for _, s := range f.Stars {
			x, y, ok := geom.Project(o.Attitude, cam, s.RA, s.Dec)
			if !ok || math.Abs(x-s.X) > 1e-9 || math.Abs(y-s.Y) > 1e-9 {
				t.Fatalf("star %d at (%v, %v), geom.Project gives (%v, %v)", s.HIP, s.X, s.Y, x, y)
			}
		}
		// Completeness: every catalogue star geom puts in the frame is drawn,
		// once.
		seen := map[int]int{}
		for _, s := range f.Stars {
			seen[s.HIP]++
		}
		for _, b := range sky.bands {
			for _, s := range b {
				x, y, ok := geom.Project(o.Attitude, cam, s.ra, s.dec)
				if ok && cam.Inside(x, y) && s.vmag <= o.MagLimit && seen[s.hip] != 1 {
					t.Fatalf("HIP %d at (%.1f, %.1f) drawn %d times", s.hip, x, y, seen[s.hip])
				}
			}
		}
	}
}

func TestRAWrap(t *testing.T) {
	sky := NewSky([]starcat.Star{{HIP: 1, RA: 359.9, Dec: 0, Vmag: 5}, {HIP: 2, RA: 0, Dec: 0.5, Vmag: 5}, {HIP: 3, RA: 0.1, Dec: 0, Vmag: 5}}, 2000)
	f, err := sky.Render(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stars) != 3 {
		t.Fatalf("%d stars drawn, want 3: %+v", len(f.Stars), f.Stars)
	}
}

func TestDeterminism(t *testing.T) {
	sky := small(4, 5, 6)
	o := DefaultOptions()
	o.HotPixels = 10
	o.BitDepth = 16
	a, _ := sky.Render(o)
	b, _ := sky.Render(o)
	if string(a.Gray.Pix) != string(b.Gray.Pix) || string(a.Gray16.Pix) != string(b.Gray16.Pix) {
		t.Error("same seed, different frames")
	}
	var dst Frame
	if err := sky.RenderInto(o, &dst); err != nil || string(dst.Gray.Pix) != string(a.Gray.Pix) {
		t.Error("RenderInto differs from Render")
	}
	o.Seed++
	c, _ := sky.Render(o)
	if string(a.Gray.Pix) == string(c.Gray.Pix) {
		t.Error("different seeds, same frame")
	}
}

// starSum returns the background-subtracted sum in a box around (x, y) of a
// noiseless frame.
func starSum(f *Frame, x, y float64, r int, bg float64) float64 {
	s := 0.0
	for yy := int(y) - r; yy <= int(y)+r; yy++ {
		for xx := int(x) - r; xx <= int(x)+r; xx++ {
			s += float64(f.Gray16.Pix[2*(yy*f.Gray16.Rect.Dx()+xx)])*256 + float64(f.Gray16.Pix[2*(yy*f.Gray16.Rect.Dx()+xx)+1]) - bg*256
		}
	}
	return s / 256
}

func TestFluxLinear(t *testing.T) {
	sky := small(6)
	cases := []struct {
		name      string
		exp, gain float64
	}{{"25ms", 25000, 1}, {"0.4s", 400000, 1}, {"1s", 1e6, 1}, {"0.4s gain 2", 400000, 2}}
	base := 0.0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.ExposureUS, o.Gain = tc.exp, tc.gain
			o.NoNoise, o.BitDepth = true, 16
			f, err := sky.Render(o)
			if err != nil {
				t.Fatal(err)
			}
			s := f.Stars[0]
			want := o.ZeroPointADU * tc.gain * tc.exp / 1e6 * math.Pow(10, -0.4*6)
			if math.Abs(s.Flux/want-1) > 1e-9 {
				t.Errorf("flux %v, want %v", s.Flux, want)
			}
			if got := starSum(f, s.X, s.Y, 6, o.SkyADU); math.Abs(got/s.Flux-1) > 0.01 {
				t.Errorf("pixels hold %.2f ADU, star flux %.2f", got, s.Flux)
			}
			if base == 0 {
				base = s.Flux / (tc.exp * tc.gain)
			} else if math.Abs(s.Flux/(tc.exp*tc.gain)/base-1) > 1e-9 {
				t.Error("flux not proportional to exposure × gain")
			}
		})
	}
}

// TestDefaultFrame: background 10-20 ADU, noise 2-4 ADU, and a typical
// field holds 20-60 stars of SNR ≥ 8 (about the Sigma 8 detection limit).
func TestDefaultFrame(t *testing.T) {
	o := DefaultOptions()
	f, err := Noise(o)
	if err != nil {
		t.Fatal(err)
	}
	var s, s2 float64
	for _, v := range f.Gray.Pix {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	n := float64(len(f.Gray.Pix))
	mean, sd := s/n, math.Sqrt(s2/n-(s/n)*(s/n))
	if mean < 10 || mean > 20 || sd < 2 || sd > 4 {
		t.Errorf("background %.1f ± %.2f ADU", mean, sd)
	}
	sky := hip8(t)
	rng := rand.New(rand.NewPCG(5, 6))
	var counts []int
	for k := 0; k < 40; k++ {
		o.Attitude = geom.Attitude{RA: rng.Float64() * 360, Dec: math.Asin(2*rng.Float64()-1) * 180 / math.Pi}
		f, _ := sky.Render(o)
		c := 0
		for _, s := range f.Stars {
			if s.SNR >= 8 {
				c++
			}
		}
		counts = append(counts, c)
	}
	sort.Ints(counts)
	t.Logf("stars with SNR ≥ 8 (detectable at Sigma 8) per default frame: min %d median %d max %d", counts[0], counts[len(counts)/2], counts[len(counts)-1])
	if m := counts[len(counts)/2]; m < 20 || m > 60 {
		t.Errorf("median %d stars of SNR ≥ 8, want 20-60", m)
	}
}

func TestFeatures(t *testing.T) {
	t.Run("hot pixels", func(t *testing.T) {
		o := DefaultOptions()
		o.HotPixels, o.HotPixelMinADU, o.HotPixelMaxADU = 25, 100, 200
		f, _ := Noise(o)
		if len(f.HotPixels) != 25 {
			t.Fatalf("%d hot pixels listed", len(f.HotPixels))
		}
		for _, p := range f.HotPixels {
			if v := f.Gray.GrayAt(p.X, p.Y).Y; v < 100 {
				t.Errorf("hot pixel %v only %d", p, v)
			}
		}
	})
	t.Run("trail", func(t *testing.T) {
		o := DefaultOptions()
		o.NoNoise, o.BitDepth = true, 16
		o.TrailPx = [2]float64{8, 0}
		f, _ := small(5).Render(o)
		s := f.Stars[0]
		// Second moments along and across the trail.
		var m, mxx, myy float64
		for y := int(s.Y) - 8; y <= int(s.Y)+8; y++ {
			for x := int(s.X) - 10; x <= int(s.X)+10; x++ {
				q := float64(f.Gray16.Pix[2*(y*512+x)])*256 + float64(f.Gray16.Pix[2*(y*512+x)+1]) - o.SkyADU*256
				dx, dy := float64(x)+0.5-s.X, float64(y)+0.5-s.Y
				m += q
				mxx += q * dx * dx
				myy += q * dy * dy
			}
		}
		if mxx/m < 4*myy/m {
			t.Errorf("trail not elongated: var x %.2f, y %.2f", mxx/m, myy/m)
		}
		if want := 8*8/12.0 + myy/m; math.Abs(mxx/m-want) > 0.5 {
			t.Errorf("along-trail variance %.2f, want %.2f", mxx/m, want)
		}
	})
	t.Run("cloud", func(t *testing.T) {
		o := DefaultOptions()
		clear, _ := small(5).Render(o)
		s := clear.Stars[0]
		o.Cloud = &Cloud{X: s.X, Y: s.Y, Radius: 40, Transmission: 0.25, GlowADU: 30}
		f, _ := small(5).Render(o)
		if r := f.Stars[0].Flux / s.Flux; math.Abs(r-0.25) > 1e-9 {
			t.Errorf("flux under cloud ×%.3f, want ×0.25", r)
		}
		if bg := background(&o, s.X+20, s.Y); math.Abs(bg-o.SkyADU-30) > 1e-9 {
			t.Errorf("cloud glow: background %.1f", bg)
		}
	})
	t.Run("saturation", func(t *testing.T) {
		o := DefaultOptions()
		f, _ := small(1, 7).Render(o)
		if !f.Stars[0].Saturated || f.Stars[1].Saturated {
			t.Errorf("saturation flags %v %v", f.Stars[0].Saturated, f.Stars[1].Saturated)
		}
		if v := f.Gray.GrayAt(int(f.Stars[0].X), int(f.Stars[0].Y)).Y; v != 255 {
			t.Errorf("saturated core %d", v)
		}
	})
	t.Run("16 bit", func(t *testing.T) {
		o := DefaultOptions()
		o.BitDepth = 16
		f, _ := small(6).Render(o)
		for i := 0; i < 1000; i++ {
			v16 := float64(uint16(f.Gray16.Pix[2*i])<<8|uint16(f.Gray16.Pix[2*i+1])) / 256
			if math.Abs(v16-float64(f.Gray.Pix[i])) > 0.5 {
				t.Fatalf("pixel %d: 16-bit %.2f vs 8-bit %d", i, v16, f.Gray.Pix[i])
			}
		}
	})
	t.Run("streak and glare", func(t *testing.T) {
		o := DefaultOptions()
		o.NoNoise = true
		o.Streaks = []Streak{{X0: 10, Y0: 100, X1: 500, Y1: 100, ADUPerPx: 50}}
		o.Glares = []Glare{{X: 300, Y: 400, SigmaPx: 20, PeakADU: 100}}
		f, _ := Noise(o)
		if v := f.Gray.GrayAt(250, 99).Y; v < 25 {
			t.Errorf("streak pixel %d", v)
		}
		if v := f.Gray.GrayAt(300, 400).Y; v < 110 {
			t.Errorf("glare centre %d", v)
		}
	})
}

func TestBadOptions(t *testing.T) {
	mods := map[string]func(*Options){
		"size":     func(o *Options) { o.Width = 0 },
		"fov":      func(o *Options) { o.FOVDeg = 0 },
		"bitdepth": func(o *Options) { o.BitDepth = 12 },
		"fwhm":     func(o *Options) { o.FWHMPx = 0 },
		"exposure": func(o *Options) { o.ExposureUS = -1 },
	}
	for name, m := range mods {
		o := DefaultOptions()
		m(&o)
		if _, err := small(5).Render(o); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: err %v", name, err)
		}
	}
	if err := small(5).RenderInto(DefaultOptions(), nil); !errors.Is(err, ErrOptions) {
		t.Errorf("nil frame: %v", err)
	}
}

func TestRenderIntoAllocs(t *testing.T) {
	sky := hip8(t)
	o := DefaultOptions()
	o.Attitude = geom.Attitude{RA: 84, Dec: -1}
	var f Frame
	sky.RenderInto(o, &f)
	if n := testing.AllocsPerRun(5, func() { sky.RenderInto(o, &f) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

func BenchmarkRenderInto(b *testing.B) {
	sky := hip8(b)
	o := DefaultOptions()
	o.Attitude = geom.Attitude{RA: 84, Dec: -1, Roll: 30}
	o.HotPixels = 20
	var f Frame
	b.ReportAllocs()
	for b.Loop() {
		o.Seed++
		if err := sky.RenderInto(o, &f); err != nil {
			b.Fatal(err)
		}
	}
}
