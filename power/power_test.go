package power

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/state"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type rig struct {
	st  *state.Store
	m   *Manager
	ctx context.Context
}

// newRig starts a state owner and a power manager inside the current synctest bubble.
func newRig(t *testing.T, timeout time.Duration) *rig {
	st := state.New(state.Default())
	ctx, cancel := context.WithCancel(context.Background())
	m := NewManager(st, timeout, zerolog.Nop())
	ownerDone, mgrDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(ownerDone); _ = st.Run(ctx) }()
	go func() { defer close(mgrDone); _ = m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-mgrDone; <-ownerDone })
	return &rig{st: st, m: m, ctx: ctx}
}

func (r *rig) power(t *testing.T) state.PowerState {
	t.Helper()
	s, err := r.st.Snapshot(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s.Power
}

func TestSleepAfterTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 30*time.Second)
		synctest.Wait()
		// Last key at t=0.
		if ok, err := r.m.Press(r.ctx, 5); err != nil || !ok {
			t.Fatalf("key while awake: ok=%v err=%v", ok, err)
		}
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if got := r.power(t); got != state.Awake {
			t.Fatalf("at 30.0 s: %v, want awake", got)
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := r.power(t); got != state.Asleep {
			t.Fatalf("at 30.1 s: %v, want asleep", got)
		}
		if DimmedBrightness(255) != 63 {
			t.Errorf("dimmed brightness %d, want 63", DimmedBrightness(255))
		}
		// A key wakes it and is swallowed; the timer restarts.
		if ok, err := r.m.Press(r.ctx, 5); err != nil || ok {
			t.Fatalf("waking key: passed=%v err=%v, want swallowed", ok, err)
		}
		synctest.Wait()
		if got := r.power(t); got != state.Awake {
			t.Fatalf("after key: %v, want awake", got)
		}
		time.Sleep(29 * time.Second)
		synctest.Wait()
		if got := r.power(t); got != state.Awake {
			t.Fatalf("29 s after the wake key: %v, want awake", got)
		}
	})
}

func TestWakeOnMotion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 10*time.Second)
		time.Sleep(11 * time.Second)
		synctest.Wait()
		if got := r.power(t); got != state.Asleep {
			t.Fatalf("after timeout: %v", got)
		}
		// Asleep with no IMU sample stays asleep.
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if got := r.power(t); got != state.Asleep {
			t.Fatalf("no IMU: %v, want asleep", got)
		}
		// A still IMU does not wake it; a moving one does, within one asleep tick.
		if err := r.st.Update(r.ctx, state.SetIMU{Sample: state.ImuSample{Status: 3}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := r.power(t); got != state.Asleep {
			t.Fatalf("still IMU: %v, want asleep", got)
		}
		if err := r.st.Update(r.ctx, state.SetIMU{Sample: state.ImuSample{Status: 3, Moving: true}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(AsleepPeriod)
		synctest.Wait()
		if got := r.power(t); got != state.Awake {
			t.Fatalf("moving IMU: %v, want awake", got)
		}
	})
}

func TestTimeoutOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 0)
		if err := r.st.Update(r.ctx, state.SetPower{Power: state.Asleep}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(AsleepPeriod)
		synctest.Wait()
		if got := r.power(t); got != state.Awake {
			t.Fatalf("timeout Off: %v, want awake at once", got)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := r.power(t); got != state.Awake {
			t.Fatalf("timeout Off after an hour: %v", got)
		}
	})
}

func TestParseTimeout(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"Off", 0, true}, {"30s", 30 * time.Second, true}, {"1m", time.Minute, true},
		{"2m", 2 * time.Minute, true}, {"soon", 0, false}, {"-5s", 0, false},
	}
	for _, c := range cases {
		got, err := ParseTimeout(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseTimeout(%q) = %v, %v", c.in, got, err)
		}
	}
}

func TestPacerCadence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := state.New(state.Default())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = st.Run(ctx) }()
		defer func() { cancel(); <-done }()
		p, err := NewPacer(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		// Awake: 30 ticks take one second.
		t0 := time.Now()
		for i := 0; i < 31; i++ {
			if _, err := p.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(t0); d < time.Second-time.Millisecond || d > time.Second {
			t.Errorf("31 awake waits took %v, want 1s", d)
		}
		// Asleep: half a second per tick.
		if err := st.Update(ctx, state.SetPower{Power: state.Asleep}); err != nil {
			t.Fatal(err)
		}
		t0 = time.Now()
		for i := 0; i < 4; i++ {
			if pw, err := p.Wait(ctx); err != nil || pw != state.Asleep {
				t.Fatalf("asleep wait: %v %v", pw, err)
			}
		}
		if d := time.Since(t0); d != 2*time.Second {
			t.Errorf("4 asleep waits took %v, want 2s", d)
		}
		// Cancelled: returns the cause at once.
		cctx, ccancel := context.WithCancelCause(ctx)
		ccancel(context.DeadlineExceeded)
		if _, err := p.Wait(cctx); err != context.DeadlineExceeded {
			t.Errorf("cancelled wait: %v", err)
		}
	})
}
