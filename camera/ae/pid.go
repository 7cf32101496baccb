package ae

import (
	"math"
	"time"
)

// Gains are one set of PID gains.
type Gains struct {
	Kp, Ki, Kd float64
}

// PIDConfig holds the PID controller's parameters. Exposures are µs.
type PIDConfig struct {
	Target   int           // matched stars aimed at
	DeadBand int           // |target − matches| ≤ DeadBand → no change
	Down     Gains         // used when there are too many stars (exposure going down)
	Up       Gains         // used when there are too few
	MinUS    int64         // lowest exposure
	MaxUS    int64         // highest exposure
	Decrease time.Duration // no decrease within this long of the previous adjustment
}

// DefaultPIDConfig is PiFinder's: target 17 ± 5, 25 ms … 1 s, decreases
// rate-limited to one per 0.5 s.
func DefaultPIDConfig() PIDConfig {
	return PIDConfig{
		Target: 17, DeadBand: 5,
		Down:  Gains{Kp: 500, Ki: 5, Kd: 250},
		Up:    Gains{Kp: 4000, Ki: 250, Kd: 1500},
		MinUS: 25000, MaxUS: 1000000,
		Decrease: 500 * time.Millisecond,
	}
}

// PID is the matched-star-count exposure controller.
type PID struct {
	cfg      PIDConfig
	Recovery *Recovery

	integral  float64
	lastError float64
	hasLast   bool
	lastAdj   time.Time
	zeroCount int
}

// NewPID returns a controller with cfg and a default recovery ladder.
func NewPID(cfg PIDConfig) *PID {
	return &PID{cfg: cfg, Recovery: NewRecovery(2, 2)}
}

// Config returns the controller's parameters.
func (p *PID) Config() PIDConfig { return p.cfg }

// Integral returns the integral term's accumulator.
func (p *PID) Integral() float64 { return p.integral }

// ZeroCount returns the number of consecutive zero-match attempts seen.
func (p *PID) ZeroCount() int { return p.zeroCount }

// Reset zeroes the integral, the last error, the zero counter and the recovery.
func (p *PID) Reset() {
	p.integral, p.lastError, p.hasLast = 0, 0, false
	p.lastAdj = time.Time{}
	p.zeroCount = 0
	p.Recovery.Reset()
}

// Update takes the matched-star count of a new solve attempt and the current
// exposure; it returns the exposure to use, or ok false for "no change".
// now is the attempt's processing time, used only for the decrease rate limit.
func (p *PID) Update(matches int, currentUS int64, now time.Time) (exposureUS int64, ok bool) {
	if matches == 0 {
		p.zeroCount++
		return p.Recovery.Handle(currentUS, p.zeroCount)
	}
	p.zeroCount = 0
	if p.Recovery.Active() {
		p.Recovery.Reset()
		p.integral, p.lastError, p.hasLast = 0, 0, false
	}
	e := p.cfg.Target - matches
	if e < 0 {
		e = -e
	}
	if e <= p.cfg.DeadBand {
		return 0, false
	}
	err := float64(p.cfg.Target - matches)
	g := p.cfg.Up
	if err < 0 {
		g = p.cfg.Down
		// A decrease too soon after the previous adjustment is skipped
		// with the state untouched.
		if !p.lastAdj.IsZero() && now.Sub(p.lastAdj) < p.cfg.Decrease {
			return 0, false
		}
	}
	if p.hasLast && (err > 0) != (p.lastError > 0) {
		p.integral = 0
	}
	p.integral += err
	if g.Ki > 0 {
		lim := float64(p.cfg.MaxUS-p.cfg.MinUS) / (2 * g.Ki)
		p.integral = math.Max(-lim, math.Min(lim, p.integral))
	}
	var d float64
	if p.hasLast {
		d = g.Kd * (err - p.lastError)
	}
	raw := math.Trunc(float64(currentUS) + g.Kp*err + g.Ki*p.integral + d)
	out := raw
	if out > float64(p.cfg.MaxUS) {
		out = float64(p.cfg.MaxUS)
	} else if out < float64(p.cfg.MinUS) {
		out = float64(p.cfg.MinUS)
	}
	if over := raw - out; over != 0 && g.Ki > 0 {
		// Anti-windup: take the clamped overshoot back out of the integral.
		p.integral -= over / g.Ki
	}
	p.lastError, p.hasLast = err, true
	p.lastAdj = now
	return int64(out), true
}
