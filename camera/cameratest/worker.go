package cameratest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// Run is a running worker with its state owner and consumer.
type Run struct {
	// Store is the state owner the worker publishes to.
	Store *state.Store
	// Worker is the worker being run.
	Worker *camera.Worker

	cancel   context.CancelCauseFunc
	done     chan error
	consumer sync.WaitGroup
	stopped  bool
}

// StartWorker runs w (its Store and Handoff are filled in) with a state
// owner started from init. consume, when not nil, plays the solver: it is
// called for every frame taken from the hand-off, and the frame is released
// after it returns. Everything is stopped when the test ends if Stop was not
// called.
func StartWorker(t testing.TB, init state.State, w *camera.Worker, consume func(*camera.Frame)) *Run {
	t.Helper()
	r := &Run{Store: statetest.Start(t, init), Worker: w, done: make(chan error, 1)}
	w.Store, w.Handoff = r.Store, camera.NewHandoff()
	ctx, cancel := context.WithCancelCause(context.Background())
	r.cancel = cancel
	go func() { r.done <- w.Run(ctx) }()
	if consume != nil {
		r.consumer.Go(func() {
			for {
				f, err := w.Handoff.Next(ctx)
				if err != nil {
					return
				}
				consume(f)
				f.Release()
			}
		})
	}
	t.Cleanup(func() {
		if !r.stopped {
			_ = r.Stop(errors.New("test ended"))
		}
	})
	return r
}

// Stop cancels the worker with cause, waits for it and the consumer, and
// returns what the worker's Run returned.
func (r *Run) Stop(cause error) error {
	r.stopped = true
	r.cancel(cause)
	err := <-r.done
	r.consumer.Wait()
	r.Worker.Handoff.Drain()
	return err
}
