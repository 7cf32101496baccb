package solver

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
	"github.com/pifinder-go/pifinder/solver/detect"
)

// renderSky returns the renderer's sky over hip8.csv, or skips.
func renderSky(t *testing.T) *render.Sky {
	stars, err := starcat.Load("../../shared/catalog/hip8.csv")
	if err != nil {
		t.Skipf("catalogue not available (%v): rendered-frame tests need ../shared/catalog/hip8.csv", err)
	}
	return render.NewSky(stars, 2026)
}

// TestRenderedFrames renders random attitudes over the whole sky with
// realistic noise, detects and solves them blind: at least 99.5% must solve
// and none may be wrong (centre more than 2 px from the truth).
func TestRenderedFrames(t *testing.T) {
	sky := renderSky(t)
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	n := 1000
	if testing.Short() {
		n = 50
	}
	det := detect.New(detect.DefaultOptions())
	for _, fov := range []float64{10.2, 13.7} {
		rng := rand.New(rand.NewPCG(11, uint64(fov*10)))
		solved, wrong, few := 0, 0, 0
		var frame render.Frame
		for i := 0; i < n; i++ {
			o := render.DefaultOptions()
			o.FOVDeg = fov
			o.Attitude = randomAttitude(rng)
			o.Seed = uint64(i + 1)
			o.HotPixels = rng.IntN(8)
			o.ExposureUS = 200000 + rng.Float64()*400000
			if err := sky.RenderInto(o, &frame); err != nil {
				t.Fatal(err)
			}
			dr, err := det.Detect(frame.Gray)
			if err != nil {
				t.Fatal(err)
			}
			r := s.Solve(context.Background(), Request{Centroids: centroidsOf(dr.Stars), Width: o.Width, Height: o.Height})
			if r.Status != StatusMatch {
				if len(dr.Stars) < 6 {
					few++
				}
				t.Logf("fov %.1f frame %d: %v with %d detections", fov, i, r.Status, len(dr.Stars))
				continue
			}
			px := geom.Separation(r.RA, r.Dec, o.Attitude.RA, o.Attitude.Dec) * float64(o.Width) / fov
			if px > 2 {
				wrong++
				t.Errorf("fov %.1f frame %d: wrong solution, centre %.1f px off (prob %.2g, %d matches)", fov, i, px, r.Prob, r.Matches)
				continue
			}
			solved++
		}
		t.Logf("fov %.1f: solved %d/%d (%.2f%%), wrong %d, unsolved with < 6 detections %d", fov, solved, n, 100*float64(solved)/float64(n), wrong, few)
		if float64(solved) < 0.995*float64(n) {
			t.Errorf("fov %.1f: solved %d/%d, want >= 99.5%%", fov, solved, n)
		}
	}
}
