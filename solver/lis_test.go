package solver

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pifinder-go/pifinder/solver/db"
)

// TestProbeMatchesDB checks that the multi-guess bucket probe reads
// exactly the buckets db.ProbeBuckets gives for each guess's window, each
// once: keyBin must quantise as the database does.
func TestProbeMatchesDB(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	hd := &s.db.Header
	bins := int(hd.KeyBins)
	rng := rand.New(rand.NewPCG(7, 7))
	sc := new(scratch)
	cases := []struct {
		name   string
		keys   int
		spread float64 // how far the guesses' ratios drift apart
	}{
		{"one guess", 1, 0},
		{"six close guesses", 6, 0.01},
		{"six spread guesses", 6, 0.08}, // bounding box too big: per-guess boxes
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for it := 0; it < 2000; it++ {
				var r0 [5]float64
				for i := range r0 {
					r0[i] = rng.Float64()
				}
				slices.Sort(r0[:])
				keys := make([]guessKey, tc.keys)
				var blo, bhi [5]int
				var want []uint32
				for j := range keys {
					tol := rng.Float64() * 0.5 / float64(bins)
					var r [5]float64
					for i := range r {
						r[i] = r0[i] + (rng.Float64()-0.5)*tc.spread
					}
					k := &keys[j]
					for i := range r {
						k.lo[i], k.hi[i] = keyBin(r[i]-tol, bins), keyBin(r[i]+tol, bins)
						if j == 0 {
							blo[i], bhi[i] = k.lo[i], k.hi[i]
						} else {
							blo[i], bhi[i] = min(blo[i], k.lo[i]), max(bhi[i], k.hi[i])
						}
					}
					want = db.ProbeBuckets(want, r, tol, bins, hd.Buckets)
				}
				slices.Sort(want)
				want = slices.Compact(want)
				s.probeKeys(sc, keys, blo, bhi)
				got := slices.Clone(sc.probe)
				slices.Sort(got)
				if len(slices.Compact(slices.Clone(got))) != len(got) {
					t.Fatalf("a bucket is probed twice: %v", sc.probe)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("probed %v, want %v", got, want)
				}
				if len(sc.ranges) != len(sc.probe) {
					t.Fatalf("%d ranges for %d probed buckets, want one range per bucket", len(sc.ranges), len(sc.probe))
				}
				for i, b := range sc.probe {
					r := sc.ranges[i]
					if r.lo != s.db.Offsets[b] || r.hi != s.db.Offsets[b+1] || (r.lo < r.hi && r.fp0 != s.db.FP[r.lo]) {
						t.Fatalf("bucket %d: range %+v, want lo %d hi %d and the first fingerprint of the bucket", b, r, s.db.Offsets[b], s.db.Offsets[b+1])
					}
				}
			}
		})
	}
}
