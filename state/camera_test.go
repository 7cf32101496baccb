package state

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestCameraStalled: a camera that publishes no frame for longer than its
// cadence allows is reported stalled; a frame, the camera starting and a
// power change restart the wait (issue 14: a replay camera with nothing
// readable left the summary saying CAM on a 74 s old frame).
func TestCameraStalled(t *testing.T) {
	type step struct {
		after   time.Duration // fake time before the update
		update  Update        // nil: none
		stalled bool          // CameraStalled once the update is applied
	}
	camera := SetCamera{Type: "replay"}
	frame := func(exposure time.Duration) SetFrame {
		return SetFrame{Meta: FrameMeta{ExposureUS: exposure.Microseconds()}}
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"no camera worker yet", []step{{time.Hour, nil, false}}},
		{"no first frame", []step{
			{0, camera, false}, {CameraStallAwake, nil, false}, {time.Second, nil, true},
		}},
		{"frames keep it alive, their end stalls it", []step{
			{0, camera, false}, {10 * time.Second, frame(0), false}, {10 * time.Second, frame(0), false},
			{CameraStallAwake - time.Second, nil, false}, {2 * time.Second, nil, true},
			{time.Second, frame(0), false},
		}},
		{"long exposures wait longer", []step{
			{0, camera, false}, {0, frame(10 * time.Second), false},
			{CameraStallAwake + 19*time.Second, nil, false}, {2 * time.Second, nil, true},
		}},
		{"asleep captures rarely", []step{
			{0, camera, false}, {0, SetPower{Power: Asleep}, false}, {0, frame(0), false},
			{CameraStallAsleep - time.Second, nil, false}, {2 * time.Second, nil, true},
		}},
		{"waking restarts the wait", []step{
			{0, camera, false}, {0, SetPower{Power: Asleep}, false}, {0, frame(0), false},
			{40 * time.Second, SetPower{Power: Awake}, false},
			{CameraStallAwake - time.Second, nil, false}, {2 * time.Second, nil, true},
		}},
		{"the same power state does not", []step{
			{0, camera, false}, {10 * time.Second, SetPower{Power: Awake}, false},
			{CameraStallAwake - 9*time.Second, nil, true},
		}},
		{"no camera never stalls", []step{{0, SetCamera{Type: "none"}, false}, {time.Hour, nil, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st, _ := start(t, Default())
				ctx := context.Background()
				for i, s := range tc.steps {
					time.Sleep(s.after)
					if s.update != nil {
						must(t, st.Update(ctx, s.update))
					}
					snap, err := st.Snapshot(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if got := snap.CameraStalled(time.Now()); got != s.stalled {
						t.Fatalf("step %d (%T after %v): stalled %v, want %v (waiting since %v)",
							i, s.update, s.after, got, s.stalled, time.Since(snap.CameraWait))
					}
				}
			})
		})
	}
}
