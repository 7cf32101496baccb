package replay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/cameratest"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// shot is the result of one capture: the file shown, or the error.
type shot struct {
	name string
	px   uint8
	err  error
}

func capture(t *testing.T, src *Camera, exposure time.Duration) shot {
	t.Helper()
	f, err := src.Capture(context.Background(), camera.Settings{ExposureUS: exposure.Microseconds(), Gain: 1})
	if err != nil {
		return shot{err: err}
	}
	defer f.Release()
	return shot{name: f.Meta.Name, px: f.Gray.Pix[0]}
}

// until captures (every 0.5 s of fake time, as the worker's first
// retries would) until ok accepts a shot, and returns how long that took;
// it fails the test after limit.
func until(t *testing.T, src *Camera, limit time.Duration, what string, ok func(shot) bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) <= limit {
		if s := capture(t, src, 500*time.Millisecond); ok(s) {
			return time.Since(start)
		}
	}
	t.Fatalf("%s: not within %v", what, limit)
	return 0
}

func noFrames(s shot) bool { return errors.Is(s.err, camera.ErrNoFrames) }

// TestReplayRecovers: the replay camera follows its folder (issue 14): a
// folder emptied and refilled, a corrupt file replaced by a good one, a
// missing file restored. While nothing is readable it fails with
// ErrNoFrames instead of repeating the old frame, and it logs each
// unreadable file once however often it retries it.
func TestReplayRecovers(t *testing.T) {
	cases := []struct {
		name string
		// glob: the camera's path is dir/*.png rather than dir.
		glob bool
		// setup writes the starting files.
		setup func(t *testing.T, dir string)
		// breakIt changes the folder so that nothing is readable; nil
		// means nothing is readable from the start.
		breakIt func(t *testing.T, dir string)
		// fix makes the file wantName readable with pixels wantPx.
		fix              func(t *testing.T, dir string)
		wantName         string
		wantPx           uint8
		badLogs, badFile string
	}{
		{
			name:    "folder emptied and refilled",
			setup:   func(t *testing.T, dir string) { writePNG(t, filepath.Join(dir, "a.png"), gray(100, 64, 64)) },
			breakIt: func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, "a.png"))) },
			fix: func(t *testing.T, dir string) {
				writePNG(t, filepath.Join(dir, "b.png"), gray(200, 64, 64))
			},
			wantName: "b.png", wantPx: 200,
		},
		{
			name:    "missing file restored (glob)",
			glob:    true,
			setup:   func(t *testing.T, dir string) { writePNG(t, filepath.Join(dir, "a.png"), gray(100, 64, 64)) },
			breakIt: func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, "a.png"))) },
			fix: func(t *testing.T, dir string) {
				writePNG(t, filepath.Join(dir, "a.png"), gray(150, 64, 64))
			},
			wantName: "a.png", wantPx: 150,
		},
		{
			name: "corrupt file replaced by a good one",
			setup: func(t *testing.T, dir string) {
				must(t, os.WriteFile(filepath.Join(dir, "a.png"), []byte("half a png"), 0o644))
			},
			fix: func(t *testing.T, dir string) {
				tmp := filepath.Join(dir, "a.tmp")
				writePNG(t, tmp, gray(77, 64, 64))
				must(t, os.Rename(tmp, filepath.Join(dir, "a.png")))
			},
			wantName: "a.png", wantPx: 77, badLogs: "a.png",
		},
		{
			name: "folder emptied to a corrupt file, then good again",
			setup: func(t *testing.T, dir string) {
				writePNG(t, filepath.Join(dir, "a.png"), gray(100, 64, 64))
			},
			breakIt: func(t *testing.T, dir string) {
				must(t, os.WriteFile(filepath.Join(dir, "a.png"), []byte("truncated"), 0o644))
			},
			fix: func(t *testing.T, dir string) {
				writePNG(t, filepath.Join(dir, "a.png"), gray(9, 64, 64))
			},
			wantName: "a.png", wantPx: 9, badLogs: "a.png",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			synctest.Test(t, func(t *testing.T) {
				log := &statetest.LogBuffer{}
				path := dir
				if tc.glob {
					path = filepath.Join(dir, "*.png")
				}
				src, err := New(Config{Log: zerolog.New(log), Path: path, Interval: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				if tc.breakIt != nil {
					if s := capture(t, src, 500*time.Millisecond); s.err != nil {
						t.Fatalf("first capture: %v", s.err)
					}
					tc.breakIt(t, dir)
				}
				// Within a rescan and an interval the old frame stops.
				until(t, src, rescanEvery+2*time.Second, "ErrNoFrames after the break", noFrames)
				// Then it stays stopped: the old frame is never shown again.
				for range 60 {
					if s := capture(t, src, 500*time.Millisecond); !noFrames(s) {
						t.Fatalf("broken folder gave %+v, want ErrNoFrames", s)
					}
				}
				tc.fix(t, dir)
				took := until(t, src, rescanEvery+2*time.Second, "the fixed frame", func(s shot) bool {
					return s.err == nil && s.name == tc.wantName && s.px == tc.wantPx
				})
				t.Logf("frames resumed %v after the fix", took)
				if tc.badLogs != "" {
					if n := log.Count(tc.badLogs, "unreadable"); n != 1 {
						t.Errorf("%d lines about the unreadable file over a minute of retries, want 1:\n%s", n, log)
					}
				}
				if n := log.Count(tc.wantName, "again"); n != 1 {
					t.Errorf("%d lines about frames being shown again, want 1:\n%s", n, log)
				}
			})
		})
	}
}

// TestReplayStalledInState runs the real capture worker on a replay
// folder that is emptied and refilled: the state reports the camera
// stalled (and counts no frames) while the folder is empty, and frames
// resume within a bounded time once it is refilled.
func TestReplayStalledInState(t *testing.T) {
	dir := t.TempDir()
	frame := filepath.Join(dir, "a.png")
	writePNG(t, frame, gray(100, 64, 64))
	synctest.Test(t, func(t *testing.T) {
		src, err := New(Config{Log: zerolog.Nop(), Path: dir, Interval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		w := &camera.Worker{Source: src, Log: zerolog.Nop(), ExposureUS: 100000}
		r := cameratest.StartWorker(t, state.Default(), w, func(*camera.Frame) {})
		snap := func() state.State {
			t.Helper()
			s, err := r.Store.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		time.Sleep(3 * time.Second)
		if s := snap(); s.Stats.Frames == 0 || s.CameraStalled(time.Now()) {
			t.Fatalf("running: %d frames, stalled %v", s.Stats.Frames, s.CameraStalled(time.Now()))
		}
		must(t, os.Remove(frame))
		time.Sleep(rescanEvery + 2*time.Second)
		before := snap().Stats.Frames
		time.Sleep(state.CameraStallAwake + time.Second)
		s := snap()
		if !s.CameraStalled(time.Now()) || s.Stats.Frames != before {
			t.Fatalf("empty folder for %v: stalled %v, frames %d → %d (want stalled, no new frames)",
				state.CameraStallAwake, s.CameraStalled(time.Now()), before, s.Stats.Frames)
		}
		writePNG(t, frame, gray(50, 64, 64))
		// A rescan, the worker's longest retry delay, an exposure.
		time.Sleep(rescanEvery + 5*time.Second + time.Second)
		if s := snap(); s.CameraStalled(time.Now()) || s.Stats.Frames == before || s.Frame.Name != "a.png" {
			t.Fatalf("refilled: stalled %v, frames %d → %d, showing %q", s.CameraStalled(time.Now()), before, s.Stats.Frames, s.Frame.Name)
		}
		if err := r.Stop(errors.New("done")); err == nil || err.Error() != "done" {
			t.Fatalf("worker stopped with %v", err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
