package rot

import (
	"math"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"
)

// NaN is the "no orientation" quaternion.
var NaN = quat.Number{Real: math.NaN(), Imag: math.NaN(), Jmag: math.NaN(), Kmag: math.NaN()}

// HasNaN reports whether any component of q is NaN.
func HasNaN(q quat.Number) bool {
	return math.IsNaN(q.Real) || math.IsNaN(q.Imag) || math.IsNaN(q.Jmag) || math.IsNaN(q.Kmag)
}

// AxisAngle returns the rotation by theta (radians) about axis:
// (cos θ/2, û·sin θ/2). A zero axis gives NaN components.
func AxisAngle(axis r3.Vec, theta float64) quat.Number {
	u := r3.Unit(axis)
	s, c := math.Sincos(theta / 2)
	return quat.Number{Real: c, Imag: u.X * s, Jmag: u.Y * s, Kmag: u.Z * s}
}

// Normalize returns q/|q|. The zero quaternion normalises to NaN, which every
// consumer treats as "no orientation" (as numpy-quaternion does).
func Normalize(q quat.Number) quat.Number {
	n := quat.Abs(q)
	if n == 0 {
		return NaN
	}
	return quat.Scale(1/n, q)
}

// Angle returns the rotation angle (radians, in [0, π]) between two
// orientations (reference §5.3): dq = q1* ⊗ q2, θ = 2·atan2(|dq.vec|, dq.w),
// folded for the double cover. The atan2 form keeps full precision for small
// angles, where acos of the dot product loses half the digits. Inputs need
// not be unit quaternions; a zero quaternion gives 0.
func Angle(q1, q2 quat.Number) float64 {
	dq := quat.Mul(quat.Conj(q1), q2)
	n := quat.Abs(q1) * quat.Abs(q2)
	if n == 0 {
		return 0
	}
	v := math.Sqrt(dq.Imag*dq.Imag+dq.Jmag*dq.Jmag+dq.Kmag*dq.Kmag) / n
	th := 2 * math.Atan2(v, dq.Real/n)
	if th > math.Pi {
		th = 2*math.Pi - th
	}
	return th
}

// Rotate returns q·v·q* for a unit quaternion q.
func Rotate(q quat.Number, v r3.Vec) r3.Vec {
	// v' = v + 2w(u×v) + 2u×(u×v): the same as the sandwich product, without
	// three quaternion products.
	u := r3.Vec{X: q.Imag, Y: q.Jmag, Z: q.Kmag}
	t := r3.Scale(2, r3.Cross(u, v))
	return r3.Add(r3.Add(v, r3.Scale(q.Real, t)), r3.Cross(u, t))
}
