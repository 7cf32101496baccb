package geom

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRollConvention(t *testing.T) {
	cam := Camera{W: 512, H: 512, FOV: 10}
	cases := []struct {
		name string
		roll float64
		// pixel where a star 1° north of the boresight lands, relative to centre
		dx, dy float64 // signs only
	}{
		{"north up", 0, 0, -1},
		{"north left (ccw 90)", 90, -1, 0},
		{"north down", 180, 0, 1},
		{"north right", 270, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := Attitude{RA: 40, Dec: 20, Roll: tc.roll}
			x, y, ok := Project(a, cam, 40, 21)
			if !ok {
				t.Fatal("behind camera")
			}
			gx, gy := sign(x-256), sign(y-256)
			if gx != tc.dx || gy != tc.dy {
				t.Errorf("north star at (%.2f, %.2f), want direction (%v, %v)", x, y, tc.dx, tc.dy)
			}
		})
	}
	// East is on the left when north is up (sky seen from the ground).
	x, _, _ := Project(Attitude{RA: 40, Dec: 20}, cam, 41, 20)
	if x >= 256 {
		t.Errorf("east star at x=%.2f, want left of centre", x)
	}
}

func sign(v float64) float64 {
	switch {
	case v > 1e-6:
		return 1
	case v < -1e-6:
		return -1
	}
	return 0
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cam := Camera{W: 1024, H: 768, FOV: 11.4}
	for i := 0; i < 1000; i++ {
		a := Attitude{RA: rng.Float64() * 360, Dec: math.Asin(2*rng.Float64()-1) / deg, Roll: rng.Float64() * 360}
		b := AttitudeOf(a.Rotation())
		if Separation(a.RA, a.Dec, b.RA, b.Dec) > 1e-9 || math.Abs(math.Remainder(a.Roll-b.Roll, 360)) > 1e-7 {
			t.Fatalf("attitude round trip %+v -> %+v", a, b)
		}
		px, py := rng.Float64()*1024, rng.Float64()*768
		ra, dec := Unproject(a, cam, px, py)
		x, y, ok := Project(a, cam, ra, dec)
		if !ok || math.Hypot(x-px, y-py) > 1e-7 {
			t.Fatalf("pixel round trip (%v,%v) -> (%v,%v)", px, py, x, y)
		}
	}
}

func TestCentreAndScale(t *testing.T) {
	cam := Camera{W: 512, H: 512, FOV: 10}
	a := Attitude{RA: 100, Dec: -30, Roll: 33}
	ra, dec := Unproject(a, cam, 256, 256)
	if Separation(ra, dec, 100, -30) > 1e-9 {
		t.Errorf("centre at (%v, %v)", ra, dec)
	}
	// Edge to edge through the centre is the FOV.
	ra1, dec1 := Unproject(a, cam, 0, 256)
	ra2, dec2 := Unproject(a, cam, 512, 256)
	if got := Separation(ra1, dec1, ra2, dec2); math.Abs(got-10) > 1e-9 {
		t.Errorf("edge-to-edge %v, want 10", got)
	}
}
