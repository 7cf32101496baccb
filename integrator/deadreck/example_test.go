package deadreck_test

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/hw/mount"
	"github.com/pifinder-go/pifinder/integrator/deadreck"
	"github.com/pifinder-go/pifinder/internal/sky/rot"
	"github.com/pifinder-go/pifinder/state"
)

// A solve at RA 30° seeds the reckoner; the IMU then turns 10° about its z
// axis, which on the "flat" build is image-up: the camera moves 10° in RA.
func ExampleReckoner() {
	imu2cam, err := mount.IMUToCamera("flat")
	if err != nil {
		panic(err)
	}
	r := deadreck.NewReckoner(imu2cam)
	solved := deadreck.FromPointing(state.PointingOf(30, 0, 0))
	r.Solve(solved, solved, quat.Number{Real: 1})
	cam, _, ok := r.Predict(rot.AxisAngle(r3.Vec{Z: 1}, 10*math.Pi/180))
	p := cam.Pointing()
	fmt.Printf("%v RA %.3f Dec %.3f\n", ok, p.RA, p.Dec)
	// Output: true RA 40.000 Dec 0.000
}
