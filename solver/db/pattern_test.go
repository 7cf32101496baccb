package db

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// A pattern perturbed by less than the tolerance is always in a probed bucket.
func TestProbeBucketsCoverTolerance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const bins, buckets, tol = 40, 1 << 16, 0.01
	for i := 0; i < 2000; i++ {
		var r, q [5]float64
		for j := range r {
			r[j] = rng.Float64()
			q[j] = math.Min(1, math.Max(0, r[j]+(2*rng.Float64()-1)*tol))
		}
		probe := ProbeBuckets(nil, r, tol, bins, buckets)
		if len(probe) > 32 {
			t.Fatalf("%d probes", len(probe))
		}
		if !slices.Contains(probe, KeyBucket(q, bins, buckets)) {
			t.Fatalf("ratios %v perturbed to %v: bucket not probed", r, q)
		}
	}
}

func TestFingerprint(t *testing.T) {
	r := [5]float64{0, 0.1234, 0.5, 0.87654, 1}
	fp := Fingerprint(r)
	for i, v := range r {
		if got := FPRatio(fp, i); math.Abs(got-v) > 0.5/FPScale+1e-12 {
			t.Errorf("ratio %d: %g, want %g", i, got, v)
		}
	}
}

func TestRatiosScaleInvariant(t *testing.T) {
	v := [4][3]float64{{0, 0, 1}, {0.01, 0, 1}, {0, 0.02, 1}, {0.015, 0.012, 1}}
	for i := range v {
		n := math.Sqrt(v[i][0]*v[i][0] + v[i][1]*v[i][1] + 1)
		v[i] = [3]float64{v[i][0] / n, v[i][1] / n, v[i][2] / n}
	}
	r, l := Ratios(Chords(&v))
	if l <= 0 || r[4] > 1 || r[0] < 0 {
		t.Fatalf("ratios %v largest %g", r, l)
	}
	for i := 1; i < 5; i++ {
		if r[i] < r[i-1] {
			t.Fatalf("ratios not sorted: %v", r)
		}
	}
}
