package solver

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/solver/detect"
)

// TestNegatives feeds frames without a real star field to the solver: pure
// noise, random dots, hot pixels only, and the 3 brightest stars of a
// rendered frame with a wrong prior. None may solve. It also records the
// lowest false-match probability any rejected hypothesis reached: the
// calibration margin below which the acceptance threshold must stay.
func TestNegatives(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	per := 250
	if testing.Short() {
		per = 12
	}
	det := detect.New(detect.DefaultOptions())
	rng := rand.New(rand.NewPCG(21, 22))
	minProb := 1.0
	check := func(kind string, i int, req Request) {
		r := s.Solve(context.Background(), req)
		if r.Status == StatusMatch {
			t.Errorf("%s %d: solved a negative: %+v", kind, i, r)
			return
		}
		minProb = math.Min(minProb, r.Prob)
	}
	var frame render.Frame
	for i := 0; i < per; i++ {
		o := render.DefaultOptions()
		o.Seed = uint64(1000 + i)
		o.GradientADU = rng.Float64() * 20
		f, err := render.Noise(o)
		if err != nil {
			t.Fatal(err)
		}
		dr, _ := det.Detect(f.Gray)
		check("noise", i, Request{Centroids: centroidsOf(dr.Stars), Width: 512, Height: 512})

		o.HotPixels = 20 + rng.IntN(200)
		f, err = render.Noise(o)
		if err != nil {
			t.Fatal(err)
		}
		dr, _ = det.Detect(f.Gray)
		check("hot pixels", i, Request{Centroids: centroidsOf(dr.Stars), Width: 512, Height: 512})

		// Random dots: PiFinder always passes the lens FOV; every fourth
		// frame is solved blind (the slowest, widest search).
		n := 4 + rng.IntN(60)
		c := make([]Centroid, n)
		for j := range c {
			c[j] = Centroid{X: rng.Float64() * 512, Y: rng.Float64() * 512, Brightness: float64(n - j)}
		}
		req := Request{Centroids: c, Width: 512, Height: 512, FOVEstimate: 10.2 + 3.5*float64(i%2)}
		if i%4 == 0 {
			req.FOVEstimate = 0
		}
		check("random dots", i, req)
	}
	sky := renderSky(t)
	for i := 0; i < per; i++ {
		o := render.DefaultOptions()
		o.Attitude = randomAttitude(rng)
		o.Seed = uint64(5000 + i)
		if err := sky.RenderInto(o, &frame); err != nil {
			t.Fatal(err)
		}
		dr, _ := det.Detect(frame.Gray)
		c := centroidsOf(dr.Stars)
		if len(c) > 3 {
			c = c[:3]
		}
		prior := &Prior{Attitude: randomAttitude(rng), FOV: o.FOVDeg}
		check("3 stars, wrong prior", i, Request{Centroids: c, Width: 512, Height: 512, Prior: prior})
	}
	t.Logf("%d negatives, none solved; lowest false-match probability reached %.3g (threshold %.0e)", 4*per, minProb, s.Threshold)
	if minProb < 10*s.Threshold {
		t.Errorf("a negative reached prob %.3g, within 10x of the threshold %.0e: recalibrate", minProb, s.Threshold)
	}
}
