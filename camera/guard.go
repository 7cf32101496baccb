package camera

import (
	"context"
	"errors"
	"time"

	"github.com/pifinder-go/pifinder/internal/wait"
)

// Errors of the capture guard.
var (
	ErrCaptureTimeout = errors.New("camera: capture timed out")
	ErrCaptureBusy    = errors.New("camera: previous capture still stuck")
)

// DefaultCaptureTimeout is PiFinder's capture timeout.
const DefaultCaptureTimeout = 10 * time.Second

// guard runs captures on one capture goroutine with a timeout, and never
// has more than one capture in flight: a capture stuck past the timeout
// stays tracked, and later calls fail with ErrCaptureBusy at once until it
// finishes (its late frame is then discarded).
type guard struct {
	src     Source
	timeout time.Duration
	reqs    chan Settings
	res     chan capResult
	done    chan struct{}
	busy    bool
	timer   *time.Timer
}

type capResult struct {
	f   *Frame
	err error
}

// newGuard starts the capture goroutine; it runs until stop. ctx is what
// the source's Capture receives: it should end when the worker does.
func newGuard(ctx context.Context, src Source, timeout time.Duration) *guard {
	if timeout <= 0 {
		timeout = DefaultCaptureTimeout
	}
	g := &guard{
		src: src, timeout: timeout,
		reqs: make(chan Settings, 1), res: make(chan capResult, 1), done: make(chan struct{}),
		timer: wait.NewStoppedTimer(),
	}
	go g.loop(ctx)
	return g
}

func (g *guard) loop(ctx context.Context) {
	defer close(g.done)
	for s := range g.reqs {
		f, err := g.src.Capture(ctx, s)
		g.res <- capResult{f, err}
	}
}

// limit is the timeout for a capture with settings s: the configured
// timeout, stretched for exposures so long that it would cut them short.
func (g *guard) limit(s Settings) time.Duration {
	return max(g.timeout, 2*time.Duration(s.ExposureUS)*time.Microsecond)
}

// capture runs one capture.
func (g *guard) capture(ctx context.Context, s Settings) (*Frame, error) {
	if g.busy {
		select {
		case r := <-g.res:
			g.busy = false
			r.f.Release() // finished too late: stale
		default:
			return nil, ErrCaptureBusy
		}
	}
	g.reqs <- s // the capture goroutine is idle, so this does not block
	g.busy = true
	g.timer.Reset(g.limit(s))
	select {
	case r := <-g.res:
		g.timer.Stop()
		g.busy = false
		return r.f, r.err
	case <-g.timer.C:
		return nil, ErrCaptureTimeout
	case <-ctx.Done():
		g.timer.Stop()
		return nil, context.Cause(ctx)
	}
}

// stop ends the capture goroutine, waiting up to wait for a capture still
// in flight (the source's context should already be cancelled). It reports
// whether the capture goroutine ended.
func (g *guard) stop(wait time.Duration) bool {
	close(g.reqs)
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case r := <-g.res:
			r.f.Release()
		case <-g.done:
			select {
			case r := <-g.res:
				r.f.Release()
			default:
			}
			return true
		case <-t.C:
			return false
		}
	}
}
