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
// pixel scale used to turn pixels into vectors for the pattern keys,
// appended to guesses.
func (s *Solver) fovRange(req *Request, guesses []float64) (lo, hi float64, _ []float64, blind bool) {
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
	nv       int       // centroids used in verification
	rv       float64   // match radius, pixels
	minL     float64   // smallest pattern, pixels
	maxWidth float64   // widest useful ratio window
	curve    float64   // ratio window margin per unit of 1 − cos θ, see lookupPattern
	n1       int       // centroids in the cheap verification stage

	tried, verified, budget int
	found                   bool
}

func (s *Solver) lostInSpace(ctx context.Context, req *Request, sc *scratch) (best hypothesis, tried, verified int, st Status) {
	cents := req.Centroids
	w, h := float64(req.Width), float64(req.Height)
	lo, hi, guesses, _ := s.fovRange(req, sc.guesses[:0])
	sc.guesses = guesses
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

	// Centroid vectors at each guess and at the edges of the FOV band it
	// owns: points 2g, 2g+1, 2g+2 are guess g's lower edge, centre and
	// upper edge.
	np := 2*len(guesses) + 1
	if cap(sc.cvec) < np {
		sc.cvec = make([][]vec3, np)
	}
	sc.cvec = sc.cvec[:np]
	for j := range sc.cvec {
		var fov float64
		switch {
		case j%2 == 1:
			fov = guesses[j/2]
		case len(guesses) == 1:
			fov = lo
			if j == 2 {
				fov = hi
			}
		case j < np-1:
			fov = guesses[j/2] / math.Sqrt(guessStep)
		default:
			fov = guesses[j/2-1] * math.Sqrt(guessStep)
		}
		sg := scaleFor(fov, w)
		sc.cvec[j] = sc.cvec[j][:0]
		for i := 0; i < nP; i++ {
			sc.cvec[j] = append(sc.cvec[j], unit(vec3{(w/2 - cents[i].X) * sg, (h/2 - cents[i].Y) * sg, 1}))
		}
	}
	// Chords between centroid pairs, per scale point, filled on demand.
	nPairs := nP * (nP - 1) / 2
	if cap(sc.chordOK) < nPairs {
		sc.chordOK = make([]bool, nPairs)
	}
	sc.chordOK = sc.chordOK[:nPairs]
	clear(sc.chordOK)
	if cap(sc.chords) < nPairs*np {
		sc.chords = make([]float64, nPairs*np)
	}
	sc.chords = sc.chords[:nPairs*np]
	if cap(sc.ratios) < np {
		sc.ratios = make([][6]float64, np)
	}
	se := search{ctx: ctx, sc: sc, cents: cents, w: w, h: h, lo: lo, hi: hi, guesses: guesses,
		gLo: 0, gHi: math.Inf(1), nv: min(len(cents), s.MaxVerifyStars), rv: s.verifyRadius(w),
		minL: math.Max(10, 0.08*math.Min(w, h)),
		// At most two bins per ratio: 32 probes.
		maxWidth: 1 / float64(hd.KeyBins)}
	band := hi / lo
	if len(guesses) > 1 {
		// Each guess owns the FOVs nearest to it, so a pattern is verified once.
		se.gLo, se.gHi = 1/guessHalfStep, guessHalfStep
		band = guessHalfStep * guessHalfStep
	}
	// Between the band's edges and centre the ratios stray from the values
	// there by at most 0.06·(1−cos θ) for a band of a factor 1.27 (θ the
	// pattern's largest off-axis angle; measured over random patterns from
	// 8° to 40° fields), growing with the square of the band's width.
	se.curve = 0.1 * math.Max(1, math.Pow(math.Log(band)/math.Log(guessStep), 2))
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
					l2 := 0.0
					for i := 0; i < 4; i++ {
						for j := i + 1; j < 4; j++ {
							dx, dy := cents[idx[i]].X-cents[idx[j]].X, cents[idx[i]].Y-cents[idx[j]].Y
							l2 = max(l2, dx*dx+dy*dy)
						}
					}
					if l2 < se.minL*se.minL {
						continue
					}
					s.lookupPattern(se, idx, math.Sqrt(l2))
				}
			}
		}
	}
	return true
}

// guessKey is a centroid pattern's key under one FOV guess.
type guessKey struct {
	g        int        // index into search.guesses
	e        [6]float64 // chords of the pattern's unit vectors at the guess
	r        [5]float64 // edge ratios at the guess
	l        float64    // largest chord at the guess
	rlo, rhi [5]float64 // window of each ratio over the guess's FOV band
	lo, hi   [5]int     // key bins a matching pattern can fall in
	qlo, qhi [5]int     // fingerprint window (quantised ratios)
}

// candidate is a database pattern that passed the ratio and FOV tests
// under one guess.
type candidate struct {
	key  int // index into scratch.keys
	pi   int // pattern index
	ce   [6]float64
	lc   float64
	sNew float64
}

// keyBin is db's quantisation of a ratio into one of bins key bins
// (TestProbeMatchesDB checks it against db.ProbeBuckets).
func keyBin(r float64, bins int) int {
	return min(max(int(r*float64(bins)), 0), bins-1)
}

// fpTol is the fingerprint's quantisation error (half a step, with margin).
const fpTol = 0.6 / db.FPScale

// maxProbeBox and maxBoxSide bound the bins enumerated for one pattern's
// bounding box over all guesses; beyond them each guess's box is
// enumerated on its own.
const (
	maxProbeBox = 256
	maxBoxSide  = 8
)

// lookupPattern finds the database patterns matching the centroid pattern
// idx under every FOV guess and verifies each as a hypothesis. The guesses'
// keys differ little (only through the off-axis term of the scale), so
// their bins mostly coincide: each hash bucket is read once, and each
// database pattern's star vectors once, for all guesses.
func (s *Solver) lookupPattern(se *search, idx [4]int, lpx float64) {
	sc := se.sc
	hd := &s.db.Header
	bins := int(hd.KeyBins)
	keys := sc.keys[:0]
	var uqlo, uqhi [5]int // union of the fingerprint windows
	var blo, bhi [5]int   // bounding box of the key bins
	// The pattern's chords at every scale point, from the per-pair cache.
	np := len(sc.cvec)
	var pc [6]int // offsets of the six pairs in sc.chords, in db.Chords order
	n := 0
	for i := 0; i < 4; i++ {
		for j := i + 1; j < 4; j++ {
			pc[n] = s.pairChords(sc, idx[i], idx[j])
			n++
		}
	}
	// Sorted ratios and the largest chord at each point. The chords' order
	// rarely changes between neighbouring scales, so each point starts
	// from the previous one's order and the insertion sort has little to do.
	er := sc.ratios[:np]
	perm := [6]int{0, 1, 2, 3, 4, 5}
	for j := range er {
		var v [6]float64
		for c := range v {
			v[c] = sc.chords[pc[perm[c]]+j]
		}
		for a := 1; a < 6; a++ {
			x, px := v[a], perm[a]
			b := a - 1
			for b >= 0 && v[b] > x {
				v[b+1], perm[b+1] = v[b], perm[b]
				b--
			}
			v[b+1], perm[b+1] = x, px
		}
		inv := 1 / v[5]
		er[j] = [6]float64{v[0] * inv, v[1] * inv, v[2] * inv, v[3] * inv, v[4] * inv, v[5]}
	}
	for g := range se.guesses {
		k := guessKey{g: g}
		for c := range k.e {
			k.e[c] = sc.chords[pc[c]+2*g+1]
		}
		rg := &er[2*g+1]
		k.r, k.l = [5]float64(rg[:5]), rg[5]
		cv := sc.cvec[2*g+1]
		off := 0.0 // 1 − cos of the largest off-axis angle
		for i := 0; i < 4; i++ {
			if o := 1 - cv[idx[i]][2]; o > off {
				off = o
			}
		}
		// The ratios change smoothly with the scale: over the guess's FOV
		// band they lie between their values at its edges and centre, up
		// to se.curve·(1−cos θ). The window adds that and the centroid
		// error over the pattern size.
		tol := s.RatioTol + s.PixelTol/lpx + se.curve*off
		wide := false
		for i := 0; i < 5; i++ {
			a := min(k.r[i], er[2*g][i], er[2*g+2][i]) - tol
			b := max(k.r[i], er[2*g][i], er[2*g+2][i]) + tol
			if b-a > se.maxWidth {
				// Too imprecise to discriminate: it would probe most of the table.
				wide = true
				break
			}
			k.rlo[i], k.rhi[i] = a, b
		}
		if wide {
			continue
		}
		for i := 0; i < 5; i++ {
			k.lo[i], k.hi[i] = keyBin(k.rlo[i], bins), keyBin(k.rhi[i], bins)
			// The fingerprint stores round(r·FPScale).
			k.qlo[i] = max(0, int(math.Ceil((k.rlo[i]-fpTol)*db.FPScale)))
			k.qhi[i] = min(db.FPScale, int(math.Floor((k.rhi[i]+fpTol)*db.FPScale)))
			if len(keys) == 0 {
				uqlo[i], uqhi[i], blo[i], bhi[i] = k.qlo[i], k.qhi[i], k.lo[i], k.hi[i]
			} else {
				uqlo[i], uqhi[i] = min(uqlo[i], k.qlo[i]), max(uqhi[i], k.qhi[i])
				blo[i], bhi[i] = min(blo[i], k.lo[i]), max(bhi[i], k.hi[i])
			}
		}
		keys = append(keys, k)
	}
	sc.keys = keys
	if len(keys) == 0 {
		return
	}
	s.probeKeys(sc, keys, blo, bhi)

	// Candidates: fingerprint, then exact ratios and implied FOV, per guess.
	sc.cands = sc.cands[:0]
	for _, br := range sc.ranges {
		for pi := br.lo; pi < br.hi; pi++ {
			// The fingerprint rejects most candidates without touching the
			// star vectors: first against the union of the guesses' windows.
			fp := br.fp0
			if pi > br.lo {
				fp = s.db.FP[pi]
			}
			var fq [5]int
			okf := true
			for i := 0; i < 5; i++ {
				fq[i] = int(fp >> (9 * i) & 0x1ff)
				if fq[i] < uqlo[i] || fq[i] > uqhi[i] {
					okf = false
					break
				}
			}
			if !okf || !anyFP(keys, &fq) {
				continue
			}
			pt := s.db.Patterns[pi]
			cv := [4][3]float64{s.vecs[pt[0]], s.vecs[pt[1]], s.vecs[pt[2]], s.vecs[pt[3]]}
			ce := db.Chords(&cv)
			rc, lc := db.Ratios(ce)
			for j := range keys {
				k := &keys[j]
				okr := true
				for i := 0; i < 5; i++ {
					if rc[i] < k.rlo[i] || rc[i] > k.rhi[i] {
						okr = false
						break
					}
				}
				if !okr {
					continue
				}
				fov := se.guesses[k.g]
				sNew := scaleFor(fov, se.w) * lc / k.l
				fovNew := 2 * math.Atan(sNew*se.w/2) * 180 / math.Pi
				if fovNew < se.lo || fovNew > se.hi || fovNew < fov*se.gLo || fovNew > fov*se.gHi {
					continue
				}
				sc.cands = append(sc.cands, candidate{key: j, pi: int(pi), ce: ce, lc: lc, sNew: sNew})
			}
		}
	}
	// Verify guess by guess, as if each guess had been looked up alone.
	c := sc.cands
	for i := 1; i < len(c); i++ {
		x := c[i]
		j := i - 1
		for j >= 0 && c[j].key > x.key {
			c[j+1] = c[j]
			j--
		}
		c[j+1] = x
	}
	for i := range c {
		s.verifyCandidate(se, idx, &keys[c[i].key], &c[i])
	}
}

// pairChords returns the offset in sc.chords of the chords between
// centroids a < b at every scale point (sc.cvec), computing them on first
// use: patterns share pairs, so each is computed once per solve.
func (s *Solver) pairChords(sc *scratch, a, b int) int {
	p := b*(b-1)/2 + a
	np := len(sc.cvec)
	off := p * np
	if !sc.chordOK[p] {
		sc.chordOK[p] = true
		for j, cv := range sc.cvec {
			dx, dy, dz := cv[a][0]-cv[b][0], cv[a][1]-cv[b][1], cv[a][2]-cv[b][2]
			sc.chords[off+j] = math.Sqrt(dx*dx + dy*dy + dz*dz)
		}
	}
	return off
}

// anyFP reports whether fingerprint values fq lie within some guess's
// fingerprint window.
func anyFP(keys []guessKey, fq *[5]int) bool {
	for j := range keys {
		k := &keys[j]
		ok := true
		for i := 0; i < 5; i++ {
			if fq[i] < k.qlo[i] || fq[i] > k.qhi[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// probeKeys fills sc.probe with the distinct hash buckets of the key bins
// inside any guess's box, and sc.ranges with their pattern ranges; blo..bhi
// bounds the boxes.
func (s *Solver) probeKeys(sc *scratch, keys []guessKey, blo, bhi [5]int) {
	hd := &s.db.Header
	bins := int(hd.KeyBins)
	sc.probe = sc.probe[:0]
	add := func(q *[5]int) {
		b := db.BucketOf(*q, bins, hd.Buckets)
		// Distinct bins rarely share a bucket, but then it is read once.
		for _, x := range sc.probe {
			if x == b {
				return
			}
		}
		sc.probe = append(sc.probe, b)
	}
	vol, small := 1, len(keys) <= 64
	for i := 0; i < 5; i++ {
		side := bhi[i] - blo[i] + 1
		vol *= side
		small = small && side <= maxBoxSide
	}
	if small && vol <= maxProbeBox {
		// Walk the bounding box; per dimension and bin, a bit set of the
		// guesses whose box holds it.
		var in [5][maxBoxSide]uint64
		for j := range keys {
			k := &keys[j]
			for i := 0; i < 5; i++ {
				for v := k.lo[i]; v <= k.hi[i]; v++ {
					in[i][v-blo[i]] |= 1 << j
				}
			}
		}
		q := blo
		for {
			if in[0][q[0]-blo[0]]&in[1][q[1]-blo[1]]&in[2][q[2]-blo[2]]&in[3][q[3]-blo[3]]&in[4][q[4]-blo[4]] != 0 {
				add(&q)
			}
			if !nextBin(&q, &blo, &bhi) {
				break
			}
		}
	} else {
		// Each box on its own; a bin already in an earlier box is skipped.
		for j := range keys {
			k := &keys[j]
			q := k.lo
			for {
				seen := false
				for jj := 0; jj < j && !seen; jj++ {
					seen = inBox(q, &keys[jj].lo, &keys[jj].hi)
				}
				if !seen {
					add(&q)
				}
				if !nextBin(&q, &k.lo, &k.hi) {
					break
				}
			}
		}
	}
	// Read the buckets' extents and first fingerprints in a separate pass:
	// the loads are independent, so the memory system serves them in
	// parallel instead of one cache miss at a time in the scan.
	sc.ranges = sc.ranges[:0]
	for _, b := range sc.probe {
		sc.ranges = append(sc.ranges, bucketRange{lo: s.db.Offsets[b], hi: s.db.Offsets[b+1]})
	}
	for i := range sc.ranges {
		if r := &sc.ranges[i]; r.lo < r.hi {
			r.fp0 = s.db.FP[r.lo]
		}
	}
}

// bucketRange is a hash bucket's patterns and its first fingerprint.
type bucketRange struct {
	lo, hi uint32
	fp0    uint64
}

func inBox(q [5]int, lo, hi *[5]int) bool {
	for i := 0; i < 5; i++ {
		if q[i] < lo[i] || q[i] > hi[i] {
			return false
		}
	}
	return true
}

// nextBin steps q through the box lo..hi like an odometer; false after the last.
func nextBin(q, lo, hi *[5]int) bool {
	for d := 0; d < 5; d++ {
		if q[d] < hi[d] {
			q[d]++
			return true
		}
		q[d] = lo[d]
	}
	return false
}

// verifyCandidate finds the star correspondence of a candidate, its
// attitude, and verifies it as a hypothesis.
func (s *Solver) verifyCandidate(se *search, idx [4]int, k *guessKey, cd *candidate) {
	sc, cents, w, h := se.sc, se.cents, se.w, se.h
	e, l := &k.e, k.l
	ce, lc := &cd.ce, cd.lc
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
	pt := s.db.Patterns[cd.pi]
	sNew := cd.sNew
	var bv, rv4 [4]vec3
	for i := 0; i < 4; i++ {
		ci := cents[idx[i]]
		bv[i] = unit(vec3{(w/2 - ci.X) * sNew, (h/2 - ci.Y) * sNew, 1})
		rv4[i] = s.vecs[pt[pm[i]]]
	}
	am := wahba(bv[:], rv4[:])
	for _, hy := range sc.hyps {
		if dot(hy.m.a[2], am[2]) > math.Cos(0.2*math.Pi/180) {
			return
		}
	}
	se.verified++
	m := model{a: am, s: sNew, w: w, h: h}
	hy, ok := s.verifyLIS(sc, &m, cents, se.nv, se.n1, se.rv, float64(se.verified))
	if !ok {
		return
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

// verifyLIS checks a lost-in-space hypothesis: count the centroids that
// land on catalogue stars, refine the model on all matches, and accept when
// chance coincidences are improbable (see falseMatchProb).
func (s *Solver) verifyLIS(sc *scratch, m *model, cents []Centroid, nv, n1 int, rv, nHyp float64) (hypothesis, bool) {
	// Stage 1, cheap: the n1 brightest centroids against the brightest stars.
	n1 = min(nv, n1)
	nCat := max(2*nv, 20)
	// One cone query for both stages: stage 1 picks its stars from it.
	s.frameStars(sc, m, max(nCat, 2*n1))
	s.pickStars(sc, 2*n1, s.starRank(m, 2*n1))
	s.matchStars(sc, m, cents, n1, rv)
	if len(sc.pairs) < 5 {
		return hypothesis{}, false
	}
	s.pickStars(sc, nCat, s.starRank(m, nCat))
	s.matchStars(sc, m, cents, nv, rv)
	if len(sc.pairs) < 5 {
		return hypothesis{}, false
	}
	// The 4-star attitude is good to a few pixels: one fit, then polish
	// rematches and refits.
	s.fit(sc, m, len(sc.pairs) >= 5, len(sc.pairs) >= 12)
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
// rank in the search (sequential Bonferroni, see the package doc).
// TestFalseMatchCalibration runs thousands of negatives (random centroids
// solved with and without an FOV hint or a wrong prior, real fields with a
// wrong prior) through the solver and checks that the number is calibrated:
// at each level p from 0.3 down to the acceptance threshold, at most a
// fraction p of the negatives reach p or less (within a binomial allowance).
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
