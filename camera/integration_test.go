package camera

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
)

// TestWorkerSim runs the worker on the simulated sky: frames reach the
// solver side with their truth, and the state sees them.
func TestWorkerSim(t *testing.T) {
	stars := testStars(t)
	synctest.Test(t, func(t *testing.T) {
		att := geom.Attitude{RA: 56.9, Dec: 24.1, Roll: 10}
		src, err := Open("sim", Config{Sim: SimConfig{Stars: stars, Epoch: 2026, World: simworld.New(time.Now(), simworld.Script{Start: att})}})
		if err != nil {
			t.Fatal(err)
		}
		var truths []state.Pointing
		r := startRig(t, state.Default(), src, func(w *Worker) { w.ExposureUS = 200000 },
			func(_ context.Context, _ *state.Store, f *Frame) { truths = append(truths, f.Meta.Truth) })
		time.Sleep(2 * time.Second)
		snap, err := r.st.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r.stop(t, errors.New("done"))
		if snap.CameraType != "sim" || snap.Stats.Frames < 5 || !snap.Frame.Truth.Valid {
			t.Fatalf("type %q, %d frames, truth %+v", snap.CameraType, snap.Stats.Frames, snap.Frame.Truth)
		}
		for _, p := range truths {
			if !p.Valid || geom.Separation(p.RA, p.Dec, att.RA, att.Dec) > 1e-6 {
				t.Fatalf("truth %+v", p)
			}
		}
	})
}

// TestWorkerRpicamFaults runs the worker on a fake rpicam child that
// fails every few frames (dies, stalls, writes garbage or a short frame):
// frames keep flowing, each failure kind is logged once, and stopping logs
// one line and leaves no process or goroutine behind.
func TestWorkerRpicamFaults(t *testing.T) {
	for _, c := range []struct{ mode, kind string }{
		{"die", "child_exit"}, {"stall", "stalled"}, {"garbage", "bad_frame"}, {"short", "short_frame"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			if testing.Short() && c.mode != "die" {
				t.Skip("short mode: the source-level tests cover this fault")
			}
			log := &syncBuf{}
			src, err := Open("rpicam", Config{Log: zerolog.New(log), Rpicam: RpicamConfig{
				Binary: fakeRpicam(t), Sensor: "imx296", RestartMin: 10 * time.Millisecond, RestartMax: 20 * time.Millisecond,
				Env: []string{"FAKE_RPICAM_MODE=" + c.mode, "FAKE_RPICAM_AFTER=3", "FAKE_RPICAM_PERIOD=5ms"},
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			r := startRig(t, state.Default(), src, func(w *Worker) {
				w.Log, w.ExposureUS, w.CaptureTimeout = zerolog.New(log), 10000, time.Second
			}, func(context.Context, *state.Store, *Frame) {})
			// Wait (polling, bounded) until frames from three children have arrived.
			var snap state.State
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				snap, err = r.st.Snapshot(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if snap.Stats.Frames >= 7 {
					break
				}
			}
			r.stop(t, errors.New("stop requested"))
			if snap.Stats.Frames < 7 || snap.CameraType != "imx296" {
				t.Fatalf("%d frames from a restarting child (type %q)", snap.Stats.Frames, snap.CameraType)
			}
			// Each kind of failure is logged once (a slow machine may add a
			// capture timeout, also logged once).
			for _, k := range []string{c.kind, "timeout"} {
				if n := log.Count(`"kind":"` + k + `"`); n > 1 || (k == c.kind && n != 1) {
					t.Fatalf("worker logged %d %s lines, want 1:\n%s", n, k, log)
				}
			}
			if log.Count("stop requested") != 1 {
				t.Fatalf("stop not logged once:\n%s", log)
			}
		})
	}
}
