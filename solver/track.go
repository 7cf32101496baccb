package solver

import (
	"math"
)

// track matches the centroids directly against the catalogue around the
// prior attitude. The prior may be off by a translation of up to a tenth of
// the frame (an IMU-propagated guess): the offset is found by voting over
// centroid/star pairs, then the attitude is refined and verified. With an
// exact single hypothesis, 3 matched stars can be enough.
func (s *Solver) track(req *Request, sc *scratch) (hypothesis, bool) {
	cents := req.Centroids
	w, h := float64(req.Width), float64(req.Height)
	m := model{a: fromAttitude(req.Prior.Attitude), s: scaleFor(req.Prior.FOV, w), w: w, h: h}
	nv := min(len(cents), s.MaxTrackStars)
	// Fewer field stars than lost-in-space: the prior already narrows the
	// hypotheses, and projecting them is the main cost.
	nCat := max(nv+nv/2, 20)
	rv := s.verifyRadius(w)
	s.fieldStars(sc, &m, nCat)
	if len(sc.cat) < 3 {
		return hypothesis{}, false
	}
	// First the prior as it is; if too few stars land, the shift that
	// most centroid/star pairs agree on.
	search := rv
	s.matchStars(sc, &m, cents, nv, rv)
	if n0 := len(sc.pairs); n0 < 3 || n0 < min(nv/3, 8) {
		dx, dy, votes := s.voteOffset(sc, &m, cents)
		if votes < 3 {
			return hypothesis{}, false
		}
		search = 0.15 * w
		// The rotation taking the direction of the shift to the boresight
		// moves every star by about −(dx, dy).
		u := unit(vec3{dx * m.s, dy * m.s, 1})
		ax := cross(u, vec3{0, 0, 1})
		if sn := math.Sqrt(dot(ax, ax)); sn > 0 {
			ang := math.Asin(math.Min(1, sn))
			r := rodrigues(vec3{ax[0] / sn * ang, ax[1] / sn * ang, ax[2] / sn * ang})
			m.a = orthonormalize(matMul(&r, &m.a))
		}
		// The field moved by a fraction of its size: reproject the same stars.
		s.reproject(sc, &m)
		s.matchStars(sc, &m, cents, nv, rv)
	}
	if len(sc.pairs) < 3 {
		return hypothesis{}, false
	}
	// polish refits from these pairs: rematch, drop outliers, refine.
	s.fit(sc, &m, len(sc.pairs) >= 4, false)
	if len(sc.pairs) < 3 {
		return hypothesis{}, false
	}
	s.polish(sc, &m, cents, nv, rv)
	k := len(sc.pairs)
	if k < 3 {
		return hypothesis{}, false
	}
	// False-match probability: k of nv centroids within rEff of one of the
	// field's stars by chance, times the number of distinguishable shifts
	// in the searched region. rEff follows the fit's residuals, so a tight
	// 3-star fit can be accepted while loose fits cannot.
	ss := 0.0
	for _, p := range sc.pairs {
		d := s.pairResid(&m, p)
		ss += d * d
	}
	rEff := math.Max(1, 3*math.Sqrt(ss/float64(k)))
	if rEff > rv {
		// Residuals this large mean a wrong pairing or a wrong prior.
		return hypothesis{}, false
	}
	nOff := math.Max(1, (search/rEff)*(search/rEff))
	prob := math.Min(1, nOff*falseProb(nv, k, len(sc.cat), rEff, w, h))
	sc.bestRejected = math.Min(sc.bestRejected, prob)
	if prob >= s.Threshold {
		return hypothesis{}, false
	}
	return hypothesis{m: m, matches: k, prob: prob, pairs: append([]pair(nil), sc.pairs...)}, true
}

// voteOffset finds the image shift (undistorted centred pixels, catalogue
// minus centroid) supported by most centroid/star pairs.
func (s *Solver) voteOffset(sc *scratch, m *model, cents []Centroid) (dx, dy float64, votes int) {
	maxOff := 0.15 * m.w
	nc := min(len(cents), 40)
	// The brightest stars (lowest indices), then sorted by ux for the
	// support counts.
	sc.ranks = sc.ranks[:0]
	top := int32(0)
	for i := range sc.cat {
		sc.ranks = append(sc.ranks, sc.cat[i].idx)
		top = max(top, sc.cat[i].idx+1)
	}
	thr := rankThreshold(sc.ranks, 30, top, &sc.rankBuf)
	sc.bright = sc.bright[:0]
	for i := range sc.cat {
		if sc.cat[i].idx <= thr {
			sc.bright = append(sc.bright, sc.cat[i])
		}
	}
	ns := len(sc.bright)
	cat := sc.bright
	sortCat(cat)
	rv := s.verifyRadius(m.w)
	r2 := rv * rv
	// The window searches start from a table: first[b] is the first star
	// with ux ≥ base + b·rv. Starting early is harmless (those stars fail
	// the distance test), so a radius too small for the table (below the
	// default 0.01·W) only makes the searches from its last bucket longer.
	var first [voteBuckets]int32
	base := -m.w/2 - maxOff - 2*rv
	nb := min(int((m.w+2*maxOff+4*rv)/rv)+1, voteBuckets)
	for b, j := 0, 0; b < nb; b++ {
		x := base + float64(b)*rv
		for j < ns && cat[j].ux < x {
			j++
		}
		first[b] = int32(j)
	}
	start := func(x float64) int {
		f := (x - base) / rv
		switch {
		case !(f > 0): // also NaN
			return 0
		case f >= float64(nb-1):
			return int(first[nb-1])
		}
		return int(first[int(f)])
	}
	var ccx, ccy [40]float64 // centred centroid positions
	for a := 0; a < nc; a++ {
		ccx[a], ccy[a] = m.w/2-cents[a].X, m.h/2-cents[a].Y
	}
	best := 0
	// Anchors: the brightest centroids (up to 12, for frames whose brightest
	// detections are junk); stop early once a shift is clearly supported.
	for i := 0; i < min(nc, 12) && best < max(6, nc/3); i++ {
		cx, cy := ccx[i], ccy[i]
		for j := 0; j < ns; j++ {
			ox, oy := cat[j].ux-cx, cat[j].uy-cy
			if ox*ox+oy*oy > maxOff*maxOff {
				continue
			}
			n := 0
			for a := 0; a < nc; a++ {
				ax, ay := ccx[a]+ox, ccy[a]+oy
				for b := start(ax - rv); b < ns && cat[b].ux <= ax+rv; b++ {
					ex, ey := cat[b].ux-ax, cat[b].uy-ay
					if ex*ex+ey*ey <= r2 {
						n++
						break
					}
				}
			}
			if n > best {
				best, dx, dy = n, ox, oy
			}
		}
	}
	return dx, dy, best
}

// voteBuckets bounds voteOffset's start table: (1.3·W + 4·rv)/rv + 1
// buckets for the default match radius rv = 0.01·W.
const voteBuckets = 144
