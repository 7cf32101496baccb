package solver

import (
	"math"
	"slices"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

const arcsec = 180 / math.Pi * 3600

// result turns an accepted hypothesis into a Result.
func (s *Solver) result(req *Request, sc *scratch, hy hypothesis, mode string) Result {
	m := hy.m
	cents := req.Centroids
	sc.pairs = append(sc.pairs[:0], hy.pairs...)
	att := geom.AttitudeOf(m.rotation())
	r := Result{
		Status:     StatusMatch,
		RA:         att.RA,
		Dec:        att.Dec,
		Roll:       att.Roll,
		Attitude:   att,
		FOV:        m.fov(),
		Distortion: m.k,
		Matches:    len(sc.pairs),
		Prob:       hy.prob,
		Mode:       mode,
	}
	r.Matched = make([]Match, len(sc.pairs))
	sc.resid = sc.resid[:0]
	for i, p := range sc.pairs {
		c := cents[p.cent]
		st := &s.db.Stars[p.cat]
		ra, dec := raDec(st.Vec)
		// Residual: the angle between the measured direction and the star.
		ux, uy, _ := m.project(p.v)
		mx, my := m.undistort(p.px, p.py)
		a, b := unit(vec3{ux * m.s, uy * m.s, 1}), unit(vec3{mx * m.s, my * m.s, 1})
		cr := cross(a, b)
		res := angle(math.Sqrt(dot(cr, cr)), dot(a, b)) * arcsec
		px, py := m.pixelFast(ux, uy)
		r.Matched[i] = Match{X: c.X, Y: c.Y, HIP: st.HIP, RA: ra, Dec: dec, Vmag: st.Vmag,
			Residual: res, Centroid: p.cent, Predicted: [2]float64{px, py}}
		sc.resid = append(sc.resid, res)
	}
	if n := len(sc.resid); n > 0 {
		ss := 0.0
		for _, v := range sc.resid {
			ss += v * v
		}
		r.RMSE = math.Sqrt(ss / float64(n))
		r.MaxErr = slices.Max(sc.resid)
		r.P90 = nthSmallest(sc.resid, min(n-1, int(math.Ceil(0.9*float64(n)))-1))
	}
	if tp := req.TargetPixel; tp != nil {
		r.RATarget, r.DecTarget = raDec(m.pixelVec(tp[1], tp[0]))
		r.HasTarget = true
	}
	if ts := req.TargetSky; ts != nil {
		v := geom.Vector(ts[0], ts[1])
		x, y, ok := m.pixel(vec3{v.X, v.Y, v.Z})
		if ok && x >= 0 && y >= 0 && x < m.w && y < m.h {
			r.XTarget, r.YTarget, r.HasTargetPixel = x, y, true
		}
	}
	return r
}

func raDec(v vec3) (float64, float64) {
	ra := math.Atan2(v[1], v[0]) * 180 / math.Pi
	if ra < 0 {
		ra += 360
	}
	if ra >= 360 {
		ra -= 360
	}
	return ra, math.Asin(math.Max(-1, math.Min(1, v[2]))) * 180 / math.Pi
}

// angle is atan2(sn, cs) for sn ≥ 0, with the series for the small angles
// of residuals: t − t³/3 + t⁵/5 is atan t to double precision below 1e-3.
func angle(sn, cs float64) float64 {
	if cs > 0 && sn < 1e-3*cs {
		t := sn / cs
		t2 := t * t
		return t * (1 - t2*(1.0/3-t2/5))
	}
	return math.Atan2(sn, cs)
}
