// Package wait holds the pipeline's one way of sleeping: on a reusable
// timer, so hot loops do not allocate, and always cut short by the context,
// returning its cause so that every worker stops the same way. Time is the
// standard time package, so testing/synctest fakes it.
package wait

import (
	"context"
	"sync/atomic"
	"time"
)

// Sleep waits d on t (a stopped, reusable timer from NewStoppedTimer)
// unless ctx ends first; then it returns context.Cause(ctx). A d of zero or
// less returns at once with the context's cause (nil while it is live).
func Sleep(ctx context.Context, t *time.Timer, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t.Reset(d)
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		t.Stop()
		return context.Cause(ctx)
	}
}

// NewStoppedTimer returns a timer that has not been started, for Sleep.
func NewStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// wakeHook, when set, is told of every wake-up of a worker loop.
var wakeHook atomic.Pointer[func(worker string)]

// Woke reports one wake-up of the named worker's loop: each worker calls it
// once per loop iteration, so that a test can prove a stopped pipeline stays
// still (zero wake-ups over minutes of fake time), which log lines cannot
// show for a loop that spins silently. It costs one atomic load.
func Woke(worker string) {
	if h := wakeHook.Load(); h != nil {
		(*h)(worker)
	}
}

// SetWakeHook installs f to be called by Woke, for tests; restore puts the
// previous hook back. f must be safe for concurrent use.
func SetWakeHook(f func(worker string)) (restore func()) {
	old := wakeHook.Swap(&f)
	return func() { wakeHook.Store(old) }
}
