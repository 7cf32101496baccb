package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"io"
	"math"
	"strings"
	"testing"
)

func TestFigures(t *testing.T) {
	figs, err := Figures()
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) <= 80 {
		t.Errorf("%d constellations, want > 80", len(figs))
	}
	var orion bool
	for _, f := range figs {
		if f.ID == "Ori" {
			orion = len(f.Lines) > 0
		}
		for _, ln := range f.Lines {
			for _, p := range ln {
				if p[1] < -90 || p[1] > 90 || p[0] < 0 || p[0] >= 360 {
					t.Fatalf("%s: point %v out of range", f.ID, p)
				}
			}
		}
	}
	if !orion {
		t.Error("no Orion lines")
	}
}

func TestDecodeLinesRejectsTruncated(t *testing.T) {
	for _, n := range []int{0, 4, 7, len(linesBin) / 2, len(linesBin) - 1} {
		if _, err := decodeLines(linesBin[:n]); !errors.Is(err, ErrFormat) {
			t.Errorf("decode of %d bytes: err %v, want ErrFormat", n, err)
		}
	}
}

const (
	betelRA, betelDec = 88.793, 7.407
	rigelRA, rigelDec = 78.634, -8.202
)

func nearest(s *Scene, x, y float64) (Star, float64) {
	best, bd := Star{}, math.Inf(1)
	for _, st := range s.Stars {
		if d := math.Hypot(st.X-x, st.Y-y); d < bd {
			best, bd = st, d
		}
	}
	return best, bd
}

func TestProjection(t *testing.T) {
	tests := []struct {
		name   string
		opt    Options
		ra, de float64
		check  func(t *testing.T, x, y float64, s *Scene)
	}{
		{"Betelgeuse at centre", Options{CenterRA: betelRA, CenterDec: betelDec, NorthUp: true}, betelRA, betelDec,
			func(t *testing.T, x, y float64, s *Scene) {
				st, d := nearest(s, x, y)
				if d > 1 {
					t.Errorf("nearest star %.2f px from centre, want ≤ 1", d)
				}
				if st.Mag > 1 {
					t.Errorf("centre star mag %.2f, want Betelgeuse (~0.5)", st.Mag)
				}
			}},
		{"Rigel below right", Options{CenterRA: betelRA, CenterDec: betelDec, NorthUp: true, FOV: 40}, rigelRA, rigelDec,
			func(t *testing.T, x, y float64, s *Scene) {
				if x <= 256 || y <= 256 {
					t.Errorf("Rigel at %.1f, %.1f; want right of and below 256, 256", x, y)
				}
				if _, d := nearest(s, x, y); d > 1 {
					t.Errorf("no star within 1 px of Rigel's position (%.2f)", d)
				}
			}},
		{"east is left", Options{CenterRA: 200, CenterDec: -30, NorthUp: true}, 203, -30,
			func(t *testing.T, x, y float64, s *Scene) {
				if x >= 256 {
					t.Errorf("east point at x %.1f, want < 256", x)
				}
			}},
		{"north is up", Options{CenterRA: 10, CenterDec: 40, NorthUp: true}, 10, 45,
			func(t *testing.T, x, y float64, s *Scene) {
				if math.Abs(x-256) > 1e-9 || y >= 256 {
					t.Errorf("north point at %.1f, %.1f; want straight up", x, y)
				}
			}},
		{"roll 90 turns north to the left", Options{CenterRA: 10, CenterDec: 40, Roll: 90}, 10, 45,
			func(t *testing.T, x, y float64, s *Scene) {
				if math.Abs(y-256) > 1e-6 || x >= 256 {
					t.Errorf("north point at %.1f, %.1f; want straight left (counter-clockwise)", x, y)
				}
				if s.North.X > -0.99 {
					t.Errorf("compass north %v, want left", s.North)
				}
			}},
		{"roll ignored when north up", Options{CenterRA: 10, CenterDec: 40, Roll: 90, NorthUp: true}, 10, 45,
			func(t *testing.T, x, y float64, s *Scene) {
				if math.Abs(x-256) > 1e-6 || y >= 256 {
					t.Errorf("north point at %.1f, %.1f; want straight up", x, y)
				}
			}},
		{"pole", Options{CenterRA: 0, CenterDec: 90, Roll: 33}, 0, 88,
			func(t *testing.T, x, y float64, s *Scene) {
				if len(s.Stars) == 0 || len(s.Lines) == 0 {
					t.Errorf("pole chart: %d stars, %d lines", len(s.Stars), len(s.Lines))
				}
			}},
		{"south pole", Options{CenterRA: 123, CenterDec: -90, FOV: 120, NorthUp: true}, 0, -60,
			func(t *testing.T, x, y float64, s *Scene) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Build(tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			o, _ := normalize(tc.opt)
			p := newProj(o)
			x, y, ok := p.at(vecOf(tc.ra, tc.de))
			if !ok {
				t.Fatal("test point not projected")
			}
			checkFinite(t, s)
			tc.check(t, x, y, s)
		})
	}
}

func checkFinite(t *testing.T, s *Scene) {
	t.Helper()
	bad := func(v ...float64) bool {
		for _, f := range v {
			if !finite(f) {
				return true
			}
		}
		return false
	}
	for _, st := range s.Stars {
		if bad(st.X, st.Y, st.R) {
			t.Fatalf("star %+v", st)
		}
	}
	for _, l := range s.Lines {
		if bad(l.X1, l.Y1, l.X2, l.Y2) {
			t.Fatalf("line %+v", l)
		}
	}
	for _, l := range s.Labels {
		if bad(l.X, l.Y) {
			t.Fatalf("label %+v", l)
		}
	}
	for _, d := range s.DSOs {
		if bad(d.X, d.Y, d.RX, d.RY) {
			t.Fatalf("dso %+v", d)
		}
	}
	if bad(s.North.X, s.North.Y, s.East.X, s.East.Y, s.EyepieceR) {
		t.Fatalf("compass %v %v", s.North, s.East)
	}
}

func TestBuildRejects(t *testing.T) {
	nan := math.NaN()
	for _, o := range []Options{
		{CenterRA: nan},
		{CenterDec: nan},
		{CenterDec: 91},
		{CenterDec: -90.5},
		{Roll: math.Inf(1)},
		{FOV: nan},
		{FOV: -1},
		{Width: -5},
		{MagLimit: nan},
		{CameraFOV: -1},
		{EyepieceFOV: nan},
		{Target: &Mark{RA: 1, Dec: 95}},
		{Target: &Mark{RA: nan}},
	} {
		if _, err := Build(o); !errors.Is(err, ErrOptions) {
			t.Errorf("Build(%+v): err %v, want ErrOptions", o, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	s, err := Build(Options{FOV: 500, Width: 1, Height: 99999})
	if err != nil {
		t.Fatal(err)
	}
	if s.FOV != MaxFOV || s.Width != MinSize || s.Height != MaxSize {
		t.Errorf("clamped to %v° %dx%d", s.FOV, s.Width, s.Height)
	}
	for _, tc := range []struct{ fov, lo, hi float64 }{{60, 4.3, 4.7}, {20, 6.4, 6.6}, {5, 7.9, 8}, {120, 3, 4}} {
		if m := DefaultMagLimit(tc.fov); m < tc.lo || m > tc.hi {
			t.Errorf("DefaultMagLimit(%v) = %v, want %v..%v", tc.fov, m, tc.lo, tc.hi)
		}
	}
	s, _ = Build(Options{MagLimit: 20})
	if s.MagLimit > 8.01 {
		t.Errorf("MagLimit %v not capped at the catalogue", s.MagLimit)
	}
}

func svgOf(t testing.TB, o Options) string {
	t.Helper()
	s, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func parseXML(t *testing.T, doc string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("svg does not parse: %v", err)
		}
	}
}

func TestSVG(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want []string
	}{
		{"orion", Options{CenterRA: 83.8, CenterDec: -1, NorthUp: true}, []string{"<svg", `viewBox="0 0 512 512"`, ">Ori</text>", `data-con="Ori"`, "M 42", "</svg>"}},
		{"day with fields", Options{CenterRA: 83.8, CenterDec: -1, Roll: 30, NorthUp: true, Theme: Day, CameraFOV: 10, EyepieceFOV: 1, Target: &Mark{RA: 83.82, Dec: -5.39, Label: "M 42 <Orion & co>"}},
			[]string{`class="camera"`, `class="eyepiece"`, `class="target"`, "&lt;Orion &amp; co&gt;", `fill="#fff"`}},
		{"target outside", Options{CenterRA: 83.8, CenterDec: -1, Target: &Mark{RA: 279.23, Dec: 38.78, Label: "Vega"}}, []string{`class="arrow"`, "Vega"}},
		{"target behind", Options{CenterRA: 0, CenterDec: 0, Target: &Mark{RA: 180, Dec: 0, Label: "anti"}}, []string{`class="arrow"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := svgOf(t, tc.opt)
			parseXML(t, doc)
			for _, w := range tc.want {
				if !strings.Contains(doc, w) {
					t.Errorf("svg lacks %q", w)
				}
			}
			if strings.Contains(doc, "NaN") || strings.Contains(doc, "Inf") {
				t.Error("svg has a non-finite number")
			}
		})
	}
}

func TestTargetArrowOnEdge(t *testing.T) {
	s, err := Build(Options{CenterRA: 83.8, CenterDec: -1, NorthUp: true, Target: &Mark{RA: 83.8, Dec: 40}})
	if err != nil {
		t.Fatal(err)
	}
	tg := s.Target
	if tg.Inside || tg.DY > -0.99 || tg.Y > 20 || math.Abs(tg.X-256) > 1 {
		t.Errorf("target to the north: %+v, want an arrow at the top edge pointing up", tg)
	}
	if math.Abs(tg.Dist-41) > 0.01 {
		t.Errorf("distance %v, want 41", tg.Dist)
	}
}

func TestSVGSize(t *testing.T) {
	for _, c := range []Options{
		{CenterRA: 83.8, CenterDec: -1},
		{CenterRA: 266.4, CenterDec: -29, Roll: 10}, // galactic centre, crowded
		{CenterRA: 187, CenterDec: 12},              // Virgo galaxies
	} {
		doc := svgOf(t, c)
		t.Logf("RA %v Dec %v: %d bytes", c.CenterRA, c.CenterDec, len(doc))
		if len(doc) >= 60<<10 {
			t.Errorf("svg is %d bytes, want < 60 KB", len(doc))
		}
	}
}

func TestStarCap(t *testing.T) {
	s, err := Build(Options{CenterRA: 266.4, CenterDec: -29, FOV: 120, MagLimit: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Stars) != MaxStars {
		t.Errorf("%d stars, want the cap %d", len(s.Stars), MaxStars)
	}
	for i := 1; i < len(s.Stars); i++ {
		if s.Stars[i].Mag < s.Stars[i-1].Mag {
			t.Fatal("stars not brightest first")
		}
	}
}

func TestDraw(t *testing.T) {
	for _, th := range []Theme{Night, Day} {
		s, err := Build(Options{CenterRA: betelRA, CenterDec: betelDec, Width: 128, Height: 128, Theme: th, Target: &Mark{RA: 0, Dec: 0}, CameraFOV: 10, EyepieceFOV: 2})
		if err != nil {
			t.Fatal(err)
		}
		img := image.NewRGBA(image.Rect(0, 0, 128, 128))
		s.Draw(img)
		bg := img.RGBAAt(0, 0)
		if th == Night && (bg.R|bg.G|bg.B) != 0 {
			t.Errorf("night background %v, want black", bg)
		}
		lit := 0
		for y := 62; y <= 65; y++ {
			for x := 62; x <= 65; x++ {
				if img.RGBAAt(x, y) != bg {
					lit++
				}
			}
		}
		if lit == 0 {
			t.Errorf("theme %d: no star pixels at the centre", th)
		}
		if th == Night {
			for i := 0; i < len(img.Pix); i += 4 {
				if img.Pix[i+1] > img.Pix[i] || img.Pix[i+2] > img.Pix[i] {
					t.Fatal("night raster is not red only")
				}
			}
		}
		// A generic draw.Image, offset and scaled.
		g := image.NewGray(image.Rect(10, 10, 74, 74))
		s.Draw(g)
		if g.GrayAt(42, 42).Y == g.GrayAt(10, 10).Y {
			t.Errorf("theme %d: gray raster has no centre star", th)
		}
	}
}

func FuzzBuild(f *testing.F) {
	f.Add(88.793, 7.407, 0.0, 20.0)
	f.Add(0.0, 90.0, 45.0, 120.0)
	f.Add(359.9, -90.0, -720.0, 1.0)
	f.Add(1e300, 89.9999, 1e300, 0.0)
	f.Fuzz(func(t *testing.T, ra, dec, roll, fov float64) {
		s, err := Build(Options{CenterRA: ra, CenterDec: dec, Roll: roll, FOV: fov, Width: 200, Height: 150,
			CameraFOV: fov / 2, EyepieceFOV: 1, Target: &Mark{RA: ra + 30, Dec: 0, Label: "t"}})
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := s.WriteSVG(&b); err != nil {
			t.Fatal(err)
		}
		if doc := b.String(); strings.Contains(doc, "NaN") || strings.Contains(doc, "Inf") {
			t.Fatalf("non-finite number in svg for %v %v %v %v", ra, dec, roll, fov)
		}
		s.Draw(image.NewRGBA(image.Rect(0, 0, 32, 32)))
	})
}

func BenchmarkBuildSVG(b *testing.B) {
	o := Options{CenterRA: 83.8, CenterDec: -1, FOV: 20, Width: 512, Height: 512, CameraFOV: 10, Target: &Mark{RA: 83.82, Dec: -5.39, Label: "M 42"}}
	if _, err := Build(o); err != nil {
		b.Fatal(err)
	}
	var n int
	b.ReportAllocs()
	for b.Loop() {
		s, _ := Build(o)
		var w countWriter
		_ = s.WriteSVG(&w)
		n = int(w)
	}
	b.ReportMetric(float64(n), "svg-bytes")
}

func BenchmarkDraw128(b *testing.B) {
	s, err := Build(Options{CenterRA: 83.8, CenterDec: -1, Width: 128, Height: 128, CameraFOV: 10})
	if err != nil {
		b.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 128, 128))
	b.ReportAllocs()
	for b.Loop() {
		s.Draw(img)
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
