package astro

import (
	"math"
	"time"
)

// mat3 is a 3×3 rotation matrix, row major.
type mat3 [3][3]float64

// vec3 is a Cartesian vector in the equatorial convention of solver/geom:
// +z to the pole, +x to RA 0, +y to RA 90°.
type vec3 [3]float64

func identity() mat3 { return mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}} }

// rx and rz premultiply m by a rotation of the reference frame (SOFA's
// iauRx/iauRz convention: a positive angle turns the axes anticlockwise
// seen from the positive end of the axis).
func (m mat3) rx(a float64) mat3 {
	s, c := math.Sincos(a)
	var r mat3
	for j := 0; j < 3; j++ {
		r[0][j] = m[0][j]
		r[1][j] = c*m[1][j] + s*m[2][j]
		r[2][j] = -s*m[1][j] + c*m[2][j]
	}
	return r
}

func (m mat3) rz(a float64) mat3 {
	s, c := math.Sincos(a)
	var r mat3
	for j := 0; j < 3; j++ {
		r[0][j] = c*m[0][j] + s*m[1][j]
		r[1][j] = -s*m[0][j] + c*m[1][j]
		r[2][j] = m[2][j]
	}
	return r
}

func (m mat3) apply(v vec3) vec3 {
	return vec3{
		m[0][0]*v[0] + m[0][1]*v[1] + m[0][2]*v[2],
		m[1][0]*v[0] + m[1][1]*v[1] + m[1][2]*v[2],
		m[2][0]*v[0] + m[2][1]*v[1] + m[2][2]*v[2],
	}
}

func (m mat3) applyT(v vec3) vec3 {
	return vec3{
		m[0][0]*v[0] + m[1][0]*v[1] + m[2][0]*v[2],
		m[0][1]*v[0] + m[1][1]*v[1] + m[2][1]*v[2],
		m[0][2]*v[0] + m[1][2]*v[1] + m[2][2]*v[2],
	}
}

func (v vec3) dot(w vec3) float64 { return v[0]*w[0] + v[1]*w[1] + v[2]*w[2] }

func (v vec3) cross(w vec3) vec3 {
	return vec3{v[1]*w[2] - v[2]*w[1], v[2]*w[0] - v[0]*w[2], v[0]*w[1] - v[1]*w[0]}
}

func (v vec3) norm() float64 { return math.Sqrt(v.dot(v)) }

func unit(raDeg, decDeg float64) vec3 {
	sr, cr := math.Sincos(raDeg * d2r)
	sd, cd := math.Sincos(decDeg * d2r)
	return vec3{cd * cr, cd * sr, sd}
}

// radec returns RA in [0, 360) and Dec in [−90, 90] degrees of v (any length).
func radec(v vec3) (raDeg, decDeg float64) {
	d2 := v[0]*v[0] + v[1]*v[1]
	if d2 == 0 {
		if v[2] == 0 {
			return 0, 0
		}
		return 0, math.Copysign(90, v[2])
	}
	return normDeg(math.Atan2(v[1], v[0]) * r2d), math.Atan2(v[2], math.Sqrt(d2)) * r2d
}

// bpn returns the bias-precession-nutation matrix (GCRS → true equator and
// equinox of date) from the IAU 2006 Fukushima-Williams angles, which
// include the frame bias, and the given nutation: ERFA pnm06a with the
// 2000B instead of the 2000A nutation series.
func bpn(tt julian, n nutation) mat3 {
	t := tt.centuries()
	gamb := (-0.052928 + (10.556378+(0.4932044+(-0.00031238+(-0.000002788+(0.0000000260)*t)*t)*t)*t)*t) * as2r
	phib := (84381.412819 + (-46.811016+(0.0511268+(0.00053289+(-0.000000440+(-0.0000000176)*t)*t)*t)*t)*t) * as2r
	psib := (-0.041775 + (5038.481484+(1.5584175+(-0.00018522+(-0.000026452+(-0.0000000148)*t)*t)*t)*t)*t) * as2r
	return identity().rz(gamb).rx(phib).rz(-(psib + n.dpsi)).rx(-(n.epsA + n.deps))
}

// JNow converts J2000 (ICRS) RA/Dec in degrees to the true equator and
// equinox of date ("JNow", what LX200 clients expect) at the UTC instant t.
// Only the frame rotation is applied: no aberration, no proper motion.
// RA is returned in [0, 360).
func JNow(raDeg, decDeg float64, t time.Time) (raDate, decDate float64) {
	tt := scales(t).tt
	return radec(bpn(tt, nutate(tt)).apply(unit(raDeg, decDeg)))
}

// J2000FromJNow is the inverse of JNow: true equator and equinox of date at
// t back to J2000 (ICRS) RA/Dec in degrees, RA in [0, 360).
func J2000FromJNow(raDate, decDate float64, t time.Time) (raDeg, decDeg float64) {
	tt := scales(t).tt
	return radec(bpn(tt, nutate(tt)).applyT(unit(raDate, decDate)))
}
