package camera

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestGuardT15 follows reference T15.
func TestGuardT15(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		src := newFakeSource()
		g := newGuard(ctx, src, 10*time.Second)
		defer g.stop(time.Second)
		set := Settings{ExposureUS: 1000, Gain: 1}

		// A completing capture passes through and clears the in-flight handle.
		f, err := g.capture(ctx, set)
		if err != nil || f == nil || g.busy {
			t.Fatalf("capture: %v %v busy %v", f, err, g.busy)
		}
		f.Release()

		// An error surfaces to the caller.
		src.errs = []error{errBoom}
		if _, err := g.capture(ctx, set); !errors.Is(err, errBoom) || g.busy {
			t.Fatalf("error capture: %v busy %v", err, g.busy)
		}

		// A capture blocked past the timeout returns none and stays tracked.
		src.mu.Lock()
		src.calls = 0
		src.block, src.stubborn = make(chan struct{}), true
		src.mu.Unlock()
		start := time.Now()
		if f, err := g.capture(ctx, set); f != nil || !errors.Is(err, ErrCaptureTimeout) {
			t.Fatalf("blocked capture: %v %v", f, err)
		}
		if d := time.Since(start); d != 10*time.Second {
			t.Fatalf("timeout after %v, want 10s", d)
		}
		if !g.busy {
			t.Fatal("stuck capture not tracked")
		}
		// A second call while blocked returns none at once without capturing.
		start = time.Now()
		if f, err := g.capture(ctx, set); f != nil || !errors.Is(err, ErrCaptureBusy) || time.Since(start) != 0 {
			t.Fatalf("second call: %v %v after %v", f, err, time.Since(start))
		}
		synctest.Wait()
		if n := src.count(); n != 1 {
			t.Fatalf("capture entered %d times while stuck, want 1", n)
		}
		// Once the blocked capture finishes, the next call captures normally.
		src.mu.Lock()
		close(src.block)
		src.block = nil
		src.mu.Unlock()
		time.Sleep(10 * time.Millisecond) // let it finish its exposure
		f, err = g.capture(ctx, set)
		if err != nil || f == nil {
			t.Fatalf("after unblock: %v %v", f, err)
		}
		f.Release()
		if n := src.count(); n != 2 {
			t.Fatalf("%d captures, want 2", n)
		}
	})
}
