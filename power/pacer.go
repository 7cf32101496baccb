package power

import (
	"context"
	"time"

	"github.com/pifinder-go/pifinder/state"
)

// Loop periods of the Pacer.
const (
	AwakePeriod  = time.Second / 30
	AsleepPeriod = 500 * time.Millisecond
)

// Pacer paces one worker loop by the power state. It is owned by one
// goroutine (not safe for concurrent use); Close releases its subscription.
type Pacer struct {
	sub   *state.Subscription
	power state.PowerState
	last  time.Time
	timer *time.Timer
}

// NewPacer subscribes to st for the power state.
func NewPacer(ctx context.Context, st *state.Store) (*Pacer, error) {
	sub, err := st.Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &Pacer{sub: sub, power: state.Awake, timer: t}, nil
}

// Close unregisters the pacer's subscription.
func (p *Pacer) Close() { p.sub.Close() }

func (p *Pacer) refresh() {
	select {
	case s := <-p.sub.C():
		p.power = s.Power
	default:
	}
}

// Power is the power state the pacer saw last.
func (p *Pacer) Power() state.PowerState { return p.power }

// Wait blocks until the loop may run again: while awake, until 1/30 s after
// the previous Wait returned; while asleep, half a second (cut short by a
// wake-up). It returns the power state, or the context's cause when ctx ends.
func (p *Pacer) Wait(ctx context.Context) (state.PowerState, error) {
	_, _, ps, err := waitOr[struct{}](ctx, p, nil)
	return ps, err
}

// Received says what WaitOr got from its channel.
type Received int

// What WaitOr got from its channel.
const (
	ReceivedNothing Received = iota // the pacer's period ended first
	ReceivedValue                   // a value arrived
	ReceivedClosed                  // the channel is closed (a nil channel never fires)
)

// WaitOr is Wait for an event-driven loop: it also returns as soon as ch
// delivers a value (or is closed), so the worker reacts to an event at once
// while its idle ticks stay paced by the power state.
func WaitOr[T any](ctx context.Context, p *Pacer, ch <-chan T) (T, Received, state.PowerState, error) {
	return waitOr(ctx, p, ch)
}

func waitOr[T any](ctx context.Context, p *Pacer, ch <-chan T) (v T, got Received, ps state.PowerState, err error) {
	p.refresh()
	var d time.Duration
	if p.power == state.Asleep {
		d = AsleepPeriod
	} else if !p.last.IsZero() {
		d = AwakePeriod - time.Since(p.last)
	}
	if d <= 0 {
		if err := context.Cause(ctx); err != nil {
			return v, ReceivedNothing, p.power, err
		}
		select {
		case x, ok := <-ch:
			v, got = x, ReceivedValue
			if !ok {
				got = ReceivedClosed
			}
		default:
		}
	} else {
		p.timer.Reset(d)
	wait:
		for {
			select {
			case <-ctx.Done():
				p.timer.Stop()
				return v, ReceivedNothing, p.power, context.Cause(ctx)
			case <-p.timer.C:
				break wait
			case x, ok := <-ch:
				p.timer.Stop()
				v, got = x, ReceivedValue
				if !ok {
					got = ReceivedClosed
				}
				break wait
			case s := <-p.sub.C():
				if p.power == state.Asleep && s.Power == state.Awake {
					p.power = s.Power
					p.timer.Stop()
					break wait
				}
				p.power = s.Power
			}
		}
	}
	p.refresh()
	p.last = time.Now()
	return v, got, p.power, nil
}
