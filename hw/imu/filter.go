package imu

import (
	"math"

	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/internal/sky/rot"
	"github.com/pifinder-go/pifinder/state"
)

// Filter constants (PiFinder imu_pi.py).
const (
	// ChatterDiff is the L1 change of exactly 128 LSB the BNO055 fusion
	// output toggles by at rest; such a sample is ignored.
	ChatterDiff = 0.0078125
	// FlipDiff: a larger L1 change is a sign flip (double cover) or a glitch.
	FlipDiff = 1.5
	// MaxFlips consecutive flips are ignored; the next one resets the history.
	MaxFlips = 10
	// StartMoving and StopMoving are the per-sample L1 thresholds at scale 1.
	StartMoving = 0.0005
	StopMoving  = 0.0003
)

// FilterEvent flags what a Filter step noticed, for the worker's logging.
type FilterEvent uint8

// Filter events.
const (
	EventNoCal      FilterEvent = 1 << iota // gyro calibration 0: reading skipped
	EventBadQuat                            // NaN quaternion: reading skipped
	EventCalibrated                         // gyro status reached 3 for the first time
	EventMoveStart
	EventMoveEnd
	EventChatter // 128-LSB chatter ignored
	EventFlip    // sign flip ignored
	EventReset   // too many flips: history reset to the current reading
)

// Filter is PiFinder's motion filter over the fused orientation. It is pure
// (no clock, no I/O) so the worker, the simulations and the tests share it.
// Not safe for concurrent use.
type Filter struct {
	start, stop float64
	hist        quat.Number // last accepted reading; starts at zero
	flips       int
	moving      bool        // sensor-level hysteresis state
	latest      quat.Number // latest accepted reading
	pubMoving   bool
	pubQuat     quat.Number // published orientation; zero = no anchor
	calibrated  bool
	diff        float64
}

// NewFilter returns a filter with the thresholds scaled by scale
// (config imu_threshold_scale; values ≤ 0 or NaN mean 1).
func NewFilter(scale float64) *Filter {
	if !(scale > 0) || math.IsInf(scale, 0) {
		scale = 1
	}
	return &Filter{start: StartMoving * scale, stop: StopMoving * scale}
}

// Thresholds returns the start- and stop-moving thresholds in use.
func (f *Filter) Thresholds() (start, stop float64) { return f.start, f.stop }

// Diff is the L1 change of the last evaluated reading (0 after a reset).
func (f *Filter) Diff() float64 { return f.diff }

// Step applies one reading. It returns the sample to publish and whether to
// publish it: nothing is published until the gyro status has first reached
// 3, and every step publishes after that (even if the calibration drops).
// The published orientation changes only while moving and once when motion
// stops; it stays the zero quaternion ("no anchor") until the first movement.
func (f *Filter) Step(r Reading) (state.ImuSample, bool, FilterEvent) {
	var ev FilterEvent
	switch {
	case r.GyroCal <= 0:
		ev |= EventNoCal
	case rot.HasNaN(r.Quat):
		ev |= EventBadQuat
	default:
		ev |= f.accept(r.Quat)
	}
	if f.moving {
		if !f.pubMoving {
			ev |= EventMoveStart
		}
		f.pubMoving = true
		f.pubQuat = f.latest
	} else if ev&EventReset != 0 && !f.pubMoving {
		// PiFinder keeps the zero quaternion here until the first movement,
		// so a night that starts still has no anchor and its first slew is
		// not dead-reckoned. The reset reading is a real orientation: publish
		// it.
		f.pubQuat = f.latest
	} else if f.pubMoving {
		f.pubMoving = false
		f.pubQuat = f.latest
		ev |= EventMoveEnd
	}
	if !f.calibrated && r.GyroCal == 3 {
		f.calibrated = true
		ev |= EventCalibrated
	}
	if !f.calibrated {
		return state.ImuSample{}, false, ev
	}
	s := state.ImuSample{Time: r.Time, Quat: f.pubQuat, Status: r.GyroCal, Moving: f.pubMoving}
	if r.HasRaw {
		s.Gyro, s.Accel, s.HasRaw = r.Gyro, r.Accel, true
	}
	return s, true, ev
}

// accept runs the chatter/flip rejection and the moving hysteresis.
func (f *Filter) accept(q quat.Number) FilterEvent {
	var ev FilterEvent
	d := math.Abs(q.Real-f.hist.Real) + math.Abs(q.Imag-f.hist.Imag) +
		math.Abs(q.Jmag-f.hist.Jmag) + math.Abs(q.Kmag-f.hist.Kmag)
	f.diff = d
	if d == ChatterDiff {
		f.diff = 0
		return EventChatter
	}
	if d > FlipDiff {
		f.flips++
		f.diff = 0
		if f.flips <= MaxFlips {
			return EventFlip
		}
		// The history starts at zero, so a start-up reading can look like a
		// flip forever: give up and take the current reading. PiFinder does
		// not clear the counter here; the next non-flip does.
		ev |= EventReset
	} else {
		f.flips = 0
	}
	f.latest, f.hist = q, q
	if f.moving {
		if f.diff < f.stop {
			f.moving = false
		}
	} else if f.diff > f.start {
		f.moving = true
	}
	return ev
}
