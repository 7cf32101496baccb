package solver

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/sim"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/solver/detect"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// TestWorkerLogsRateLimited: when solvable and unsolvable frames alternate,
// the "no solve" and "solving again" lines are limited like every other
// transient kind: the first, then at most one a minute per kind with the
// count of those left out.
func TestWorkerLogsRateLimited(t *testing.T) {
	slv, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		world := simworld.New(time.Now(), simworld.Script{Start: simworld.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}})
		cam, err := sim.New(sim.Config{World: world, Epoch: 2026})
		if err != nil {
			t.Fatal(err)
		}
		blank := camera.NewPool(camera.DefaultSize, camera.DefaultSize)
		var logs statetest.LogBuffer
		st := statetest.Start(t, state.Default())
		h := camera.NewHandoff()
		out := make(chan state.SolveEvent, 1)
		w := &Worker{Solver: slv, Store: st, Frames: h, Out: out, Log: zerolog.New(&logs), Detect: detect.DefaultOptions(), FOVEstimate: 13.7, MaxMotionDeg: -1}
		ctx, cancel := context.WithCancelCause(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		const frames = 180 // three minutes, one frame a second
		solved := 0
		for i := range frames {
			var f *camera.Frame
			if i%2 == 0 {
				if f, err = cam.Capture(ctx, camera.Settings{ExposureUS: 200000, Gain: 1}); err != nil {
					t.Fatal(err)
				}
			} else {
				f = blank.Get()
				f.Meta = state.FrameMeta{Width: camera.DefaultSize, Height: camera.DefaultSize, ExposureEnd: time.Now(), Source: "blank"}
			}
			h.Put(f)
			if ev := <-out; ev.Success {
				solved++
			}
			time.Sleep(time.Second)
		}
		cause := errors.New("test over")
		cancel(cause)
		if err := <-done; !errors.Is(err, cause) {
			t.Fatalf("Run = %v, want the cause", err)
		}
		h.Drain()
		if solved < frames/2-2 {
			t.Fatalf("%d of %d star frames solved; the test needs them to alternate", solved, frames/2)
		}
		for _, kind := range []string{"no solve", "solving again"} {
			// The first line, then one a minute: at most 4 in 3 minutes.
			if n := logs.Count(kind); n < 1 || n > 4 {
				t.Errorf("%d %q lines in 3 minutes of alternating frames, want 1 to 4:\n%s", n, kind, logs.String())
			}
		}
		if logs.Count(`"suppressed"`) == 0 {
			t.Errorf("no line counts the ones left out:\n%s", logs.String())
		}
	})
}
