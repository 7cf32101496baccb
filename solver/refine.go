package solver

import (
	"math"
	"slices"
)

// refine fits the attitude, the pixel scale (if fitS) and the radial
// distortion (if fitK) to the pairs by Gauss-Newton least squares on the
// undistorted centred pixel residuals.
func (s *Solver) refine(m *model, pairs []pair, fitS, fitK bool) {
	np := 3
	if fitS {
		np++
	}
	if fitK {
		np++
	}
	hw2 := m.half() * m.half()
	for iter := 0; iter < 6; iter++ {
		var jtj [6][6]float64
		var jtr [6]float64
		for _, p := range pairs {
			v := p.v
			c := m.a.mul(v)
			if c[2] <= 1e-9 {
				continue
			}
			rr := (p.px*p.px + p.py*p.py) / hw2
			f := 1 - m.k*rr
			mx, my := p.px*f, p.py*f
			u, w := c[0]/c[2], c[1]/c[2]
			px0, py0 := u/m.s, w/m.s
			res := [2]float64{px0 - mx, py0 - my}
			// Derivatives of (u, v) for c' = (I + [ω]×)·c.
			var jx, jy [6]float64
			is := 1 / m.s
			jx[0], jy[0] = -u*w*is, -(1+w*w)*is
			jx[1], jy[1] = (1+u*u)*is, u*w*is
			jx[2], jy[2] = -w*is, u*is
			col := 3
			if fitS {
				// d/d(ln s) of c/s is −c/s.
				jx[col], jy[col] = -px0, -py0
				col++
			}
			if fitK {
				// d/dk of −p(1 − k·rr) is p·rr.
				jx[col], jy[col] = p.px*rr, p.py*rr
			}
			for a := 0; a < np; a++ {
				jtr[a] += jx[a]*res[0] + jy[a]*res[1]
				for b := a; b < np; b++ {
					jtj[a][b] += jx[a]*jx[b] + jy[a]*jy[b]
				}
			}
		}
		for a := 0; a < np; a++ {
			for b := 0; b < a; b++ {
				jtj[a][b] = jtj[b][a]
			}
		}
		for a := 0; a < np; a++ {
			jtj[a][a] *= 1 + 1e-9
			jtr[a] = -jtr[a]
		}
		x, ok := solveSym(&jtj, &jtr, np)
		if !ok {
			return
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
		// Converged when the update moves stars by under ~1e-4 px.
		step := (math.Abs(x[0]) + math.Abs(x[1]) + math.Abs(x[2])) / m.s
		if fitS {
			step += math.Abs(x[3]) * m.half()
		}
		if step < 1e-4 {
			break
		}
	}
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
		s.refine(m, sc.pairs, n >= 5, n >= 12)
		if !dropped && round > 0 {
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
	if len(a) == 0 {
		return 0
	}
	slices.Sort(a)
	if len(a)%2 == 1 {
		return a[len(a)/2]
	}
	return (a[len(a)/2-1] + a[len(a)/2]) / 2
}
