package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/pifinder-go/pifinder/state"
)

// Worker is one goroutine of the pipeline. Run must return when ctx ends,
// with context.Cause(ctx) (or the owner's error, wrapping
// state.ErrOwnerGone); it logs nothing about stopping, since the runner
// writes each worker's one stop line. Any other error is permanent: it stops
// the whole pipeline. Returning nil while the pipeline runs means the worker
// has nothing more to do; the others go on.
type Worker struct {
	Name string
	Run  func(ctx context.Context) error
}

// Fault is a deliberate failure injected into the state owner after a
// delay, to demonstrate (and test) the shutdown path.
type Fault struct {
	Kind  string // "owner-panic" or "owner-error"
	After time.Duration
}

// ParseFault reads the --fault flag: owner-panic-after=DURATION or
// owner-error-after=DURATION. The empty string is no fault.
func ParseFault(s string) (Fault, error) {
	if s == "" {
		return Fault{}, nil
	}
	name, val, ok := strings.Cut(s, "=")
	kind, isAfter := strings.CutSuffix(name, "-after")
	if !ok || !isAfter || (kind != "owner-panic" && kind != "owner-error") {
		return Fault{}, fmt.Errorf("fault %q: want owner-panic-after=DURATION or owner-error-after=DURATION", s)
	}
	d, err := time.ParseDuration(val)
	if err != nil || d < 0 {
		return Fault{}, fmt.Errorf("fault %q: bad duration %q", s, val)
	}
	return Fault{Kind: kind, After: d}, nil
}

// Runner runs a state owner and its workers under one errgroup and its
// shared context. The owner's end (for any reason) cancels the shared
// context with the owner's cause, so every worker returns; a worker's
// permanent error does the same. The runner writes exactly one line per
// worker when it returns ("worker stopped", with worker= and the cause), and
// one for the owner's death.
type Runner struct {
	Store   *state.Store
	Workers []Worker
	Log     zerolog.Logger
	Fault   Fault
}

// Run blocks until every goroutine has returned. It returns nil when the
// stop was asked for by ctx (a signal, --duration), and otherwise the cause
// that stopped the pipeline (wrapping state.ErrOwnerGone when the owner died).
func (r *Runner) Run(ctx context.Context) error {
	g, shared := errgroup.WithContext(ctx)
	g.Go(func() error {
		err := r.Store.Run(shared)
		if ctx.Err() != nil {
			return nil // the requested stop ended the owner too
		}
		if shared.Err() == nil || errors.Is(context.Cause(shared), state.ErrOwnerGone) {
			ev := r.Log.Error().Err(err)
			var pe *state.PanicError
			if errors.As(err, &pe) {
				ev = ev.Str("stack", string(pe.Stack))
			}
			ev.Msg("state owner ended; stopping the pipeline")
		}
		return err // wraps state.ErrOwnerGone: the shared context's cause
	})
	for _, w := range r.Workers {
		g.Go(func() error { return r.runWorker(ctx, shared, w) })
	}
	if r.Fault.Kind != "" {
		g.Go(func() error { r.injectFault(shared); return nil })
	}
	err := g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// runWorker runs w and writes its one stop line.
func (r *Runner) runWorker(parent, shared context.Context, w Worker) error {
	err := safeRun(shared, w)
	if shared.Err() == nil && errors.Is(err, state.ErrOwnerGone) {
		// The worker saw the owner's death before the owner's goroutine
		// cancelled the shared context; that cancellation is on its way.
		<-shared.Done()
	}
	if shared.Err() == nil {
		if err == nil {
			r.Log.Info().Str("worker", w.Name).Msg("worker finished")
			return nil
		}
		r.Log.Error().Str("worker", w.Name).Err(err).Msg("worker failed; stopping the pipeline")
		return fmt.Errorf("%s: %w", w.Name, err)
	}
	cause := context.Cause(shared)
	ev := r.Log.Warn()
	if parent.Err() != nil {
		ev = r.Log.Info() // a requested stop
	}
	ev = ev.Str("worker", w.Name).AnErr("cause", cause)
	if err != nil && !errors.Is(err, cause) && !errors.Is(err, state.ErrOwnerGone) {
		ev = ev.AnErr("error", err) // it failed on its own way out
	}
	ev.Msg("worker stopped")
	return nil
}

// safeRun turns a worker's panic into an error so nothing panics across a goroutine.
func safeRun(ctx context.Context, w Worker) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return w.Run(ctx)
}

func (r *Runner) injectFault(ctx context.Context) {
	t := time.NewTimer(r.Fault.After)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	r.Log.Warn().Str("fault", r.Fault.Kind).Msg("injecting fault into the state owner")
	f := state.Fault{Panic: r.Fault.Kind == "owner-panic", Err: errors.New("injected " + r.Fault.Kind)}
	_ = r.Store.Update(ctx, f)
}

// ExitCode maps the result of Run to the process exit status: 0 for a
// requested stop, 1 for anything else (so the service manager restarts us).
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	return 1
}
