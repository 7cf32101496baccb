package mount

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/internal/sky/rot"
)

// Default is the build PiFinder assumes when none is configured.
const Default = "right"

type imuMount struct {
	ax1   r3.Vec
	deg1  float64
	ax2   r3.Vec
	deg2  float64
	image int // solve-image rotation of the build, degrees
}

var (
	ax = r3.Vec{X: 1}
	ay = r3.Vec{Y: 1}
	az = r3.Vec{Z: 1}
)

// mounts is the screen_direction table: q_imu2cam = normalise(q1 ⊗ q2).
var mounts = map[string]imuMount{
	"flat":          {ay, -90, az, -90, 270},
	"left":          {ax, 90, az, 90, 270},
	"right":         {ax, -90, az, 90, 90},
	"straight":      {ay, 180, az, -90, 90},
	"flat3":         {ay, -120, az, -90, 90},
	"as_bloom":      {ay, 180, az, 180, 90},
	"as_heart":      {ax, 90, az, 180, 90},
	"rev4_left":     {ax, 90, az, -90, 0},
	"rev4_right":    {ax, -90, az, -90, 270},
	"rev4_straight": {ay, 45, az, -135, 270},
}

// legacy names that config loading renames.
var legacyDirections = map[string]string{
	"v4_left":     "rev4_left",
	"v4_right":    "rev4_right",
	"v4_straight": "rev4_straight",
}

// Directions lists the known build names, sorted.
func Directions() []string {
	names := make([]string, 0, len(mounts))
	for k := range mounts {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Canonical maps "" to the default and legacy v4_* names to rev4_*.
func Canonical(dir string) string {
	if dir == "" {
		return Default
	}
	if n, ok := legacyDirections[dir]; ok {
		return n
	}
	return dir
}

// IMUToCamera returns q_imu2cam for a build (screen_direction). An unknown
// direction is an error; "" means the default ("right").
func IMUToCamera(direction string) (quat.Number, error) {
	m, ok := mounts[Canonical(direction)]
	if !ok {
		return quat.Number{}, fmt.Errorf("unknown screen direction %q (known: %v)", direction, Directions())
	}
	q := quat.Mul(rot.AxisAngle(m.ax1, m.deg1*math.Pi/180), rot.AxisAngle(m.ax2, m.deg2*math.Pi/180))
	return rot.Normalize(q), nil
}

// ImageRotation returns the solve-image rotation (degrees CCW) of a build.
func ImageRotation(direction string) (int, error) {
	m, ok := mounts[Canonical(direction)]
	if !ok {
		return 0, fmt.Errorf("unknown screen direction %q", direction)
	}
	return m.image, nil
}
