package solver

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/solver/db"

	"github.com/pifinder-go/pifinder/solver/geom"
)

func TestScratchSynth(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	stars := testStars(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, fov := range []float64{10.2} {
		ok, wrong, n := 0, 0, 30
		var tt time.Duration
		for i := 0; i < n; i++ {
			att := randomAttitude(rng)
			c := synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: fov, magLimit: 7.5, noisePx: 0.3, drop: 0.05, falseN: 2, magNoise: 0.2})
			r := s.Solve(context.Background(), Request{Centroids: c, Width: 512, Height: 512})
			tt += r.TSolve
			if i < 8 {
				t.Logf("tried %d verified %d matches %d prob %.2g n %d", r.PatternsTried, r.CandidatesVerified, r.Matches, r.Prob, len(c))
			}
			if r.Status == StatusMatch {
				if geom.Separation(r.RA, r.Dec, att.RA, att.Dec) > 2*fov/512 {
					wrong++
				} else {
					ok++
				}
			} else if i < 5 {
				t.Logf("fov %.1f fail %v stars %d tried %d verified %d", fov, r.Status, len(c), r.PatternsTried, r.CandidatesVerified)
			}
		}
		t.Logf("fov %.1f: ok %d wrong %d of %d, mean %v", fov, ok, wrong, n, tt/time.Duration(n))
	}
}

func BenchmarkScratch(b *testing.B) {
	s, _ := Default()
	stars := testStars(b, s)
	rng := rand.New(rand.NewPCG(1, 2))
	var reqs []Request
	for i := 0; i < 50; i++ {
		att := randomAttitude(rng)
		c := synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: 10.2, magLimit: 7.5, noisePx: 0.3, drop: 0.05, falseN: 2, magNoise: 0.2})
		reqs = append(reqs, Request{Centroids: c, Width: 512, Height: 512, FOVEstimate: 10.2})
	}
	b.Run("hint", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			s.Solve(context.Background(), reqs[i%len(reqs)])
		}
	})
	b.Run("blind", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			r := reqs[i%len(reqs)]
			r.FOVEstimate = 0
			s.Solve(context.Background(), r)
		}
	})
}

func TestScratchCount(t *testing.T) {
	s, _ := Default()
	stars := testStars(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	tv, tt, st1 := 0, 0, 0
	for i := 0; i < 50; i++ {
		att := randomAttitude(rng)
		c := synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: 10.2, magLimit: 7.5, noisePx: 0.3, drop: 0.05, falseN: 2, magNoise: 0.2})
		r := s.Solve(context.Background(), Request{Centroids: c, Width: 512, Height: 512, FOVEstimate: 10.2})
		tv += r.CandidatesVerified
		tt += r.PatternsTried
		st1 += len(c)
	}
	t.Logf("avg verified %.2f tried %.2f stars %.1f", float64(tv)/50, float64(tt)/50, float64(st1)/50)
}

func TestScratchNeg(t *testing.T) {
	s, _ := Default()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, hint := range []float64{0, 10.2} {
		tv, tt, sol := 0, 0, 0
		var dur time.Duration
		minP := 1.0
		for i := 0; i < 50; i++ {
			var c []Centroid
			for j := 0; j < 40; j++ {
				c = append(c, Centroid{X: rng.Float64() * 512, Y: rng.Float64() * 512, Brightness: float64(100 - j)})
			}
			r := s.Solve(context.Background(), Request{Centroids: c, Width: 512, Height: 512, FOVEstimate: hint})
			tv += r.CandidatesVerified
			tt += r.PatternsTried
			dur += r.TSolve
			if r.Status == StatusMatch {
				sol++
				minP = min(minP, r.Prob)
			}
		}
		t.Logf("hint %v: solved %d (min prob %g) avg verified %.2f tried %.2f time %v", hint, sol, minP, float64(tv)/50, float64(tt)/50, dur/50)
	}
}

func TestScratchLookup(t *testing.T) {
	s, _ := Default()
	rng := rand.New(rand.NewPCG(3, 4))
	hd := &s.db.Header
	var probe []uint32
	tot, nb := 0, 0
	for i := 0; i < 2000; i++ {
		var v [4][3]float64
		for j := range v {
			v[j] = unit(vec3{(rng.Float64() - 0.5) * 0.18, (rng.Float64() - 0.5) * 0.18, 1})
		}
		r, _ := db.Ratios(db.Chords(&v))
		probe = db.ProbeBuckets(probe[:0], r, 0.008, int(hd.KeyBins), hd.Buckets)
		nb += len(probe)
		for _, b := range probe {
			tot += int(s.db.Offsets[b+1] - s.db.Offsets[b])
		}
	}
	t.Logf("bins %d: avg probes %.1f, patterns examined %.1f", hd.KeyBins, float64(nb)/2000, float64(tot)/2000)
}

func TestScratchRobust(t *testing.T) {
	s, _ := Default()
	stars := testStars(t, s)
	t.Logf("patterns %d", s.db.Header.Patterns)
	for _, fc := range []struct{ fov, mag float64 }{{8.3, 7.5}, {10.2, 7.3}, {13.7, 7.0}, {17.8, 6.7}, {22.2, 6.5}} {
		rng := rand.New(rand.NewPCG(5, uint64(fc.fov*10)))
		ok, wrong, n := 0, 0, 300
		var tt time.Duration
		tv := 0
		for i := 0; i < n; i++ {
			att := randomAttitude(rng)
			c := synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: fc.fov, magLimit: fc.mag, noisePx: 0.3, drop: 0.05, falseN: 3, magNoise: 0.3})
			r := s.Solve(context.Background(), Request{Centroids: c, Width: 512, Height: 512})
			tt += r.TSolve
			tv += r.CandidatesVerified
			if r.Status == StatusMatch {
				if geom.Separation(r.RA, r.Dec, att.RA, att.Dec) > 2*fc.fov/512 {
					wrong++
				} else {
					ok++
				}
			} else {
				t.Logf("fail: %d stars, tried %d verified %d status %v", len(c), r.PatternsTried, r.CandidatesVerified, r.Status)
			}
		}
		t.Logf("fov %.1f: ok %d wrong %d of %d, mean %v verified %.1f", fc.fov, ok, wrong, n, tt/time.Duration(n), float64(tv)/float64(n))
	}
}
