package integrator_test

import (
	"fmt"
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/rot"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/state"
)

// A solve, then an IMU sample 5° away: two publications, the second from the IMU.
func ExampleCore_Step() {
	core, err := integrator.NewCore(integrator.Config{ScreenDirection: "flat"})
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	p := state.PointingOf(83.8, -5.4, 0)
	print := func(e state.Estimate) {
		a := e.Aligned.Estimate
		fmt.Printf("%s %.2f %.2f %s\n", e.Source, a.RA, a.Dec, e.Constellation)
	}
	core.Step(integrator.Tick{Solve: &state.SolveEvent{Success: true, Camera: p, Aligned: p,
		Anchor: quat.Number{Real: 1}, Attempt: t0, LastSuccess: t0}, Now: t0}, print)
	q := rot.AxisAngle(r3.Vec{Z: 1}, 5*math.Pi/180)
	core.Step(integrator.Tick{HasIMU: true, IMU: state.ImuSample{Time: t0.Add(time.Second), Quat: q, Status: 3}, Now: t0}, print)
	// Output:
	// CAM 83.80 -5.40 Ori
	// IMU 88.82 -5.38 Ori
}
