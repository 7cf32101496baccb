package power

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// ParseTimeout reads PiFinder's sleep_timeout setting: "Off" (never sleep),
// or a duration such as "10s", "30s", "1m", "2m". Off is returned as 0.
func ParseTimeout(s string) (time.Duration, error) {
	if strings.EqualFold(strings.TrimSpace(s), "off") {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("power: sleep timeout %q: want Off or a positive duration like 30s", s)
	}
	return d, nil
}

// DimmedBrightness is the display brightness while asleep.
func DimmedBrightness(b int) int { return b / 4 }

// Manager runs the awake/asleep machine. Only key presses count as activity;
// IMU motion wakes a sleeping device but does not extend the awake timer.
// The timer runs from the last key press or wake-up, so a device that keeps
// moving without a key press falls asleep one timeout after it woke and is
// woken again by the motion at its next asleep tick.
type Manager struct {
	Store   *state.Store
	Timeout time.Duration // 0: never sleep
	Log     zerolog.Logger

	keys chan keyReq
	// live is the timeout set by SetTimeout while running (nanoseconds;
	// noLiveTimeout until the first call, when Timeout applies).
	live atomic.Int64
}

const noLiveTimeout = math.MinInt64

// SetTimeout changes the sleep timeout of a running manager (0: never
// sleep); it takes effect at the next tick and counts from the last key
// press, as a setting changed in the menu does on PiFinder. Safe for
// concurrent use.
func (m *Manager) SetTimeout(d time.Duration) {
	m.live.Store(int64(max(d, 0)))
	m.Log.Info().Dur("sleep_timeout", d).Msg("power: sleep timeout changed")
}

// timeout is the timeout in force.
func (m *Manager) timeout() time.Duration {
	if v := m.live.Load(); v != noLiveTimeout {
		return time.Duration(v)
	}
	return m.Timeout
}

type keyReq struct {
	key   int
	reply chan bool
}

// NewManager returns a manager; call Run in its own goroutine.
func NewManager(st *state.Store, timeout time.Duration, log zerolog.Logger) *Manager {
	m := &Manager{Store: st, Timeout: timeout, Log: log, keys: make(chan keyReq)}
	m.live.Store(noLiveTimeout)
	return m
}

// Press reports a key press. It returns false when the key woke the device
// and was swallowed, true when the key should be acted on.
func (m *Manager) Press(ctx context.Context, key int) (bool, error) {
	r := keyReq{key: key, reply: make(chan bool, 1)}
	select {
	case m.keys <- r:
	case <-ctx.Done():
		return false, context.Cause(ctx)
	}
	select {
	case ok := <-r.reply:
		return ok, nil
	case <-ctx.Done():
		return false, context.Cause(ctx)
	}
}

// Run ticks at the Pacer's rate until ctx ends, then returns its cause (or
// the owner's error when the state owner is gone). It logs nothing about
// stopping: the pipeline's runner writes each worker's one stop line.
func (m *Manager) Run(ctx context.Context) error {
	pacer, err := NewPacer(ctx, m.Store)
	if err != nil {
		return err
	}
	defer pacer.Close()
	m.Log.Info().Dur("sleep_timeout", m.Timeout).Msg("power: started")
	lastActivity := time.Now()
	setPower := func(p state.PowerState) error {
		if err := m.Store.Update(ctx, state.SetPower{Power: p}); err != nil {
			return err
		}
		m.Log.Info().Str("power", p.String()).Msg("power: state changed")
		return nil
	}
	ticks := make(chan struct{})
	tickErr := make(chan error, 1)
	// The pacer runs in its own goroutine so key presses are served at once.
	tctx, cancelTicks := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, err := pacer.Wait(tctx)
			wait.Woke("power")
			if err != nil {
				tickErr <- err
				return
			}
			select {
			case ticks <- struct{}{}:
			case <-tctx.Done():
				tickErr <- context.Cause(tctx)
				return
			}
		}
	}()
	defer func() { cancelTicks(); <-done }()
	for {
		var err error
		select {
		case <-ctx.Done():
			err = context.Cause(ctx)
		case err = <-tickErr:
		case r := <-m.keys:
			snap, serr := m.Store.Snapshot(ctx)
			if serr != nil {
				r.reply <- false
				err = serr
				break
			}
			lastActivity = time.Now()
			if snap.Power == state.Asleep {
				r.reply <- false // the waking key is swallowed
				err = setPower(state.Awake)
			} else {
				r.reply <- true
			}
		case <-ticks:
			snap, serr := m.Store.Snapshot(ctx)
			if serr != nil {
				err = serr
				break
			}
			now := time.Now()
			switch {
			case m.timeout() <= 0:
				lastActivity = now
				if snap.Power == state.Asleep {
					err = setPower(state.Awake)
				}
			case snap.Power == state.Awake && now.Sub(lastActivity) > m.timeout():
				err = setPower(state.Asleep)
			case snap.Power == state.Asleep && snap.HasIMU && snap.IMU.Moving:
				lastActivity = now
				err = setPower(state.Awake)
			}
		}
		if err != nil {
			return err
		}
	}
}
