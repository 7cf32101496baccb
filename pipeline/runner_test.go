package pipeline

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

type logBuffer = statetest.LogBuffer

var countContaining = statetest.CountLines

// loopWorker has the loop shape of every real worker: pace, read state,
// work, and return the cause without logging it.
func loopWorker(name string, st *state.Store, log zerolog.Logger, wakeups *atomic.Int64) Worker {
	return Worker{Name: name, Run: func(ctx context.Context) error {
		stop := func(err error) error { return err }
		p, err := power.NewPacer(ctx, st)
		if err != nil {
			return stop(err)
		}
		defer p.Close()
		log.Info().Str("worker", name).Msg("worker started")
		for {
			if _, err := p.Wait(ctx); err != nil {
				return stop(err)
			}
			wakeups.Add(1)
			if err := st.Update(ctx, state.SetIMU{}); err != nil {
				return stop(err)
			}
		}
	}}
}

var workerNames = []string{"camera", "solver", "integrator", "imu"}

func newTestRunner(logs *logBuffer, fault Fault) (*Runner, *atomic.Int64) {
	log := zerolog.New(logs)
	st := state.New(state.Default())
	var wakeups atomic.Int64
	r := &Runner{Store: st, Log: log, Fault: fault}
	for _, n := range workerNames {
		r.Workers = append(r.Workers, loopWorker(n, st, log, &wakeups))
	}
	pm := NewPowerWorker(st, 30*time.Second, log)
	r.Workers = append(r.Workers, pm)
	return r, &wakeups
}

func TestOwnerFailureStopsEverythingOnce(t *testing.T) {
	for _, kind := range []string{"owner-panic", "owner-error"} {
		t.Run(kind, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				logs := &logBuffer{}
				r, wakeups := newTestRunner(logs, Fault{Kind: kind, After: 2 * time.Second})
				errc := make(chan error, 1)
				start := time.Now()
				go func() { errc <- r.Run(context.Background()) }()
				err := <-errc
				if took := time.Since(start); took > 2*time.Second+time.Second {
					t.Errorf("stop took %v after start, want within 1 s of the fault at 2 s", took)
				}
				if !errors.Is(err, state.ErrOwnerGone) || ExitCode(err) != 1 {
					t.Fatalf("Run = %v (exit %d), want ErrOwnerGone and exit 1", err, ExitCode(err))
				}
				lines := logs.Lines()
				for _, n := range append(workerNames, "power") {
					if got := countContaining(lines, `"worker":"`+n+`"`, "stop"); got != 1 {
						t.Errorf("worker %s logged %d stop lines, want exactly 1", n, got)
					}
					if got := countContaining(lines, `"worker":"`+n+`"`); got != 2 {
						t.Errorf("worker %s logged %d lines in all, want start + stop", n, got)
					}
				}
				if got := countContaining(lines, "state owner ended"); got != 1 {
					t.Errorf("%d owner-ended lines, want 1", got)
				}
				if kind == "owner-panic" && countContaining(lines, "stack") != 1 {
					t.Error("panic stack not logged")
				}
				// No spin: in the next 60 s nothing logs and nothing wakes up.
				nLines, nWake := len(lines), wakeups.Load()
				time.Sleep(60 * time.Second)
				synctest.Wait()
				if got := len(logs.Lines()); got != nLines {
					t.Errorf("%d more log lines after the stop", got-nLines)
				}
				if got := wakeups.Load(); got != nWake {
					t.Errorf("%d more worker wake-ups after the stop", got-nWake)
				}
			})
		})
	}
}

func TestRequestedStopExitsZero(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuffer{}
		r, _ := newTestRunner(logs, Fault{})
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- r.Run(ctx) }()
		time.Sleep(5 * time.Second)
		// Updates acknowledged before the stop are kept.
		if err := r.Store.Update(ctx, state.SetTarget{Target: state.Target{RA: 10, Dec: 20}}); err != nil {
			t.Fatal(err)
		}
		cancel()
		err := <-errc
		if err != nil || ExitCode(err) != 0 {
			t.Fatalf("Run = %v, want nil (exit 0)", err)
		}
		final, ok := r.Store.Final()
		if !ok || !final.HasTarget || final.Target.RA != 10 {
			t.Errorf("acknowledged target lost: %+v", final.Target)
		}
		lines := logs.Lines()
		for _, n := range workerNames {
			if got := countContaining(lines, `"worker":"`+n+`"`, "stop"); got != 1 {
				t.Errorf("worker %s logged %d stop lines, want 1", n, got)
			}
		}
		if countContaining(lines, `"level":"error"`) != 0 {
			t.Errorf("error lines on a requested stop: %v", lines)
		}
	})
}

func TestWorkerPanicStopsPipeline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuffer{}
		r, _ := newTestRunner(logs, Fault{})
		r.Workers = append(r.Workers, Worker{Name: "broken", Run: func(ctx context.Context) error {
			time.Sleep(time.Second)
			panic("broken worker")
		}})
		err := r.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), "broken") {
			t.Fatalf("Run = %v, want the broken worker's panic", err)
		}
	})
}

func TestParseFault(t *testing.T) {
	cases := []struct {
		in   string
		want Fault
		ok   bool
	}{
		{"", Fault{}, true},
		{"owner-panic-after=2s", Fault{"owner-panic", 2 * time.Second}, true},
		{"owner-error-after=500ms", Fault{"owner-error", 500 * time.Millisecond}, true},
		{"owner-panic=2s", Fault{}, false},
		{"disk-full-after=1s", Fault{}, false},
		{"owner-panic-after=soon", Fault{}, false},
	}
	for _, c := range cases {
		got, err := ParseFault(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseFault(%q) = %+v, %v", c.in, got, err)
		}
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"", "owner-panic-after=2s", "owner-error-after=0", "owner-panic-after=-1s", "disk-full", "owner-panic-after=", "=", "owner-error-after=1e400h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fault, err := ParseFault(s)
		if err != nil {
			return
		}
		if s != "" && (fault.Kind != "owner-panic" && fault.Kind != "owner-error" || fault.After < 0) {
			t.Fatalf("%q accepted as %+v", s, fault)
		}
	})
}
