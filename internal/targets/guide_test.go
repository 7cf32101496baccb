package targets

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

var (
	brussels = astro.Observer{LatDeg: 50.85, LonDeg: 4.35, HeightM: 60}
	evening  = time.Date(2026, 12, 24, 20, 0, 0, 0, time.UTC)
)

// fromAltAz returns the J2000 RA/Dec seen at (alt, az) from the site:
// spherical horizon → hour angle/Dec of date, then astro.J2000FromJNow.
// It leaves out aberration (≤ 20″), far below the tolerances here.
func fromAltAz(alt, az float64, site astro.Observer, t time.Time) (ra, dec float64) {
	sa, ca := math.Sincos(alt * d2r)
	sA, cA := math.Sincos(az * d2r)
	sp, cp := math.Sincos(site.LatDeg * d2r)
	dec = math.Asin(sp*sa+cp*ca*cA) * r2d
	ha := math.Atan2(-sA*ca, cp*sa-sp*ca*cA) * r2d
	return astro.J2000FromJNow(normDeg(astro.LocalSiderealTime(site.LonDeg, t)-ha), dec, t)
}

func TestGuideAltAzSigns(t *testing.T) {
	for _, c := range []struct {
		name                 string
		pAlt, pAz, tAlt, tAz float64
		wantAz, wantAlt      float64
		wantH, wantV         string
	}{
		{"right", 40, 100, 40, 110, 10, 0, "right", ""},
		{"left", 40, 110, 40, 100, -10, 0, "left", ""},
		{"right across north", 30, 355, 30, 5, 10, 0, "right", ""},
		{"left across north", 30, 5, 30, 355, -10, 0, "left", ""},
		{"shorter way is left", 30, 10, 30, 200, -170, 0, "left", ""},
		{"up", 30, 200, 40, 200, 0, 10, "", "up"},
		{"down", 40, 200, 25, 200, 0, -15, "", "down"},
		{"near zenith", 89.5, 0, 89, 90, 90, -0.5, "right", "down"},
		{"across the zenith", 89.8, 10, 89.5, 120, 110, -0.3, "right", "down"},
		{"low in the south", 2, 180, 5, 170, -10, 3, "left", "up"},
	} {
		pra, pdec := fromAltAz(c.pAlt, c.pAz, brussels, evening)
		tra, tdec := fromAltAz(c.tAlt, c.tAz, brussels, evening)
		g, err := Guide(GuideInput{Aligned: geom.Attitude{RA: pra, Dec: pdec}, TargetRA: tra, TargetDec: tdec,
			Site: brussels, Time: evening, Mount: AltAz})
		if err != nil {
			t.Fatal(err)
		}
		h, v := g.Directions()
		// 0.02° covers the aberration fromAltAz leaves out; at 89.8° the
		// azimuth of a point moves 0.02°/(90°−alt) per unit, so allow more.
		tolAz := 0.02 / math.Cos(math.Max(c.pAlt, c.tAlt)*d2r)
		if math.Abs(wrap180(g.AzimuthDeg-c.wantAz)) > tolAz || math.Abs(g.AltitudeDeg-c.wantAlt) > 0.02 || h != c.wantH || v != c.wantV {
			t.Errorf("%s: az %+.3f° alt %+.3f° (%q %q); want %+.1f° %+.1f° (%q %q)", c.name, g.AzimuthDeg, g.AltitudeDeg, h, v, c.wantAz, c.wantAlt, c.wantH, c.wantV)
		}
		want := geom.Separation(pra, pdec, tra, tdec)
		if math.Abs(g.SeparationDeg-want) > 1e-9 {
			t.Errorf("%s: separation %v, want %v", c.name, g.SeparationDeg, want)
		}
	}
}

func TestGuideEquatorialSigns(t *testing.T) {
	for _, c := range []struct {
		name                 string
		pRA, pDec, tRA, tDec float64 // true equator of date
		wantRA, wantDec      float64
		wantH, wantV         string
	}{
		{"east", 100, 20, 110, 20, 10, 0, "east", ""},
		{"west", 110, 20, 100, 20, -10, 0, "west", ""},
		{"east across RA 0", 358, 10, 2, 10, 4, 0, "east", ""},
		{"west across RA 0", 2, 10, 358, 10, -4, 0, "west", ""},
		{"north", 50, -10, 50, 5, 0, 15, "", "north"},
		{"south", 50, 5, 50, -10, 0, -15, "", "south"},
		{"near the pole", 0, 89, 90, 89.5, 90, 0.5, "east", "north"},
		{"round the pole west", 350, 88, 200, 88, -150, 0, "west", ""},
		{"south pole", 10, -89, 300, -88, -70, 1, "west", "north"},
	} {
		pra, pdec := astro.J2000FromJNow(c.pRA, c.pDec, evening)
		tra, tdec := astro.J2000FromJNow(c.tRA, c.tDec, evening)
		g, err := Guide(GuideInput{Aligned: geom.Attitude{RA: pra, Dec: pdec}, TargetRA: tra, TargetDec: tdec,
			Time: evening, Mount: Equatorial})
		if err != nil {
			t.Fatal(err)
		}
		h, v := g.Directions()
		if math.Abs(g.RADeg-c.wantRA) > 1e-6 || math.Abs(g.DecDeg-c.wantDec) > 1e-6 || h != c.wantH || v != c.wantV {
			t.Errorf("%s: RA %+.4f° Dec %+.4f° (%q %q); want %+.1f° %+.1f° (%q %q)", c.name, g.RADeg, g.DecDeg, h, v, c.wantRA, c.wantDec, c.wantH, c.wantV)
		}
	}
}

func TestGuideFrameAngle(t *testing.T) {
	for _, c := range []struct {
		name      string
		roll      float64
		dRA, dDec float64
		want      float64
	}{
		{"north is up at roll 0", 0, 0, 1, 0},
		{"east is left at roll 0", 0, 1, 0, 90},
		{"south is down", 0, 0, -1, 180},
		{"west is right", 0, -1, 0, 270},
		{"north at roll 90", 90, 0, 1, 90},
		{"east at roll 90", 90, 1, 0, 180},
		{"north at roll 300", 300, 0, 1, 300},
	} {
		g, err := Guide(GuideInput{Aligned: geom.Attitude{RA: 120, Dec: 10, Roll: c.roll},
			TargetRA: 120 + c.dRA*0.5, TargetDec: 10 + c.dDec*0.5, Mount: Equatorial, Time: evening})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(wrap180(g.FrameAngleDeg-c.want)) > 0.1 {
			t.Errorf("%s: frame angle %.2f°, want %.0f°", c.name, g.FrameAngleDeg, c.want)
		}
	}
	// The direction agrees with where geom.Project draws the target, for
	// any roll and position (including near the poles and across RA 0).
	r := rand.New(rand.NewPCG(1, 2))
	cam := geom.Camera{W: 512, H: 512, FOV: 10}
	for range 500 {
		a := geom.Attitude{RA: r.Float64() * 360, Dec: r.Float64()*178 - 89, Roll: r.Float64() * 360}
		tra, tdec := geom.Unproject(a, cam, r.Float64()*512, r.Float64()*512)
		x, y, _ := geom.Project(a, cam, tra, tdec)
		g, err := Guide(GuideInput{Aligned: a, Camera: a, Frame: cam, TargetRA: tra, TargetDec: tdec, Mount: Equatorial, Time: evening})
		if err != nil {
			t.Fatal(err)
		}
		dx, dy := x-256, y-256
		if n := math.Hypot(dx, dy); n > 1 {
			if math.Abs(dx/n-g.FrameDX) > 1e-6 || math.Abs(dy/n-g.FrameDY) > 1e-6 {
				t.Fatalf("attitude %+v: direction (%.4f, %.4f), projected (%.4f, %.4f)", a, g.FrameDX, g.FrameDY, dx/n, dy/n)
			}
		}
		if !g.InField || math.Abs(g.PixelX-x) > 1e-9 || math.Abs(g.PixelY-y) > 1e-9 {
			t.Fatalf("attitude %+v: in field %v at (%v, %v), want (%v, %v)", a, g.InField, g.PixelX, g.PixelY, x, y)
		}
	}
}

func TestGuideInField(t *testing.T) {
	cam := geom.Camera{W: 512, H: 512, FOV: 10}
	centre := geom.Attitude{RA: 100, Dec: 20, Roll: 30}
	// An aligned eyepiece at pixel (300, 200): guidance is from there.
	ara, adec := geom.Unproject(centre, cam, 300, 200)
	aligned := geom.Attitude{RA: ara, Dec: adec, Roll: centre.Roll}
	for _, c := range []struct {
		name    string
		ra, dec float64
		in      bool
		x, y    float64
	}{
		{"on the eyepiece axis", ara, adec, true, 300, 200},
		{"at the image centre", 100, 20, true, 256, 256},
		{"outside the frame", 100, 28, false, 0, 0},
		{"behind the camera", 280, -20, false, 0, 0},
	} {
		g, err := Guide(GuideInput{Aligned: aligned, Camera: centre, Frame: cam, TargetRA: c.ra, TargetDec: c.dec, Site: brussels, Time: evening})
		if err != nil {
			t.Fatal(err)
		}
		if g.InField != c.in || (c.in && (math.Abs(g.PixelX-c.x) > 1e-6 || math.Abs(g.PixelY-c.y) > 1e-6)) {
			t.Errorf("%s: in field %v at (%.3f, %.3f); want %v (%v, %v)", c.name, g.InField, g.PixelX, g.PixelY, c.in, c.x, c.y)
		}
		if c.name == "on the eyepiece axis" && g.SeparationDeg > 1e-9 {
			t.Errorf("separation on axis %v", g.SeparationDeg)
		}
	}
	// No frame: never in the field.
	if g, _ := Guide(GuideInput{Aligned: aligned, TargetRA: ara, TargetDec: adec, Site: brussels, Time: evening}); g.InField {
		t.Error("in field without a frame")
	}
}

func TestGuideBadInput(t *testing.T) {
	ok := GuideInput{Aligned: geom.Attitude{RA: 1, Dec: 2}, TargetRA: 3, TargetDec: 4, Site: brussels, Time: evening}
	for _, mut := range []func(*GuideInput){
		func(g *GuideInput) { g.Aligned.RA = math.NaN() },
		func(g *GuideInput) { g.Aligned.Dec = 91 },
		func(g *GuideInput) { g.TargetDec = -90.5 },
		func(g *GuideInput) { g.TargetRA = math.Inf(1) },
		func(g *GuideInput) { g.Aligned.Roll = math.NaN() },
		func(g *GuideInput) { g.Mount = 7 },
		func(g *GuideInput) { g.Site.LatDeg = 120 },
	} {
		in := ok
		mut(&in)
		if _, err := Guide(in); !errors.Is(err, ErrGuideInput) {
			t.Errorf("%+v: err = %v", in, err)
		}
	}
	if _, err := Guide(ok); err != nil {
		t.Error(err)
	}
}

func TestParseMount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Mount
		ok   bool
	}{{"altaz", AltAz, true}, {"Alt/Az", AltAz, true}, {"dobsonian", AltAz, true}, {"EQ", Equatorial, true},
		{"equatorial", Equatorial, true}, {"GEM", Equatorial, true}, {"fork", 0, false}, {"", 0, false}} {
		m, err := ParseMount(c.in)
		if (err == nil) != c.ok || (c.ok && m != c.want) {
			t.Errorf("ParseMount(%q) = %v, %v", c.in, m, err)
		}
		if c.ok {
			if back, err := ParseMount(m.String()); err != nil || back != m {
				t.Errorf("ParseMount(%q) round trip: %v %v", m.String(), back, err)
			}
		}
	}
}
