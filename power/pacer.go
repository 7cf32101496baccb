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
	p.refresh()
	var d time.Duration
	if p.power == state.Asleep {
		d = AsleepPeriod
	} else if !p.last.IsZero() {
		d = AwakePeriod - time.Since(p.last)
	}
	if d > 0 {
		p.timer.Reset(d)
	wait:
		for {
			select {
			case <-ctx.Done():
				p.timer.Stop()
				return p.power, context.Cause(ctx)
			case <-p.timer.C:
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
	} else if err := context.Cause(ctx); err != nil {
		return p.power, err
	}
	p.refresh()
	p.last = time.Now()
	return p.power, nil
}
