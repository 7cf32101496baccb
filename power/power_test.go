package power

import (
	"context"
	"slices"
	"strings"
	"sync"
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

// powerChange is a power state and when the store first showed it.
type powerChange struct {
	at    time.Time
	power state.PowerState
}

// watchPower records every change of the power state until the rig stops;
// the returned function reads the changes so far.
func (r *rig) watchPower(t *testing.T) func() []powerChange {
	sub, err := r.st.Subscribe(r.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var changes []powerChange
	last := state.Awake
	go func() {
		defer sub.Close()
		for {
			select {
			case <-r.ctx.Done():
				return
			case s := <-sub.C():
				if s.Power != last {
					last = s.Power
					mu.Lock()
					changes = append(changes, powerChange{time.Now(), s.Power})
					mu.Unlock()
				}
			}
		}
	}()
	return func() []powerChange {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(changes)
	}
}

// TestMotionDoesNotExtendAwakeTimer checks the Manager's documented rule:
// only key presses count as activity; IMU motion wakes a sleeping device
// but does not extend the awake timer. With the IMU reporting motion every
// 100 ms, the device still falls asleep one timeout after the last key, and
// after motion woke it, one timeout after that wake.
func TestMotionDoesNotExtendAwakeTimer(t *testing.T) {
	const (
		timeout = 10 * time.Second
		session = 35 * time.Second
		every   = 100 * time.Millisecond
	)
	cases := []struct {
		name   string
		moving bool
		// changes is how many power changes the session shows: the IMU
		// samples never keep the device awake; motion wakes it again.
		changes int
	}{
		{"moving", true, 6}, // asleep at ~10 s, awake, asleep ~10 s later, ... (3 cycles in 35 s)
		{"still", false, 1}, // asleep at ~10 s, and it stays asleep
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, timeout)
				changes := r.watchPower(t)
				synctest.Wait()
				key := time.Now()
				if ok, err := r.m.Press(r.ctx, 5); err != nil || !ok {
					t.Fatalf("key while awake: ok=%v err=%v", ok, err)
				}
				for time.Since(key) < session {
					s := state.ImuSample{Time: time.Now(), Status: 3, Moving: tc.moving}
					if err := r.st.Update(r.ctx, state.SetIMU{Sample: s}); err != nil {
						t.Fatal(err)
					}
					time.Sleep(every)
				}
				synctest.Wait()
				got := changes()
				rel := relTimes(got, key)
				t.Logf("changes after the key: %v", rel)
				if len(got) != tc.changes {
					t.Fatalf("%d power changes in %v of IMU samples (moving %v), want %d: %v", len(got), session, tc.moving, tc.changes, rel[:min(len(rel), 8)])
				}
				// Each sleep comes one timeout (plus at most two awake
				// ticks) after the last key or wake, and each wake within
				// one asleep tick of falling asleep.
				activity := key
				for i, c := range got {
					switch c.power {
					case state.Asleep:
						if d := c.at.Sub(activity); d <= timeout || d > timeout+2*AwakePeriod {
							t.Errorf("change %d: asleep %v after the last key or wake, want just over %v", i+1, d, timeout)
						}
					case state.Awake:
						if d := c.at.Sub(got[i-1].at); d > AsleepPeriod {
							t.Errorf("change %d: woken by motion %v after falling asleep, want within %v", i+1, d, AsleepPeriod)
						}
						activity = c.at
					}
				}
			})
		})
	}
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

// relTimes shows changes as "asleep@10.03s", relative to t0.
func relTimes(cs []powerChange, t0 time.Time) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.power.String()+"@"+c.at.Sub(t0).String())
	}
	return out
}

func FuzzParseTimeout(f *testing.F) {
	for _, s := range []string{"30s", "Off", " off ", "0s", "-1m", "1e400h", "bogus", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseTimeout(s)
		if err == nil && d < 0 {
			t.Fatalf("%q accepted as %v", s, d)
		}
		if err == nil && d == 0 && !strings.EqualFold(strings.TrimSpace(s), "off") {
			t.Fatalf("%q accepted as never sleeping", s)
		}
	})
}
