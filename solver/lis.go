package solver

import (
	"context"
	"math"

	"github.com/pifinder-go/pifinder/solver/db"
)

// perms4 lists the 24 permutations of four pattern stars.
var perms4 = func() [24][4]int {
	var out [24][4]int
	n := 0
	for a := 0; a < 4; a++ {
		for b := 0; b < 4; b++ {
			for c := 0; c < 4; c++ {
				for d := 0; d < 4; d++ {
					if a != b && a != c && a != d && b != c && b != d && c != d {
						out[n] = [4]int{a, b, c, d}
						n++
					}
				}
			}
		}
	}
	return out
}()

// pairIndex[i][j] is the position of the chord (i, j) in db.Chords order.
var pairIndex = [4][4]int{{-1, 0, 1, 2}, {0, -1, 3, 4}, {1, 3, -1, 5}, {2, 4, 5, -1}}

// Blind FOV guesses are spaced by guessStep; each owns ±guessHalfStep.
const (
	guessStep     = 1.25
	guessHalfStep = 1.129 // √1.25 with a 1% overlap
)

// fovRange returns the horizontal FOV search range and the guesses of the
// pixel scale used to turn pixels into vectors for the pattern keys.
func (s *Solver) fovRange(req *Request) (lo, hi float64, guesses []float64, blind bool) {
	w, h := float64(req.Width), float64(req.Height)
	if req.FOVEstimate > 0 {
		e := req.FOVMaxError
		if e == 0 {
			e = 0.15 * req.FOVEstimate
		}
		lo, hi = math.Max(0.1, req.FOVEstimate-e), math.Min(170, req.FOVEstimate+e)
	} else {
		blind = true
		hd := &s.db.Header
		// The database range is the field's shorter side.
		lo = 0.9 * hd.FOVMin
		hi = 1.1 * hd.FOVMax * w / math.Min(w, h)
	}
	const step = guessStep
	g := lo * math.Sqrt(step)
	if hi/lo <= step*step {
		return lo, hi, append(guesses, math.Sqrt(lo*hi)), blind
	}
	for {
		guesses = append(guesses, g)
		if g*math.Sqrt(step) >= hi {
			break
		}
		g *= step
	}
	return lo, hi, guesses, blind
}

// search is the state of one lost-in-space search.
type search struct {
	ctx      context.Context
	sc       *scratch
	cents    []Centroid
	w, h     float64
	lo, hi   float64   // FOV range, degrees
	guesses  []float64 // FOV guesses for the pattern keys
	gLo, gHi float64   // FOV band each guess owns, relative
	relErr   float64   // largest relative error of a guess
	nv       int       // centroids used in verification
	rv       float64   // match radius, pixels
	minL     float64   // smallest pattern, pixels
	maxTol   float64   // largest useful ratio tolerance
	n1       int       // centroids in the cheap verification stage

	tried, verified, budget int
	found                   bool
}

func (s *Solver) lostInSpace(ctx context.Context, req *Request, sc *scratch) (best hypothesis, tried, verified int, st Status) {
	cents := req.Centroids
	w, h := float64(req.Width), float64(req.Height)
	lo, hi, guesses, _ := s.fovRange(req)
	hd := &s.db.Header
	if hi < 0.7*hd.FOVMin || lo > 1.3*hd.FOVMax*w/math.Min(w, h) {
		// The database has no patterns at this scale.
		return best, 0, 0, StatusNoMatch
	}
	// Windows over the brightness-sorted centroids: the brightest
	// MaxPatternStars, then windows sliding down by half a window, for frames
	// whose brightest detections are foreground junk (lit trees, glare,
	// hot pixels). The first window gets half the combination budget, the
	// others share the rest; budget a missing window would have had goes to
	// the first.
	mp := s.MaxPatternStars
	nP := min(len(cents), mp*2)
	type window struct{ start, n, budget int }
	var wins [3]window
	rest := s.MaxPatterns - s.MaxPatterns/2
	used := 0
	for i := 1; i < len(wins); i++ {
		start := i * mp / 2
		if nP-start < 4 || nP <= mp+(i-1)*mp/2 {
			break
		}
		wins[i] = window{start, min(nP-start, mp), rest / (len(wins) - 1)}
		used += wins[i].budget
	}
	wins[0] = window{0, min(nP, mp), s.MaxPatterns - used}

	if cap(sc.cvec) < len(guesses) {
		sc.cvec = make([][]vec3, len(guesses))
	}
	sc.cvec = sc.cvec[:len(guesses)]
	for g, fov := range guesses {
		sg := scaleFor(fov, w)
		sc.cvec[g] = sc.cvec[g][:0]
		for i := 0; i < nP; i++ {
			sc.cvec[g] = append(sc.cvec[g], unit(vec3{(w/2 - cents[i].X) * sg, (h/2 - cents[i].Y) * sg, 1}))
		}
	}
	se := search{ctx: ctx, sc: sc, cents: cents, w: w, h: h, lo: lo, hi: hi, guesses: guesses,
		gLo: 0, gHi: math.Inf(1), nv: min(len(cents), s.MaxVerifyStars), rv: s.verifyRadius(w),
		minL: math.Max(10, 0.08*math.Min(w, h)),
		// At most two bins per ratio: 32 probes.
		maxTol: 0.5 / float64(hd.KeyBins)}
	if len(guesses) > 1 {
		// Each guess owns the FOVs nearest to it, so a pattern is verified once.
		se.gLo, se.gHi, se.relErr = 1/guessHalfStep, guessHalfStep, guessHalfStep-1
	} else {
		se.relErr = (hi - lo) / (hi + lo)
	}
	sc.hyps = sc.hyps[:0]
	for _, win := range wins {
		if win.n < 4 || se.found {
			continue
		}
		se.budget = se.tried + win.budget
		se.n1 = win.start + win.n + 4
		if !s.searchWindow(&se, win.start, win.n) {
			return best, se.tried, se.verified, StatusCancelled
		}
	}
	if !se.found {
		return best, se.tried, se.verified, StatusNoMatch
	}
	best = sc.hyps[0]
	for _, hy := range sc.hyps[1:] {
		if hy.prob < best.prob || (hy.prob == best.prob && hy.matches > best.matches) {
			best = hy
		}
	}
	return best, se.tried, se.verified, StatusMatch
}

// searchWindow tries the 4-star combinations of centroids [start,
// start+n) breadth-first by brightness until the budget ends. It returns
// false when the context ended.
func (s *Solver) searchWindow(se *search, start, n int) bool {
	cents := se.cents
	for d := 3; d < n; d++ {
		for c := 2; c < d; c++ {
			for b := 1; b < c; b++ {
				for a := 0; a < b; a++ {
					if se.tried >= se.budget {
						return true
					}
					se.tried++
					if se.tried%32 == 0 && se.ctx.Err() != nil {
						return false
					}
					idx := [4]int{start + a, start + b, start + c, start + d}
					// Largest pixel separation: skip tiny patterns.
					lpx := 0.0
					for i := 0; i < 4; i++ {
						for j := i + 1; j < 4; j++ {
							lpx = math.Max(lpx, math.Hypot(cents[idx[i]].X-cents[idx[j]].X, cents[idx[i]].Y-cents[idx[j]].Y))
						}
					}
					if lpx < se.minL {
						continue
					}
					for g := range se.guesses {
						s.lookup(se, idx, g, lpx)
					}
				}
			}
		}
	}
	return true
}

// lookup finds the database patterns matching the centroid pattern idx
// under FOV guess g and verifies each as a hypothesis.
func (s *Solver) lookup(se *search, idx [4]int, g int, lpx float64) {
	sc, cents, w, h := se.sc, se.cents, se.w, se.h
	fov := se.guesses[g]
	sg := scaleFor(fov, w)
	v := [4][3]float64{sc.cvec[g][idx[0]], sc.cvec[g][idx[1]], sc.cvec[g][idx[2]], sc.cvec[g][idx[3]]}
	e := db.Chords(&v)
	r, l := db.Ratios(e)
	off := 0.0
	for i := 0; i < 4; i++ {
		off = math.Max(off, 1-v[i][2])
	}
	// Centroid error over the pattern size, plus the off-axis term of a
	// wrong scale guess (1−cos θ ≈ θ²/2).
	tol := s.RatioTol + s.PixelTol/lpx + 2*se.relErr*off
	if tol > se.maxTol {
		// Too imprecise to discriminate: it would probe most of the table.
		return
	}
	tolFP := tol + 0.6/db.FPScale
	hd := &s.db.Header
	sc.probe = db.ProbeBuckets(sc.probe[:0], r, tol, int(hd.KeyBins), hd.Buckets)
	for _, bk := range sc.probe {
		for pi := s.db.Offsets[bk]; pi < s.db.Offsets[bk+1]; pi++ {
			// The fingerprint rejects most candidates without touching the
			// star vectors.
			fp := s.db.FP[pi]
			okf := true
			for i := 0; i < 5; i++ {
				if math.Abs(db.FPRatio(fp, i)-r[i]) > tolFP {
					okf = false
					break
				}
			}
			if !okf {
				continue
			}
			pt := s.db.Patterns[pi]
			cv := [4][3]float64{s.vecs[pt[0]], s.vecs[pt[1]], s.vecs[pt[2]], s.vecs[pt[3]]}
			ce := db.Chords(&cv)
			rc, lc := db.Ratios(ce)
			okr := true
			for i := 0; i < 5; i++ {
				if math.Abs(rc[i]-r[i]) > tol {
					okr = false
					break
				}
			}
			if !okr {
				continue
			}
			sNew := sg * lc / l
			fovNew := 2 * math.Atan(sNew*w/2) * 180 / math.Pi
			if fovNew < se.lo || fovNew > se.hi || fovNew < fov*se.gLo || fovNew > fov*se.gHi {
				continue
			}
			// Star correspondence: the permutation whose chords agree best.
			bestP, bestE := 0, math.Inf(1)
			for p, pm := range perms4 {
				sum := 0.0
				for i := 0; i < 4; i++ {
					for j := i + 1; j < 4; j++ {
						dd := e[pairIndex[i][j]]/l - ce[pairIndex[pm[i]][pm[j]]]/lc
						sum += dd * dd
					}
				}
				if sum < bestE {
					bestP, bestE = p, sum
				}
			}
			pm := perms4[bestP]
			var bv, rv4 [4]vec3
			for i := 0; i < 4; i++ {
				ci := cents[idx[i]]
				bv[i] = unit(vec3{(w/2 - ci.X) * sNew, (h/2 - ci.Y) * sNew, 1})
				rv4[i] = cv[pm[i]]
			}
			am := wahba(bv[:], rv4[:])
			dup := false
			for _, hy := range sc.hyps {
				if dot(hy.m.a[2], am[2]) > math.Cos(0.2*math.Pi/180) {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			se.verified++
			m := model{a: am, s: sNew, w: w, h: h}
			hy, ok := s.verifyLIS(sc, &m, cents, se.nv, se.n1, se.rv, float64(se.verified))
			if !ok {
				continue
			}
			sc.hyps = append(sc.hyps, hy)
			if !se.found {
				se.found = true
				extra := s.ExtraPatterns
				if hy.prob < s.StrongProb {
					// A rival would need an even rarer coincidence.
					extra = 0
				}
				se.budget = min(se.budget, se.tried+extra)
			}
		}
	}
}

// verifyLIS checks a lost-in-space hypothesis: count the centroids that
// land on catalogue stars, refine the model on all matches, and accept when
// chance coincidences are improbable (see falseMatchProb).
func (s *Solver) verifyLIS(sc *scratch, m *model, cents []Centroid, nv, n1 int, rv, nHyp float64) (hypothesis, bool) {
	// Stage 1, cheap: the n1 brightest centroids against the brightest stars.
	n1 = min(nv, n1)
	s.fieldStars(sc, m, 2*n1)
	s.matchStars(sc, m, cents, n1, rv)
	if len(sc.pairs) < 5 {
		return hypothesis{}, false
	}
	nCat := max(2*nv, 20)
	s.fieldStars(sc, m, nCat)
	s.matchStars(sc, m, cents, nv, rv)
	if len(sc.pairs) < 5 {
		return hypothesis{}, false
	}
	// The 4-star attitude is good to a few pixels: one fit, then polish
	// rematches and refits.
	// The 4-star attitude is good to a few pixels: one fit, then polish
	// rematches and refits.
	s.refine(m, sc.pairs, len(sc.pairs) >= 5, len(sc.pairs) >= 12)
	s.polish(sc, m, cents, nv, rv)
	k := len(sc.pairs)
	prob := s.falseMatchProb(sc, m, nv, k, 4, rv, nHyp)
	sc.bestRejected = math.Min(sc.bestRejected, prob)
	if prob >= s.Threshold {
		return hypothesis{}, false
	}
	return hypothesis{m: *m, matches: k, prob: prob, pairs: append([]pair(nil), sc.pairs...)}, true
}

// falseMatchProb is the probability that the k matches of a hypothesis
// arose by chance: fixed of them were fitted by construction (the 4 pattern
// stars; 0 in tracking), and each of the other nv−fixed centroids lands
// within rEff of one of the n field stars with probability
// p = n·π·rEff²/(W·H). rEff = 3× the RMS residual of the final fit,
// between 1 px and the match radius, so a tight fit counts for more than a
// loose one. The binomial tail is multiplied by nHyp, the hypothesis's
// rank in the search (sequential Bonferroni, see the package doc). TestFalseMatchCalibration runs
// thousands of negatives (random centroids, noise frames) through the solver
// and checks that this number stays far above the acceptance threshold on
// all of them.
func (s *Solver) falseMatchProb(sc *scratch, m *model, nv, k, fixed int, rv, nHyp float64) float64 {
	if k <= fixed {
		return 1
	}
	ss := 0.0
	for _, p := range sc.pairs {
		d := s.pairResid(m, p)
		ss += d * d
	}
	rEff := math.Min(rv, math.Max(1, 3*math.Sqrt(ss/float64(k))))
	return math.Min(1, math.Max(1, nHyp)*falseProb(nv-fixed, k-fixed, len(sc.cat), rEff, m.w, m.h))
}
