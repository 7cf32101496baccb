package mount

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/internal/sky/rot"
)

const tol = 1e-9

// sameRotation compares quaternions modulo the double cover.
func sameRotation(a, b quat.Number, eps float64) bool {
	return quat.Abs(quat.Sub(a, b)) <= eps || quat.Abs(quat.Add(a, b)) <= eps
}

// TestT8IMUToCam holds the build table to reference §5.2 (T8): each build's
// quaternion and the camera axes it maps the IMU's x, y, z to.
func TestT8IMUToCam(t *testing.T) {
	h := 0.5
	s2 := math.Sqrt2 / 2
	v := func(x, y, z float64) r3.Vec { return r3.Vec{X: x, Y: y, Z: z} }
	rows := []struct {
		dir            string
		q              quat.Number
		left, up, bore r3.Vec
	}{
		{"flat", quat.Number{Real: h, Imag: h, Jmag: -h, Kmag: -h}, v(0, -1, 0), v(0, 0, 1), v(-1, 0, 0)},
		{"left", quat.Number{Real: h, Imag: h, Jmag: -h, Kmag: h}, v(0, 0, 1), v(-1, 0, 0), v(0, -1, 0)},
		{"right", quat.Number{Real: h, Imag: -h, Jmag: h, Kmag: h}, v(0, 0, -1), v(-1, 0, 0), v(0, 1, 0)},
		{"straight", quat.Number{Real: 0, Imag: -s2, Jmag: s2, Kmag: 0}, v(0, -1, 0), v(-1, 0, 0), v(0, 0, -1)},
		{"flat3", quat.Number{Real: 0.3536, Imag: 0.6124, Jmag: -0.6124, Kmag: -0.3536}, v(0, -1, 0), v(-0.5, 0, math.Sqrt(3)/2), v(-math.Sqrt(3)/2, 0, -0.5)},
		{"as_bloom", quat.Number{Imag: 1}, v(1, 0, 0), v(0, -1, 0), v(0, 0, -1)},
		{"as_heart", quat.Number{Jmag: -s2, Kmag: s2}, v(-1, 0, 0), v(0, 0, -1), v(0, -1, 0)},
		{"rev4_left", quat.Number{Real: h, Imag: h, Jmag: h, Kmag: -h}, v(0, 0, -1), v(1, 0, 0), v(0, -1, 0)},
		{"rev4_right", quat.Number{Real: h, Imag: -h, Jmag: -h, Kmag: -h}, v(0, 0, 1), v(1, 0, 0), v(0, 1, 0)},
		{"rev4_straight", quat.Number{Real: 0.3536, Imag: -0.3536, Jmag: 0.1464, Kmag: -0.8536}, v(-0.5, -s2, 0.5), v(0.5, -s2, -0.5), v(s2, 0, s2)},
	}
	if len(rows) != len(Directions()) {
		t.Fatalf("table has %d rows, package knows %d", len(rows), len(Directions()))
	}
	for _, c := range rows {
		t.Run(c.dir, func(t *testing.T) {
			q, err := IMUToCamera(c.dir)
			if err != nil {
				t.Fatal(err)
			}
			// The listed quaternions are rounded to 4 decimals.
			if !sameRotation(q, c.q, 1e-4) {
				t.Errorf("q_imu2cam = %v, want %v", q, c.q)
			}
			for i, col := range []struct {
				name string
				in   r3.Vec
				want r3.Vec
			}{{"left", v(1, 0, 0), c.left}, {"up", v(0, 1, 0), c.up}, {"boresight", v(0, 0, 1), c.bore}} {
				got := rot.Rotate(q, col.in)
				if r3.Norm(r3.Sub(got, col.want)) > tol {
					t.Errorf("column %d (%s) = %v, want %v", i, col.name, got, col.want)
				}
			}
		})
	}
	if _, err := IMUToCamera("sideways"); err == nil || !strings.Contains(err.Error(), "sideways") {
		t.Errorf("unknown direction: err = %v", err)
	}
	if q, err := IMUToCamera("v4_left"); err != nil || !sameRotation(q, quat.Number{Real: h, Imag: h, Jmag: h, Kmag: -h}, 1e-12) {
		t.Errorf("legacy v4_left: %v %v", q, err)
	}
	if q, err := IMUToCamera(""); err != nil || !sameRotation(q, rows[2].q, 1e-12) {
		t.Errorf("default direction: %v %v", q, err)
	}
}
