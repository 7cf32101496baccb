package solver

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// perturb moves an attitude by about sep degrees in a random direction and
// changes the roll by up to droll degrees.
func perturb(rng *rand.Rand, a geom.Attitude, sep, droll float64) geom.Attitude {
	th := rng.Float64() * 2 * math.Pi
	dec := a.Dec + sep*math.Sin(th)
	ra := a.RA + sep*math.Cos(th)/math.Max(0.05, math.Cos(a.Dec*math.Pi/180))
	if dec > 89.9 {
		dec = 89.9
	}
	if dec < -89.9 {
		dec = -89.9
	}
	return geom.Attitude{RA: geom.NormDeg(ra), Dec: dec, Roll: geom.NormDeg(a.Roll + (2*rng.Float64()-1)*droll)}
}

func TestTracking(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	stars := testStars(t, s)
	cases := []struct {
		name         string
		sep, droll   float64
		mag          float64
		keep         int // keep only the brightest n centroids (0 = all)
		wantTracking bool
	}{
		{"exact prior", 0, 0, 7.3, 0, true},
		{"IMU drift 0.3 deg", 0.3, 0.5, 7.3, 0, true},
		{"IMU drift 1 deg", 1.0, 1, 7.3, 0, true},
		{"three stars", 0.1, 0.2, 7.3, 3, true},
		{"wrong prior falls back", 30, 0, 7.3, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			solved, tracked, n := 0, 0, 40
			for i := 0; i < n; i++ {
				att := randomAttitude(rng)
				c := synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: 10.2, magLimit: tc.mag, noisePx: 0.3, drop: 0.05, magNoise: 0.2})
				if tc.keep > 0 && len(c) > tc.keep {
					c = c[:tc.keep]
				}
				prior := &Prior{Attitude: perturb(rng, att, tc.sep, tc.droll), FOV: 10.2 * (1 + 0.002*(2*rng.Float64()-1))}
				r := s.Solve(context.Background(), Request{Centroids: c, Width: 512, Height: 512, Prior: prior, FOVEstimate: 10.2})
				if r.Status != StatusMatch || r.Mode != "tracking" {
					if testing.Verbose() && tc.wantTracking {
						t.Logf("not tracked: %v %s, %d stars", r.Status, r.Mode, len(c))
					}
				}
				if r.Status != StatusMatch {
					continue
				}
				if d := geom.Separation(r.RA, r.Dec, att.RA, att.Dec) * 3600 / (10.2 * 3600 / 512); d > 2 {
					t.Errorf("wrong solution: centre %.1f px from the truth, want ≤ 2 px (mode %s, %d stars)", d, r.Mode, len(c))
					continue
				}
				solved++
				if r.Mode == "tracking" {
					tracked++
				}
			}
			t.Logf("%s: solved %d/%d, by tracking %d", tc.name, solved, n, tracked)
			if tc.wantTracking && tracked < n*9/10 {
				t.Errorf("tracking solved %d/%d, want >= 90%%", tracked, n)
			}
			if !tc.wantTracking && tracked > 0 {
				t.Errorf("a prior 30° off was accepted by tracking %d times, want 0 (lost-in-space must take over)", tracked)
			}
			if tc.keep == 0 && solved < n*95/100 {
				t.Errorf("solved %d/%d, want ≥ 95%%", solved, n)
			}
		})
	}
}
