package solver

import (
	"math"
	"slices"
)

// refine fits the attitude, the pixel scale (if fitS) and the radial
// distortion (if fitK) to the pairs by Gauss-Newton least squares on the
// undistorted centred pixel residuals. It returns how far the fit moved
// the model (the sum of its steps, in pixels) and whether it converged.
func (s *Solver) refine(m *model, pairs []pair, fitS, fitK bool) (moved float64, converged bool) {
	// Parameter columns: the rotation (3), ln s, k. The normal equations are
	// accumulated for all five in straight-line code (cheaper than skipping
	// columns), and the system is solved for the fitted ones.
	cols := [5]int{0, 1, 2}
	np := 3
	if fitS {
		cols[np] = 3
		np++
	}
	if fitK {
		cols[np] = 4
		np++
	}
	ihw2 := 1 / (m.half() * m.half())
	prev := math.Inf(1)
	for iter := 0; iter < 6; iter++ {
		// With (a, b) = (u, v) the tangent-plane position, the columns are
		// is·(−ab, −(1+b²)), is·(1+a², ab), is·(−b, a), is·(−a, −b) for the
		// rotation and ln s (is = 1/s: d/d(ln s) of c/s is −c/s), and
		// q = p·rr for k (d/dk of −p(1 − k·rr)). Their products simplify
		// (the ω₃/ln s term vanishes, ω₃ and ln s share their square), so
		// the loop accumulates these sums and the matrix is assembled
		// after it.
		var s00, s11, s01, sa, sb, sa1, sb1, sr float64 // rotation/scale block
		var q0, q1, q2, q3, q44 float64                 // k column
		var g0, g1, g2, g3, g4 float64                  // gradient
		a := &m.a
		a00, a01, a02 := a[0][0], a[0][1], a[0][2]
		a10, a11, a12 := a[1][0], a[1][1], a[1][2]
		a20, a21, a22 := a[2][0], a[2][1], a[2][2]
		is, k := 1/m.s, m.k
		for i := range pairs {
			p := &pairs[i]
			v0, v1, v2 := p.v[0], p.v[1], p.v[2]
			cz := a20*v0 + a21*v1 + a22*v2
			if cz <= 1e-9 {
				continue
			}
			iz := 1 / cz
			u := (a00*v0 + a01*v1 + a02*v2) * iz
			w := (a10*v0 + a11*v1 + a12*v2) * iz
			px, py := p.px, p.py
			rr := (px*px + py*py) * ihw2
			f := 1 - k*rr
			rx, ry := u*is-px*f, w*is-py*f
			qx, qy := px*rr, py*rr
			uu, ww, uw := u*u, w*w, u*w
			rho := uu + ww
			c0, c1 := 1+ww, 1+uu // 1+b², 1+a²
			s00 += uu*ww + c0*c0
			s11 += c1*c1 + uu*ww
			s01 += uw * (2 + rho)
			sa += u
			sb += w
			sa1 += u * (1 + rho)
			sb1 += w * (1 + rho)
			sr += rho
			g0 -= uw*rx + c0*ry
			g1 += c1*rx + uw*ry
			g2 += u*ry - w*rx
			g3 -= u*rx + w*ry
			g4 += qx*rx + qy*ry
			q0 -= uw*qx + c0*qy
			q1 += c1*qx + uw*qy
			q2 += u*qy - w*qx
			q3 -= u*qx + w*qy
			q44 += qx*qx + qy*qy
		}
		is2 := is * is
		full := [5][5]float64{
			{is2 * s00, -is2 * s01, -is2 * sa, is2 * sb1, is * q0},
			{-is2 * s01, is2 * s11, -is2 * sb, -is2 * sa1, is * q1},
			{-is2 * sa, -is2 * sb, is2 * sr, 0, is * q2},
			{is2 * sb1, -is2 * sa1, 0, is2 * sr, is * q3},
			{is * q0, is * q1, is * q2, is * q3, q44},
		}
		gf := [5]float64{is * g0, is * g1, is * g2, is * g3, g4}
		var jtj [6][6]float64
		var jtr [6]float64
		for r := 0; r < np; r++ {
			for c := 0; c < np; c++ {
				jtj[r][c] = full[cols[r]][cols[c]]
			}
			jtj[r][r] *= 1 + 1e-9
			jtr[r] = -gf[cols[r]]
		}
		x, ok := solveSym(&jtj, &jtr, np)
		if !ok {
			return moved, false
		}
		r := rodrigues(vec3{x[0], x[1], x[2]})
		m.a = orthonormalize(matMul(&r, &m.a))
		col := 3
		if fitS {
			m.s *= math.Exp(x[col])
			col++
		}
		if fitK {
			m.k += x[col]
		}
		// Converged when the update moves stars by under ~1e-4 px, or when
		// it is under 0.01 px and a hundredth of the previous one: the
		// iteration then converges at least that fast (in practice
		// quadratically, the residuals being small), so the next step
		// would be under 1e-4 px.
		step := (math.Abs(x[0]) + math.Abs(x[1]) + math.Abs(x[2])) / m.s
		if fitS {
			step += math.Abs(x[3]) * m.half()
		}
		if fitK {
			step += math.Abs(x[col]) * m.half()
		}
		moved += step
		if step < 1e-4 || (step < 1e-2 && step < 1e-2*prev) {
			return moved, true
		}
		prev = step
	}
	return moved, false
}

// fit refines m on sc.pairs (see refine) and records which pairs and
// parameters the converged model fits, so that polish can tell when a
// rematch changed nothing.
func (s *Solver) fit(sc *scratch, m *model, fitS, fitK bool) (moved float64) {
	moved, ok := s.refine(m, sc.pairs, fitS, fitK)
	sc.fitted = sc.fitted[:0]
	sc.fittedS, sc.fittedK = fitS, fitK
	if ok {
		for _, p := range sc.pairs {
			sc.fitted = append(sc.fitted, fitKey(p))
		}
	}
	sc.fittedOK = ok
	return moved
}

func fitKey(p pair) int64 { return int64(p.cent)<<32 | int64(p.cat) }

// isFitted reports whether the model was last fitted, to convergence, on
// exactly sc.pairs with these parameters.
func (sc *scratch) isFitted(fitS, fitK bool) bool {
	if !sc.fittedOK || fitS != sc.fittedS || fitK != sc.fittedK || len(sc.pairs) != len(sc.fitted) {
		return false
	}
	for i, p := range sc.pairs {
		if fitKey(p) != sc.fitted[i] {
			return false
		}
	}
	return true
}

// polish is the final fit: it rematches with the refined model, drops
// pairs whose residual exceeds three robust standard deviations (blends,
// hot pixels next to a star), and refits, twice. sc.pairs holds the result.
func (s *Solver) polish(sc *scratch, m *model, cents []Centroid, nv int, rv float64) {
	for round := 0; round < 3; round++ {
		s.reproject(sc, m)
		s.matchStars(sc, m, cents, nv, rv)
		sc.resid = sc.resid[:0]
		for _, p := range sc.pairs {
			sc.resid = append(sc.resid, p.d)
		}
		sc.sorted = append(sc.sorted[:0], sc.resid...)
		med := median(sc.sorted)
		thr := math.Max(0.75, 3*1.4826*med)
		keep := sc.pairs[:0]
		for i, p := range sc.pairs {
			if sc.resid[i] <= thr {
				keep = append(keep, p)
			}
		}
		dropped := len(keep) < len(sc.pairs)
		sc.pairs = keep
		n := len(sc.pairs)
		if n < 3 {
			return
		}
		if sc.isFitted(n >= 5, n >= 12) {
			// The model already fits exactly these pairs.
			break
		}
		moved := s.fit(sc, m, n >= 5, n >= 12)
		if (!dropped && round > 0) || moved < 1e-4 {
			// The model did not move: another round would rematch the
			// same pairs, drop the same outliers and fit the same model.
			break
		}
	}
}

// pairResid is the pixel distance between a pair's centroid and its star.
func (s *Solver) pairResid(m *model, p pair) float64 {
	ux, uy, ok := m.project(p.v)
	if !ok {
		return math.Inf(1)
	}
	mx, my := m.undistort(p.px, p.py)
	return math.Hypot(ux-mx, uy-my)
}

// median returns the median of a (reordering it).
func median(a []float64) float64 {
	n := len(a)
	if n == 0 {
		return 0
	}
	hi := nthSmallest(a, n/2)
	if n%2 == 1 {
		return hi
	}
	// a[:n/2] now holds the n/2 smallest: the largest of them is the other middle.
	return (slices.Max(a[:n/2]) + hi) / 2
}

// nthSmallest returns the k-th smallest element of a (0-based), reordering
// a so that a[:k] holds smaller or equal elements and a[k+1:] larger or
// equal ones (quickselect: linear on average, where sorting is n log n).
func nthSmallest(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for hi > lo {
		if hi-lo < 8 {
			// Insertion sort of the short remainder.
			for i := lo + 1; i <= hi; i++ {
				x := a[i]
				j := i - 1
				for j >= lo && a[j] > x {
					a[j+1] = a[j]
					j--
				}
				a[j+1] = x
			}
			break
		}
		// Median-of-three pivot, then Hoare partition.
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		// Now a[lo..j] ≤ p ≤ a[i..hi], and a[j+1..i-1] == p.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}
