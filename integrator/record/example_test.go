package record_test

import (
	"bytes"
	"fmt"
	"time"

	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/integrator/record"
	"github.com/pifinder-go/pifinder/state"
)

// Record two ticks the way the live loop would, then replay them.
func ExampleReplay() {
	var buf bytes.Buffer
	rec, err := record.NewRecorder(&buf, integrator.Config{ScreenDirection: "right"})
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	p := state.PointingOf(101.3, -16.7, 50)
	core, _ := integrator.NewCore(integrator.Config{ScreenDirection: "right"})
	for _, tk := range []integrator.Tick{
		{Solve: &state.SolveEvent{Success: true, Camera: p, Aligned: p, Anchor: quat.Number{Real: 1}, Attempt: t0}, Now: t0},
		{Solve: &state.SolveEvent{Attempt: t0.Add(time.Second), LastSuccess: t0}, Now: t0},
	} {
		tk = tk.Sanitized()
		rec.Tick(tk)
		core.Step(tk, rec.Published)
	}
	err = record.Replay(&buf, integrator.Config{}, func(e state.Estimate) {
		fmt.Println(record.FormatEstimate(e))
	})
	fmt.Println(err)
	// Output:
	// 2026-03-01T22:00:00Z CAM ra=101.3000 dec=-16.7000 roll=50.00 alt=+57.64 az=237.47 CMa matches=0
	// 2026-03-01T22:00:00Z CAM_FAILED ra=101.3000 dec=-16.7000 roll=50.00 alt=+57.64 az=237.47 CMa matches=0
	// <nil>
}
