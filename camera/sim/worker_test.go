package sim

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/cameratest"
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
		src, err := New(Config{Stars: stars, Epoch: 2026, World: simworld.New(time.Now(), simworld.Script{Start: att})})
		if err != nil {
			t.Fatal(err)
		}
		var truths []state.Pointing
		w := &camera.Worker{Source: src, Log: zerolog.Nop(), ExposureUS: 200000}
		r := cameratest.StartWorker(t, state.Default(), w, func(f *camera.Frame) { truths = append(truths, f.Meta.Truth) })
		time.Sleep(2 * time.Second)
		snap, err := r.Store.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r.Stop(errors.New("done"))
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
