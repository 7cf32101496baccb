package deadreck

import (
	"math"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/state"
)

const deg = math.Pi / 180

// RaDecRoll is a pointing in radians. A NaN component marks it invalid
// ("none"), as in PiFinder.
type RaDecRoll struct {
	RA, Dec, Roll float64
}

// Invalid is the "none" pointing.
var Invalid = RaDecRoll{math.NaN(), math.NaN(), math.NaN()}

// Valid reports whether no component is NaN.
func (p RaDecRoll) Valid() bool {
	return !math.IsNaN(p.RA) && !math.IsNaN(p.Dec) && !math.IsNaN(p.Roll)
}

// FromPointing converts a degrees pointing to radians; an invalid pointing
// gives Invalid.
func FromPointing(p state.Pointing) RaDecRoll {
	if !p.Valid {
		return Invalid
	}
	return RaDecRoll{RA: p.RA * deg, Dec: p.Dec * deg, Roll: p.Roll * deg}
}

// Pointing converts to degrees; a NaN component gives an invalid pointing.
func (p RaDecRoll) Pointing() state.Pointing {
	return state.PointingOf(p.RA/deg, p.Dec/deg, p.Roll/deg)
}

// NaNQuat is the "no quaternion" value handed to Solve for a missing anchor.
var NaNQuat = quat.Number{Real: math.NaN(), Imag: math.NaN(), Jmag: math.NaN(), Kmag: math.NaN()}

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
		return NaNQuat
	}
	return quat.Scale(1/n, q)
}

// Angle returns the rotation angle (radians, in [0, π]) between two
// orientations: dq = q1* ⊗ q2, θ = 2·atan2(|dq.vec|, dq.w), folded for the
// double cover.
func Angle(q1, q2 quat.Number) float64 {
	dq := quat.Mul(quat.Conj(q1), q2)
	v := math.Sqrt(dq.Imag*dq.Imag + dq.Jmag*dq.Jmag + dq.Kmag*dq.Kmag)
	th := 2 * math.Atan2(v, dq.Real)
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

var (
	axisY = r3.Vec{Y: 1}
	axisZ = r3.Vec{Z: 1}
)

// EqToCam returns q_eq2cam for a pointing:
// normalise(axis_angle(z, ra) ⊗ axis_angle(y, π/2 − dec) ⊗ axis_angle(z, π/2 + roll)).
func EqToCam(p RaDecRoll) quat.Number {
	q := quat.Mul(AxisAngle(axisZ, p.RA), AxisAngle(axisY, math.Pi/2-p.Dec))
	return Normalize(quat.Mul(q, AxisAngle(axisZ, math.Pi/2+p.Roll)))
}

// ToRaDecRoll is the inverse of EqToCam: RA in (−π, π], Dec in [−π/2, π/2],
// Roll in (−π, π]. A NaN quaternion gives Invalid.
func ToRaDecRoll(q quat.Number) RaDecRoll {
	if HasNaN(q) {
		return Invalid
	}
	b := Rotate(q, axisZ)
	dec := math.Asin(math.Max(-1, math.Min(1, b.Z)))
	ra := math.Atan2(b.Y, b.X)
	u := Rotate(q, axisY)
	sr, cr := math.Sincos(ra)
	sd, cd := math.Sincos(dec)
	east := r3.Vec{X: -sr, Y: cr}
	north := r3.Vec{X: -sd * cr, Y: -sd * sr, Z: cd}
	roll := -math.Atan2(r3.Dot(u, east), r3.Dot(u, north))
	return RaDecRoll{RA: ra, Dec: dec, Roll: roll}
}
