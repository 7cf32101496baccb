package deadreck

import (
	"math"

	"github.com/pifinder-go/pifinder/internal/sky/rot"

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
var NaNQuat = rot.NaN

var (
	axisY = r3.Vec{Y: 1}
	axisZ = r3.Vec{Z: 1}
)

// EqToCam returns q_eq2cam for a pointing:
// normalise(axis_angle(z, ra) ⊗ axis_angle(y, π/2 − dec) ⊗ axis_angle(z, π/2 + roll)).
func EqToCam(p RaDecRoll) quat.Number {
	q := quat.Mul(rot.AxisAngle(axisZ, p.RA), rot.AxisAngle(axisY, math.Pi/2-p.Dec))
	return rot.Normalize(quat.Mul(q, rot.AxisAngle(axisZ, math.Pi/2+p.Roll)))
}

// ToRaDecRoll is the inverse of EqToCam: RA in (−π, π], Dec in [−π/2, π/2],
// Roll in (−π, π]. A NaN quaternion gives Invalid.
func ToRaDecRoll(q quat.Number) RaDecRoll {
	if rot.HasNaN(q) {
		return Invalid
	}
	b := rot.Rotate(q, axisZ)
	dec := math.Asin(math.Max(-1, math.Min(1, b.Z)))
	ra := math.Atan2(b.Y, b.X)
	u := rot.Rotate(q, axisY)
	sr, cr := math.Sincos(ra)
	sd, cd := math.Sincos(dec)
	east := r3.Vec{X: -sr, Y: cr}
	north := r3.Vec{X: -sd * cr, Y: -sd * sr, Z: cd}
	roll := -math.Atan2(r3.Dot(u, east), r3.Dot(u, north))
	return RaDecRoll{RA: ra, Dec: dec, Roll: roll}
}
