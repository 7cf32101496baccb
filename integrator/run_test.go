package integrator

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

type lockedBuf = statetest.LogBuffer

func TestRunPublishesAndReturnsCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := state.New(state.Default())
		stCtx, stopStore := context.WithCancel(t.Context())
		go st.Run(stCtx)
		var logs lockedBuf
		ig, err := New(fakeSky(Config{Log: zerolog.New(&logs)}))
		if err != nil {
			t.Fatal(err)
		}
		solves := make(chan state.SolveEvent, 2)
		p := state.PointingOf(10, 20, 30)
		solves <- state.SolveEvent{Success: true, Camera: p, Aligned: p, Attempt: epoch(100), LastSuccess: epoch(100)}
		solves <- state.SolveEvent{Attempt: epoch(101), LastSuccess: epoch(100)}
		close(solves) // a closed channel is "no more solves", not an error
		ctx, cancel := context.WithCancelCause(t.Context())
		done := make(chan error)
		go func() { done <- ig.Run(ctx, st, solves) }()
		time.Sleep(time.Second)
		snap, err := st.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if e := snap.Estimate; e.Source != state.SourceCamFailed || e.Aligned.Estimate != p || e.Constellation != "TST" {
			t.Errorf("estimate %+v", e)
		}
		cause := errors.New("signal: interrupt")
		cancel(cause)
		if err := <-done; !errors.Is(err, cause) {
			t.Errorf("Run = %v, want the cause", err)
		}
		// The runner writes the stop line; the integrator logs nothing about it.
		if strings.Contains(logs.String(), "stop") {
			t.Errorf("the integrator logged its own stop:\n%s", logs.String())
		}
		stopStore()
		<-st.Done()
	})
}

func TestRunOwnerGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := state.New(state.Default())
		stCtx, kill := context.WithCancel(t.Context())
		go st.Run(stCtx)
		var logs lockedBuf
		ig, err := New(fakeSky(Config{Log: zerolog.New(&logs)}))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() { done <- ig.Run(t.Context(), st, nil) }()
		time.Sleep(200 * time.Millisecond)
		kill()
		if err := <-done; !errors.Is(err, state.ErrOwnerGone) {
			t.Errorf("Run = %v, want the owner's end", err)
		}
		if strings.Contains(logs.String(), "stop") {
			t.Errorf("the integrator logged its own stop:\n%s", logs.String())
		}
	})
}

func TestRunSolvesWithoutWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := state.New(state.Default())
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go st.Run(ctx)
		if err := st.Update(ctx, state.SetPower{Power: state.Asleep}); err != nil {
			t.Fatal(err)
		}
		ig, err := New(fakeSky(Config{}))
		if err != nil {
			t.Fatal(err)
		}
		obs := &collector{}
		ig.cfg.Observer = obs
		solves := make(chan state.SolveEvent, 10)
		p := state.PointingOf(10, 20, 30)
		for i := range 10 {
			solves <- state.SolveEvent{Success: true, Camera: p, Aligned: p, Attempt: epoch(float64(100 + i))}
		}
		go ig.Run(ctx, st, solves)
		// Solves are merged as they arrive, asleep or not: the queued ten
		// go through at once, each in its own cycle.
		time.Sleep(time.Millisecond)
		synctest.Wait()
		obs.mu.Lock()
		n := obs.ticks
		obs.mu.Unlock()
		if n != 10 {
			t.Errorf("%d cycles with a solve right after the start, want 10", n)
		}
		cancel()
	})
}
