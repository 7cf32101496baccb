package solver

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNthSmallest(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cases := []struct {
		name string
		gen  func(n int) []float64
	}{
		{"random", func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = rng.Float64()
			}
			return a
		}},
		{"few distinct", func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(rng.IntN(3))
			}
			return a
		}},
		{"sorted", func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(i)
			}
			return a
		}},
		{"reversed", func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(n - i)
			}
			return a
		}},
	}
	for _, tc := range cases {
		for _, n := range []int{1, 2, 3, 7, 8, 9, 31, 60, 200} {
			for rep := 0; rep < 5; rep++ {
				a := tc.gen(n)
				want := slices.Clone(a)
				slices.Sort(want)
				k := rng.IntN(n)
				got := nthSmallest(a, k)
				if got != want[k] {
					t.Fatalf("%s n=%d k=%d: got %g, want %g", tc.name, n, k, got, want[k])
				}
				for i := range a {
					if (i < k && a[i] > got) || (i > k && a[i] < got) {
						t.Fatalf("%s n=%d k=%d: a[%d]=%g on the wrong side of %g", tc.name, n, k, i, a[i], got)
					}
				}
				if m, w := median(slices.Clone(want)), sortedMedian(want); m != w {
					t.Fatalf("%s n=%d: median %g, want %g", tc.name, n, m, w)
				}
			}
		}
	}
}

func sortedMedian(s []float64) float64 {
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func TestRankThreshold(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	var buf []int32
	for _, tc := range []struct {
		n, limit int
		maxRank  int32
	}{{0, 5, 100}, {3, 0, 100}, {3, 5, 100}, {10, 10, 50}, {170, 48, 41135}, {170, 120, 41135}, {60, 30, 61}, {500, 17, 1 << 20}} {
		for rep := 0; rep < 20; rep++ {
			// Distinct ranks, as in a star list.
			seen := map[int32]bool{}
			var ranks []int32
			for len(ranks) < min(tc.n, int(tc.maxRank)) {
				if r := rng.Int32N(tc.maxRank); !seen[r] {
					seen[r] = true
					ranks = append(ranks, r)
				}
			}
			rank := int32(rng.IntN(int(tc.maxRank))) + 1
			var below []int32
			for _, r := range ranks {
				if r < rank {
					below = append(below, r)
				}
			}
			slices.Sort(below)
			want := rank - 1
			if tc.limit == 0 {
				want = -1
			} else if len(below) > tc.limit {
				want = below[tc.limit-1]
			}
			if got := rankThreshold(ranks, tc.limit, rank, &buf); got != want {
				t.Fatalf("n=%d limit=%d rank=%d: got %d, want %d", tc.n, tc.limit, rank, got, want)
			}
		}
	}
}

// TestMatchStarsStrips checks the strip-indexed matching against a brute
// force search of all stars.
func TestMatchStarsStrips(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	sc := new(scratch)
	matched := 0
	defer func() {
		if matched < 100 {
			t.Errorf("only %d pairs over all attitudes: the test is vacuous", matched)
		}
	}()
	for rep := 0; rep < 50; rep++ {
		m := model{a: fromAttitude(randomAttitude(rng)), s: scaleFor(10.2, 512), w: 512, h: 512, k: -0.003 * rng.Float64()}
		s.fieldStars(sc, &m, 120)
		if len(sc.cat) == 0 {
			continue
		}
		// Centroids near some of the stars, and random ones.
		var cents []Centroid
		for _, c := range sc.cat {
			if rng.IntN(2) == 0 {
				px, py := m.distort(c.ux, c.uy)
				cents = append(cents, Centroid{X: 256 - px + rng.NormFloat64()*3, Y: 256 - py + rng.NormFloat64()*3})
			}
		}
		for i := 0; i < 20; i++ {
			cents = append(cents, Centroid{X: rng.Float64() * 512, Y: rng.Float64() * 512})
		}
		rng.Shuffle(len(cents), func(i, j int) { cents[i], cents[j] = cents[j], cents[i] })
		r := s.verifyRadius(512)
		s.matchStars(sc, &m, cents, len(cents), r)
		got := slices.Clone(sc.pairs)
		matched += len(got)
		// Brute force: the same greedy rule over all stars.
		used := make([]bool, len(sc.cat))
		var want []pair
		for i, c := range cents {
			ux, uy := m.undistort(256-c.X, 256-c.Y)
			best, bd := -1, r*r
			for j, st := range sc.cat {
				if d := (st.ux-ux)*(st.ux-ux) + (st.uy-uy)*(st.uy-uy); d <= bd && !used[j] {
					best, bd = j, d
				}
			}
			if best >= 0 {
				used[best] = true
				want = append(want, pair{cent: i, cat: sc.cat[best].idx, d: math.Sqrt(bd)})
			}
		}
		if len(got) != len(want) {
			t.Fatalf("rep %d: %d pairs, want %d", rep, len(got), len(want))
		}
		for i := range want {
			if got[i].cent != want[i].cent || got[i].cat != want[i].cat || math.Abs(got[i].d-want[i].d) > 1e-9 {
				t.Fatalf("rep %d: pair %d = (%d, %d, %g), want (%d, %d, %g)", rep, i, got[i].cent, got[i].cat, got[i].d, want[i].cent, want[i].cat, want[i].d)
			}
		}
		// Reprojecting under a slightly moved model keeps the index valid.
		m.s *= 1.001
		s.reproject(sc, &m)
		for b := 0; b < sc.stripN; b++ {
			lo := int32(0)
			if b > 0 {
				lo = sc.stripEnd[b-1]
			}
			for _, c := range sc.cat[lo:sc.stripEnd[b]] {
				if sc.strip(c.ux) != b {
					t.Fatalf("rep %d: star at ux %g in strip %d, want %d", rep, c.ux, b, sc.strip(c.ux))
				}
			}
		}
	}
}

// TestRefineConverges checks the Gauss-Newton fit on exact synthetic
// pairs: from a perturbed start it recovers the attitude, scale and
// distortion.
func TestRefineConverges(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(10, 10))
	fitted := 0
	defer func() {
		if fitted < 30 {
			t.Errorf("only %d fits: the test is vacuous", fitted)
		}
	}()
	for _, tc := range []struct {
		name       string
		fitS, fitK bool
	}{{"attitude", false, false}, {"scale", true, false}, {"distortion", true, true}} {
		for rep := 0; rep < 20; rep++ {
			truth := model{a: fromAttitude(randomAttitude(rng)), s: scaleFor(10.2, 512), w: 512, h: 512}
			if tc.fitK {
				truth.k = -0.004 * rng.Float64()
			}
			sc := new(scratch)
			s.fieldStars(sc, &truth, 60)
			var pairs []pair
			for _, c := range sc.cat {
				px, py := truth.distort(c.ux, c.uy)
				pairs = append(pairs, pair{px: px, py: py, v: c.v})
			}
			if len(pairs) < 12 {
				continue
			}
			m := truth
			d := rodrigues(vec3{rng.NormFloat64() * 1e-3, rng.NormFloat64() * 1e-3, rng.NormFloat64() * 1e-3})
			m.a = orthonormalize(matMul(&d, &m.a))
			if tc.fitS {
				m.s *= 1 + 0.01*rng.NormFloat64()
			}
			m.k = 0
			if _, ok := s.refine(&m, pairs, tc.fitS, tc.fitK); !ok {
				t.Fatalf("%s rep %d: refine did not converge from a 1e-3 rad perturbation, want convergence", tc.name, rep)
			}
			worst := 0.0
			for _, p := range pairs {
				worst = max(worst, s.pairResid(&m, p))
			}
			fitted++
			if worst > 1e-3 {
				t.Fatalf("%s rep %d: largest residual %g px after the fit, want ≤ 1e-3 px (noise-free pairs)", tc.name, rep, worst)
			}
		}
	}
}

func TestAngle(t *testing.T) {
	for _, a := range []float64{0, 1e-12, 1e-8, 3e-5, 1e-4, 9.99e-4, 1e-3, 2e-3, 0.1, 1, 2, 3} {
		sn, cs := math.Sincos(a)
		for _, scale := range []float64{1, 0.5, 7} {
			got, want := angle(sn*scale, cs*scale), math.Atan2(sn*scale, cs*scale)
			if math.Abs(got-want) > 4e-16*want {
				t.Errorf("angle(%g) = %.17g, want %.17g", a, got, want)
			}
		}
	}
}

// TestVoteOffsetBruteForce checks voteOffset's windowed support counts
// against counting every star, with the default match radius and one too
// small for its start table.
func TestVoteOffsetBruteForce(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, radius := range []float64{0.01, 0.004} {
		s := New(def.DB())
		s.MatchRadius = radius
		rng := rand.New(rand.NewPCG(11, 11))
		sc := new(scratch)
		supported := 0
		for rep := 0; rep < 30; rep++ {
			m := model{a: fromAttitude(randomAttitude(rng)), s: scaleFor(10.2, 512), w: 512, h: 512}
			s.fieldStars(sc, &m, 60)
			if len(sc.cat) < 5 {
				continue
			}
			// Centroids: the stars shifted by up to 70 px, some missing, plus junk.
			sx, sy := (rng.Float64()-0.5)*140, (rng.Float64()-0.5)*140
			var cents []Centroid
			for _, c := range sc.cat {
				if rng.IntN(3) > 0 {
					cents = append(cents, Centroid{X: 256 - c.ux + sx + rng.NormFloat64(), Y: 256 - c.uy + sy + rng.NormFloat64()})
				}
			}
			for i := 0; i < 5; i++ {
				cents = append(cents, Centroid{X: rng.Float64() * 512, Y: rng.Float64() * 512})
			}
			rng.Shuffle(len(cents), func(i, j int) { cents[i], cents[j] = cents[j], cents[i] })
			dx, dy, votes := s.voteOffset(sc, &m, cents)
			// Brute force over the same 30 brightest stars and anchors.
			stars := slices.Clone(sc.cat)
			slices.SortFunc(stars, func(a, b catProj) int { return int(a.idx - b.idx) })
			stars = stars[:min(len(stars), 30)]
			nc := min(len(cents), 40)
			rv := s.verifyRadius(512)
			best, bx, by := 0, 0.0, 0.0
			for i := 0; i < min(nc, 12) && best < max(6, nc/3); i++ {
				for _, st := range stars {
					ox, oy := st.ux-(256-cents[i].X), st.uy-(256-cents[i].Y)
					if ox*ox+oy*oy > 0.15*512*0.15*512 {
						continue
					}
					n := 0
					for a := 0; a < nc; a++ {
						ax, ay := 256-cents[a].X+ox, 256-cents[a].Y+oy
						for _, st2 := range stars {
							if (st2.ux-ax)*(st2.ux-ax)+(st2.uy-ay)*(st2.uy-ay) <= rv*rv {
								n++
								break
							}
						}
					}
					if n > best {
						best, bx, by = n, ox, oy
					}
				}
			}
			if votes != best || dx != bx || dy != by {
				t.Fatalf("radius %g rep %d: got (%g, %g) with %d votes, want (%g, %g) with %d", radius, rep, dx, dy, votes, bx, by, best)
			}
			if votes >= 6 {
				supported++
			}
		}
		if supported < 10 {
			t.Errorf("radius %g: only %d clearly supported shifts: the test is vacuous", radius, supported)
		}
	}
}
