package rot

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"
)

func TestAngle(t *testing.T) {
	z := r3.Vec{Z: 1}
	cases := []struct {
		name   string
		a, b   quat.Number
		wantRd float64
	}{
		{"identity", quat.Number{Real: 1}, quat.Number{Real: 1}, 0},
		{"90° about z", quat.Number{Real: 1}, AxisAngle(z, math.Pi/2), math.Pi / 2},
		{"double cover folds", quat.Number{Real: 1}, quat.Scale(-1, AxisAngle(z, 0.3)), 0.3},
		{"1 arcsec keeps precision", AxisAngle(z, 1), AxisAngle(z, 1+math.Pi/180/3600), math.Pi / 180 / 3600},
		{"not unit", quat.Scale(3, AxisAngle(z, 0.2)), quat.Scale(0.5, AxisAngle(z, 0.5)), 0.3},
		{"zero", quat.Number{}, quat.Number{Real: 1}, 0},
	}
	for _, c := range cases {
		if got := Angle(c.a, c.b); math.Abs(got-c.wantRd) > 1e-12 {
			t.Errorf("%s: Angle = %.15g, want %.15g", c.name, got, c.wantRd)
		}
	}
}

func TestRotateMatchesSandwich(t *testing.T) {
	q := Normalize(quat.Number{Real: 0.3, Imag: -0.5, Jmag: 0.7, Kmag: 0.1})
	v := r3.Vec{X: 0.2, Y: -1.1, Z: 0.4}
	s := quat.Mul(quat.Mul(q, quat.Number{Imag: v.X, Jmag: v.Y, Kmag: v.Z}), quat.Conj(q))
	got := Rotate(q, v)
	if d := r3.Norm(r3.Sub(got, r3.Vec{X: s.Imag, Y: s.Jmag, Z: s.Kmag})); d > 1e-14 {
		t.Errorf("Rotate differs from q v q* by %g", d)
	}
}

func TestNormalizeZeroIsNaN(t *testing.T) {
	if !HasNaN(Normalize(quat.Number{})) {
		t.Error("zero quaternion should normalise to NaN")
	}
	if HasNaN(Normalize(quat.Number{Real: 2})) {
		t.Error("non-zero quaternion normalised to NaN")
	}
}
