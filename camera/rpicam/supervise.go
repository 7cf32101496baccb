package rpicam

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/internal/backoff"
	"github.com/pifinder-go/pifinder/internal/wait"
)

// base is what both backends share: the sensor profile and converter, the
// supervised child with its restart backoff, and the plumbing that lets a
// cancelled context or Close cut a read short.
type base struct {
	name string // backend name in log lines: rpicam or picamera2
	log  zerolog.Logger
	prof rawconv.Profile
	conv *rawconv.Converter
	size int
	pool *camera.Pool
	ctx  context.Context // done once Close has begun

	cancel context.CancelFunc

	// reading is the pipe being read; a cancelled capture context cuts
	// the read short through it. One watch per context (the worker passes
	// the same one every time), so captures do not allocate.
	reading   atomic.Pointer[os.File]
	watchCtx  context.Context
	watchStop func() bool

	mu       sync.Mutex // held by Capture and Close
	child    *child
	closed   bool
	failures int
	lastFail time.Time
	backoff  backoff.Backoff
	timer    *time.Timer
}

func newBase(name string, log zerolog.Logger, sensor string, size, rotation int, rmin, rmax time.Duration) (*base, error) {
	prof, err := rawconv.Lookup(sensor)
	if err != nil {
		return nil, fmt.Errorf("camera: %s: %w", name, err)
	}
	size, err = camera.CheckSize(size)
	if err != nil {
		return nil, fmt.Errorf("camera: %s: %w", name, err)
	}
	conv, err := rawconv.NewConverter(prof, size, rotation)
	if err != nil {
		return nil, fmt.Errorf("camera: %s: %w", name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &base{
		name: name, log: log, prof: prof, conv: conv, size: size, pool: camera.NewPool(size, size),
		ctx: ctx, cancel: cancel, backoff: backoff.Backoff{Min: rmin, Max: rmax}, timer: wait.NewStoppedTimer(),
	}, nil
}

// Info reports the sensor profile's name as the type.
func (b *base) Info() camera.Info {
	return camera.Info{Type: b.prof.Name, Width: b.size, Height: b.size, HasRaw: true, DefaultGain: b.prof.AnalogueGain}
}

// Profile returns the sensor profile in use.
func (b *base) Profile() rawconv.Profile { return b.prof }

// Close stops the child, with its process group, and waits for it.
func (b *base) Close() error {
	b.cancel()
	// A Capture in progress holds mu: cut its read short (it sees the
	// context above and returns ErrSourceDown). Ending the child would
	// not do, as a helper of its may hold the pipe open.
	if f := b.reading.Load(); f != nil {
		_ = f.SetReadDeadline(time.Unix(1, 0))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.watchStop != nil {
		b.watchStop()
		b.watchStop, b.watchCtx = nil, nil
	}
	b.stopChild()
	return nil
}

// watch makes ctx's end interrupt whatever read is in progress.
func (b *base) watch(ctx context.Context) {
	if ctx == b.watchCtx {
		return
	}
	if b.watchStop != nil {
		b.watchStop()
	}
	b.watchCtx = ctx
	b.watchStop = context.AfterFunc(ctx, func() {
		if f := b.reading.Load(); f != nil {
			_ = f.SetReadDeadline(time.Unix(1, 0))
		}
	})
}

// interrupted returns why a read of the child's output should not start
// or why it was cut short: the capture context's cause, or ErrSourceDown
// once Close has begun; nil otherwise.
func (b *base) interrupted(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if b.ctx.Err() != nil {
		return camera.ErrSourceDown
	}
	return nil
}

// awaitBackoff waits out the restart backoff after a failure.
func (b *base) awaitBackoff(ctx context.Context, s camera.Settings) error {
	if b.failures == 0 {
		return nil
	}
	delay := time.Until(b.lastFail.Add(b.backoff.Current()))
	if !s.Deadline.IsZero() {
		delay = min(delay, time.Until(s.Deadline))
	}
	if err := wait.Sleep(ctx, b.timer, delay); err != nil {
		return err
	}
	if b.ctx.Err() != nil { // closed during the backoff
		return camera.ErrSourceDown
	}
	return nil
}

// fail counts a failure; the first of a streak is logged.
func (b *base) fail(err error) {
	b.failures++
	b.lastFail = time.Now()
	b.backoff.Next()
	if b.failures == 1 {
		b.log.Warn().Err(err).Str("backend", b.name).Msg("camera: " + b.name + " failed; restarting with backoff")
	}
}

// failStop ends the child and counts the failure.
func (b *base) failStop(err error) error {
	b.stopChild()
	b.fail(err)
	return err
}

// recovered ends a failure streak, logging it once.
func (b *base) recovered() {
	if b.failures > 0 {
		b.log.Info().Int("failures", b.failures).Str("backend", b.name).Msg("camera: " + b.name + " recovered")
		b.failures = 0
		b.backoff.Reset()
	}
}

// stopChild ends the child, if any, with its process group and waits for
// it.
func (b *base) stopChild() {
	c := b.child
	if c == nil {
		return
	}
	b.child = nil
	c.stop()
}
