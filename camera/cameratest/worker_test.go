package cameratest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/cameratest"
	"github.com/pifinder-go/pifinder/state"
)

// flat is an embedder's own source: a uniform grey frame per capture.
type flat struct{ pool *camera.Pool }

func (s flat) Capture(ctx context.Context, set camera.Settings) (*camera.Frame, error) {
	f := s.pool.Get()
	f.Meta.ExposureUS, f.Meta.Gain = set.ExposureUS, set.Gain
	return f, nil
}
func (flat) Info() camera.Info {
	return camera.Info{Type: "flat", Width: 16, Height: 16, DefaultGain: 1}
}
func (flat) Close() error { return nil }

func TestStartWorker(t *testing.T) {
	frames := 0
	w := &camera.Worker{Source: flat{camera.NewPool(16, 16)}, Log: zerolog.Nop(), ExposureUS: 1000}
	r := cameratest.StartWorker(t, state.Default(), w, func(*camera.Frame) { frames++ })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if st, _ := r.Store.Snapshot(context.Background()); st.Stats.Frames >= 3 {
			break
		}
	}
	cause := errors.New("done")
	if err := r.Stop(cause); !errors.Is(err, cause) {
		t.Fatalf("Stop = %v, want the cause", err)
	}
	st, _ := r.Store.Snapshot(context.Background())
	if st.CameraType != "flat" || st.Stats.Frames < 3 || frames == 0 {
		t.Fatalf("camera %q, %d frames published, %d consumed", st.CameraType, st.Stats.Frames, frames)
	}
}
