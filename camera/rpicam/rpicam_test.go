package rpicam

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/state/statetest"

	"github.com/pifinder-go/pifinder/camera"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera/rawconv"
)

func openFake(t *testing.T, log *statetest.LogBuffer, env ...string) *Camera {
	t.Helper()
	cfg := Config{
		Binary: fakeRpicam(t), Sensor: "imx296", Env: env,
		RestartMin: 10 * time.Millisecond, RestartMax: 50 * time.Millisecond,
	}
	if log != nil {
		cfg.Log = zerolog.New(log)
	}
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func capture(t *testing.T, r *Camera, us int64, timeout time.Duration) (*camera.Frame, error) {
	t.Helper()
	return r.Capture(context.Background(), camera.Settings{ExposureUS: us, Gain: 15, Deadline: time.Now().Add(timeout)})
}

func TestRpicamStream(t *testing.T) {
	startLog := filepath.Join(t.TempDir(), "starts")
	r := openFake(t, nil, "FAKE_RPICAM_STRIDE=2976", "FAKE_RPICAM_LOG="+startLog) // 64 bytes of padding per row
	info := r.Info()
	if info.Type != "imx296" || !info.HasRaw || info.DefaultGain != 15 {
		t.Fatalf("info %+v", info)
	}
	for i := 0; i < 3; i++ {
		f, err := capture(t, r, 10000, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if f.Raw == nil || f.Raw.Rect.Dx() != 1088 || f.Raw.Rect.Dy() != 1088 || f.Gray.Rect.Dx() != 512 {
			t.Fatalf("frame sizes raw %v gray %v", f.Raw.Rect, f.Gray.Rect)
		}
		// The fake's bright square at raw (row 200, col 300) lands, after
		// the 184-px crop and the 180° turn, at (887−i, 971−j).
		if v := f.Raw.Gray16At(969, 885).Y; v != 1023 {
			t.Fatalf("raw square = %d, want 1023", v)
		}
		// Background raw 80…129 ADU → 8-bit (raw−60)·255/963 = 5…18.
		if v := f.Gray.GrayAt(100, 100).Y; v < 5 || v > 18 {
			t.Fatalf("background %d outside 5…18", v)
		}
		bx, by, best := 0, 0, uint8(0)
		for y := 0; y < 512; y++ {
			for x := 0; x < 512; x++ {
				if v := f.Gray.GrayAt(x, y).Y; v > best {
					bx, by, best = x, y, v
				}
			}
		}
		if bx < 452 || bx > 460 || by < 412 || by > 420 || best < 100 {
			t.Fatalf("brightest solve pixel %d at (%d, %d), want near (456, 416)", best, bx, by)
		}
		if f.Meta.ExposureUS != 10000 || f.Meta.Source != "rpicam" {
			t.Fatalf("meta %+v", f.Meta)
		}
		f.Release()
	}
	// A new exposure restarts the child with the new arguments.
	f, err := capture(t, r, 20000, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	f.Release()
	b, _ := os.ReadFile(startLog)
	if s := string(b); strings.Count(s, "start") != 2 || !strings.Contains(s, "shutter=20000") {
		t.Fatalf("child starts:\n%s", s)
	}
}

func TestRpicamFailures(t *testing.T) {
	cases := []struct {
		mode string
		want error
		text string
	}{
		{"stall", camera.ErrStalled, "no frame"},
		{"die", camera.ErrChildExit, "camera frontend has timed out"},
		{"garbage", rawconv.ErrFrame, "exceed 10 bits"},
		{"short", camera.ErrShortFrame, "1584128 of 3168256 bytes"},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			log := &statetest.LogBuffer{}
			r := openFake(t, log, "FAKE_RPICAM_MODE="+c.mode, "FAKE_RPICAM_AFTER=1")
			f, err := capture(t, r, 10000, 5*time.Second)
			if err != nil {
				t.Fatalf("first frame: %v", err)
			}
			f.Release()
			start := time.Now()
			_, err = capture(t, r, 10000, 500*time.Millisecond)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %v, want %v mentioning %q", err, c.want, c.text)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("failure took %v", d)
			}
			// The next capture restarts the child after the backoff.
			f, err = capture(t, r, 10000, 5*time.Second)
			if err != nil {
				t.Fatalf("restarted child's first frame: %v", err)
			}
			f.Release()
			if log.Count("restarting with backoff") != 1 || log.Count("recovered") != 1 {
				t.Fatalf("failure and recovery not logged once each:\n%s", log)
			}
		})
	}
}

// TestRpicamFailureStreak: a child that dies at once, every time, is
// restarted with a growing backoff and logged once.
func TestRpicamFailureStreak(t *testing.T) {
	log := &statetest.LogBuffer{}
	r := openFake(t, log, "FAKE_RPICAM_MODE=die", "FAKE_RPICAM_AFTER=0")
	for i := 0; i < 5; i++ {
		_, err := capture(t, r, 10000, 5*time.Second)
		if !errors.Is(err, camera.ErrChildExit) || !strings.Contains(err.Error(), "exit status 3") {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if r.failures != 5 || r.backoff.Current() != 50*time.Millisecond {
		t.Fatalf("failures %d backoff %v", r.failures, r.backoff)
	}
	if n := log.Count("restarting with backoff"); n != 1 {
		t.Fatalf("%d warnings for one streak:\n%s", n, log)
	}
}

func TestRpicamCloseUnblocks(t *testing.T) {
	r := openFake(t, nil, "FAKE_RPICAM_MODE=stall", "FAKE_RPICAM_AFTER=0")
	done := make(chan error, 1)
	go func() {
		_, err := capture(t, r, 10000, time.Minute)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	r.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("capture succeeded on a closed source")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock Capture")
	}
	if _, err := capture(t, r, 10000, time.Second); !errors.Is(err, camera.ErrSourceDown) {
		t.Fatalf("capture after close: %v", err)
	}
}

func TestRpicamCancel(t *testing.T) {
	r := openFake(t, nil, "FAKE_RPICAM_MODE=stall", "FAKE_RPICAM_AFTER=0")
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("shutting down")
	time.AfterFunc(100*time.Millisecond, func() { cancel(cause) })
	_, err := r.Capture(ctx, camera.Settings{ExposureUS: 10000, Gain: 1})
	if !errors.Is(err, cause) {
		t.Fatalf("cancelled capture: %v", err)
	}
}

func TestRpicamConfigErrors(t *testing.T) {
	_, err := New(Config{Binary: "/nonexistent/rpicam-vid", Sensor: "imx296"})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing binary: %v", err)
	}
	bin := fakeRpicam(t)
	if _, err := New(Config{Binary: bin, Sensor: "imx999"}); !errors.Is(err, rawconv.ErrUnknownSensor) {
		t.Fatalf("unknown sensor: %v", err)
	}
	if _, err := New(Config{Binary: bin, Sensor: "hq", SolveRotation: 45}); err == nil {
		t.Fatal("45° rotation accepted")
	}
}

// BenchmarkRpicamCapture reads and converts frames from the fake child
// (imx296, 1456×1088 10-bit), which writes as fast as it is read.
func BenchmarkRpicamCapture(b *testing.B) {
	src, err := New(Config{
		Binary: fakeRpicam(b), Sensor: "imx296", Env: []string{"FAKE_RPICAM_PERIOD=0s"},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	set := camera.Settings{ExposureUS: 10000, Gain: 15}
	for i := 0; i < 3; i++ { // warm-up: child start, buffers
		f, err := src.Capture(ctx, set)
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
	b.ReportAllocs()
	b.SetBytes(int64(2 * 1456 * 1088))
	for b.Loop() {
		f, err := src.Capture(ctx, set)
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}
