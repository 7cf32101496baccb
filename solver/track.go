package solver

import (
	"cmp"
	"math"
	"slices"
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
	s.refine(&m, sc.pairs, len(sc.pairs) >= 4, false)
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
	sc.bright = append(sc.bright[:0], sc.cat...)
	slices.SortFunc(sc.bright, func(a, b catProj) int { return cmp.Compare(a.idx, b.idx) })
	ns := min(len(sc.bright), 30)
	cat := sc.bright[:ns]
	sortCat(cat)
	rv := s.verifyRadius(m.w)
	r2 := rv * rv
	best := 0
	// Anchors: the brightest centroids (up to 12, for frames whose brightest
	// detections are junk); stop early once a shift is clearly supported.
	for i := 0; i < min(nc, 12) && best < max(6, nc/3); i++ {
		cx, cy := m.w/2-cents[i].X, m.h/2-cents[i].Y
		for j := 0; j < ns; j++ {
			ox, oy := cat[j].ux-cx, cat[j].uy-cy
			if ox*ox+oy*oy > maxOff*maxOff {
				continue
			}
			n := 0
			for a := 0; a < nc; a++ {
				ax, ay := m.w/2-cents[a].X+ox, m.h/2-cents[a].Y+oy
				for b := firstUX(cat, ax-rv); b < ns && cat[b].ux <= ax+rv; b++ {
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
