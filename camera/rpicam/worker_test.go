package rpicam

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/cameratest"
	"github.com/pifinder-go/pifinder/state/statetest"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// TestWorkerSim runs the worker on the simulated sky: frames reach the
// solver side with their truth, and the state sees them.
func TestWorkerRpicamFaults(t *testing.T) {
	for _, c := range []struct{ mode, kind string }{
		{"die", "child_exit"}, {"stall", "stalled"}, {"garbage", "bad_frame"}, {"short", "short_frame"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			if testing.Short() && c.mode != "die" {
				t.Skip("short mode: the source-level tests cover this fault")
			}
			log := &statetest.LogBuffer{}
			src, err := New(Config{Log: zerolog.New(log),
				Binary: fakeRpicam(t), Sensor: "imx296", RestartMin: 10 * time.Millisecond, RestartMax: 20 * time.Millisecond,
				Env: []string{"FAKE_RPICAM_MODE=" + c.mode, "FAKE_RPICAM_AFTER=3", "FAKE_RPICAM_PERIOD=5ms"},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			w := &camera.Worker{Source: src, Log: zerolog.New(log), ExposureUS: 10000, CaptureTimeout: time.Second}
			r := cameratest.StartWorker(t, state.Default(), w, func(*camera.Frame) {})
			// Wait (polling, bounded) until frames from three children have arrived.
			var snap state.State
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				snap, err = r.Store.Snapshot(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if snap.Stats.Frames >= 7 {
					break
				}
			}
			if err := r.Stop(errors.New("stop requested")); err == nil || err.Error() != "stop requested" {
				t.Fatalf("worker returned %v, want the cause", err)
			}
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

		})
	}
}

// TestWorkerPicamera2 runs the worker on the picamera2 backend: frames
// flow, an exposure command reaches the frames without restarting the
// helper, and a dying helper is restarted.
func TestWorkerPicamera2(t *testing.T) {
	needPython(t)
	log := &statetest.LogBuffer{}
	src, err := NewPicamera2(Picamera2Config{Log: zerolog.New(log), Sensor: "hq",
		Env:        fakePicamera2Env(t, "FAKE_PICAM_PI=5", "FAKE_PICAM_PERIOD_MS=10"),
		RestartMin: 10 * time.Millisecond, RestartMax: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cmds := make(chan camera.Command, 1)
	w := &camera.Worker{Source: src, Log: zerolog.New(log), ExposureUS: 10000, CaptureTimeout: 5 * time.Second, Commands: cmds}
	var mu sync.Mutex
	var metas []state.FrameMeta
	r := cameratest.StartWorker(t, state.Default(), w, func(f *camera.Frame) {
		mu.Lock()
		metas = append(metas, f.Meta)
		mu.Unlock()
	})
	waitFor := func(what string, ok func([]state.FrameMeta) bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			done := ok(metas)
			mu.Unlock()
			if done {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	waitFor("3 frames", func(m []state.FrameMeta) bool { return len(m) >= 3 })
	cmds <- camera.SetExposure{US: 30000}
	waitFor("a 30 ms frame", func(m []state.FrameMeta) bool {
		return len(m) > 0 && m[len(m)-1].ActualExposureUS > 29000 && m[len(m)-1].ActualExposureUS <= 30000
	})
	if err := r.Stop(errors.New("stop requested")); err == nil || err.Error() != "stop requested" {
		t.Fatalf("worker returned %v, want the cause", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range metas {
		if m.Source != "picamera2" || m.ExposureEnd.Sub(m.ExposureStart) != time.Duration(m.ActualExposureUS)*time.Microsecond {
			t.Fatalf("meta %+v", m)
		}
		// Frames delivered carry the exposure asked for (no old-settings
		// frame slips through).
		if !applied(FrameHeader{ExposureUS: m.ActualExposureUS, Gain: m.Gain}, camera.Settings{ExposureUS: m.ExposureUS, Gain: m.Gain}) {
			t.Fatalf("frame asked %d µs has %d µs", m.ExposureUS, m.ActualExposureUS)
		}
	}
	if st := src.Stats(); st.Starts != 1 {
		t.Fatalf("helper started %d times", st.Starts)
	}
}
