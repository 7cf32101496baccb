package integrator

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/pifinder-go/pifinder/hw/mount"
	"github.com/pifinder-go/pifinder/internal/sky/rot"

	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/integrator/deadreck"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
)

// DefaultDeadbandDeg is the IMU rotation since the anchor below which the
// estimate is not advanced.
const DefaultDeadbandDeg = 0.06

// Tick is everything one integrator cycle looks at.
type Tick struct {
	// Solve is the solver event taken this cycle (at most one); nil if none.
	Solve *state.SolveEvent `json:",omitempty"`
	// IMU is the latest published IMU sample, if HasIMU.
	IMU    state.ImuSample
	HasIMU bool
	// Location is the observer's site.
	Location state.Location
	// Now is the shared datetime at this cycle; zero when unknown (no Alt/Az).
	Now time.Time
	// SkyChanged says the site or the shared clock's setting changed since
	// the previous cycle (a GPS fix, the app's site or time): the Alt/Az of
	// the current estimate is then recomputed and published at once, not at
	// the next solve or motion (which, with the camera failing and the
	// telescope still, may never come).
	SkyChanged bool `json:",omitempty"`
}

// Core is the integrator's state machine: the working estimate, the dead
// reckoner and the publication bookkeeping. It does no I/O and reads no
// clock, so live runs and replays of the same ticks give the same
// estimates. Not safe for concurrent use.
type Core struct {
	cfg           Config
	deadband      float64 // radians
	dr            *deadreck.Reckoner
	est           state.Estimate
	lastPublished time.Time
	lastIMU       time.Time
}

// NewCore returns an empty core; cfg is validated as by New.
func NewCore(cfg Config) (*Core, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	imu2cam, err := mount.IMUToCamera(cfg.ScreenDirection)
	if err != nil {
		return nil, fmt.Errorf("integrator: %w", err)
	}
	c := &Core{cfg: cfg, deadband: cfg.DeadbandDeg * math.Pi / 180, dr: deadreck.NewReckoner(imu2cam)}
	c.Reset()
	return c, nil
}

// Reset empties the estimate and the reckoner (as at the end of a replay).
func (c *Core) Reset() {
	c.dr.Reset()
	c.est = state.Estimate{ErrArcsec: -1}
	c.lastPublished, c.lastIMU = time.Time{}, time.Time{}
}

// Estimate returns the working estimate (RA not normalised).
func (c *Core) Estimate() state.Estimate { return c.est }

// Reckoner exposes the dead reckoner (read-only use: tests and tools).
func (c *Core) Reckoner() *deadreck.Reckoner { return c.dr }

// Step runs one cycle. publish is called with each estimate to publish, in
// order: a failed solve publishes at once, and the IMU may advance and
// publish in the same cycle, so there can be two. A sample whose time was
// already seen is not applied again, so a cycle with no solve and the same
// IMU sample as the previous one changes nothing.
func (c *Core) Step(t Tick, publish func(state.Estimate)) {
	if publish == nil {
		publish = func(state.Estimate) {}
	}
	t = t.Sanitized()
	updated := false
	if ev := t.Solve; ev != nil {
		if ev.Success && ev.Camera.Valid {
			c.solved(ev)
			updated = true
		} else {
			c.failed(ev)
			publish(c.published())
		}
	}
	if t.HasIMU {
		fresh := !t.IMU.Time.Equal(c.lastIMU)
		c.lastIMU = t.IMU.Time
		if fresh && !updated && c.advance(t.IMU) {
			updated = true
		}
	}
	if updated && c.est.EstimateTime.After(c.lastPublished) && c.est.Aligned.Estimate.Valid {
		c.decorate(t)
		c.lastPublished = c.est.EstimateTime
		publish(c.published())
		return
	}
	if t.SkyChanged && !c.lastPublished.IsZero() && c.est.Aligned.Estimate.Valid {
		c.decorate(t)
		publish(c.published())
	}
}

func (c *Core) solved(ev *state.SolveEvent) {
	cam := ev.Camera
	al := ev.Aligned
	if !al.Valid {
		al = cam
	}
	e := &c.est
	e.Camera = state.Axis{Solve: cam, Estimate: cam}
	e.Aligned = state.Axis{Solve: al, Estimate: al}
	e.Anchor = ev.Anchor
	e.Source = state.SourceCamera
	e.LastSolveAttempt = ev.Attempt
	e.LastSolveSuccess = ev.LastSuccess
	if e.LastSolveSuccess.IsZero() {
		e.LastSolveSuccess = ev.Attempt
	}
	e.EstimateTime = e.LastSolveSuccess
	e.Diag = ev.Diag
	e.Alignment, e.HasAlignment = ev.Alignment, ev.HasAlignment
	e.Matched = slices.Clip(ev.Matched)
	e.ErrArcsec = -1
	if ev.Truth.Valid {
		e.ErrArcsec = geom.Separation(cam.RA, cam.Dec, ev.Truth.RA, ev.Truth.Dec) * 3600
	}
	anchor := deadreck.NaNQuat
	if (state.ImuSample{Quat: ev.Anchor}).HasQuat() {
		anchor = ev.Anchor
	}
	c.dr.Solve(deadreck.FromPointing(cam), deadreck.FromPointing(al), anchor)
	if rot.HasNaN(anchor) {
		// Without an anchor the old reference frame no longer matches this solve.
		c.dr.Reset()
	}
}

func (c *Core) failed(ev *state.SolveEvent) {
	e := &c.est
	e.Diag = ev.Diag
	e.LastSolveAttempt = ev.Attempt
	if !ev.LastSuccess.IsZero() {
		e.LastSolveSuccess = ev.LastSuccess
	}
	e.Source = state.SourceCamFailed
}

// advance moves the estimate cells with the IMU when it turned more than
// the deadband since the anchor.
func (c *Core) advance(s state.ImuSample) bool {
	if !c.dr.Initialized() || !s.HasQuat() || !(state.ImuSample{Quat: c.est.Anchor}).HasQuat() {
		return false
	}
	if rot.Angle(rot.Normalize(c.est.Anchor), rot.Normalize(s.Quat)) <= c.deadband {
		return false
	}
	cam, al, ok := c.dr.Predict(s.Quat)
	if !ok {
		return false
	}
	c.est.Camera.Estimate = cam.Pointing()
	c.est.Aligned.Estimate = al.Pointing()
	c.est.EstimateTime = s.Time
	c.est.Source = state.SourceIMU
	c.est.ErrArcsec = -1
	return true
}

// decorate adds the constellation and Alt/Az of the aligned estimate.
func (c *Core) decorate(t Tick) {
	p := c.est.Aligned.Estimate
	ra := geom.NormDeg(p.RA)
	if c.cfg.Constellation != nil {
		c.est.Constellation = c.cfg.Constellation(ra, p.Dec)
	}
	c.est.Alt, c.est.Az, c.est.HasAltAz = 0, 0, false
	if c.cfg.AltAz != nil && !t.Now.IsZero() {
		alt, az := c.cfg.AltAz(ra, p.Dec, t.Location, t.Now)
		if finite(alt) && finite(az) {
			c.est.Alt, c.est.Az, c.est.HasAltAz = alt, az, true
		}
	}
}

// published is the copy handed out: RA normalised to [0, 360).
func (c *Core) published() state.Estimate {
	e := c.est
	// Deep copy: a consumer may keep or modify its estimate freely.
	if len(e.Matched) > 0 {
		e.Matched = slices.Clone(e.Matched)
	}
	for _, p := range []*state.Pointing{&e.Camera.Solve, &e.Camera.Estimate, &e.Aligned.Solve, &e.Aligned.Estimate} {
		if p.Valid {
			p.RA = geom.NormDeg(p.RA)
		}
	}
	return e
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func cleanFloat(v float64) float64 {
	if finite(v) {
		return v
	}
	return 0
}

func cleanPointing(p state.Pointing) state.Pointing {
	if !p.Valid || !finite(p.RA) || !finite(p.Dec) || !finite(p.Roll) {
		return state.Pointing{}
	}
	return p
}

func cleanTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Round(0).UTC()
}

func cleanQuat(q quat.Number) quat.Number {
	if !finite(q.Real) || !finite(q.Imag) || !finite(q.Jmag) || !finite(q.Kmag) {
		return quat.Number{}
	}
	return q
}

// Sanitized returns the tick with its inputs made well-defined: times
// without monotonic readings and in UTC (so comparisons do not depend on the
// process that made them), non-finite numbers replaced (NaN diagnostics by
// 0, NaN pointings by "none", NaN quaternions by zero = "no anchor"). Step
// applies it itself; recorders store the sanitised tick so that JSON can
// hold it.
func (t Tick) Sanitized() Tick {
	t.Now = cleanTime(t.Now)
	t.Location.Lat = cleanFloat(t.Location.Lat)
	t.Location.Lon = cleanFloat(t.Location.Lon)
	t.Location.AltitudeM = cleanFloat(t.Location.AltitudeM)
	t.Location.ErrorM = cleanFloat(t.Location.ErrorM)
	if t.HasIMU {
		s := &t.IMU
		s.Time = cleanTime(s.Time)
		s.Quat = cleanQuat(s.Quat)
		for i := range 3 {
			s.Gyro[i], s.Accel[i] = cleanFloat(s.Gyro[i]), cleanFloat(s.Accel[i])
		}
	} else {
		t.IMU = state.ImuSample{}
	}
	if t.Solve != nil {
		ev := *t.Solve
		ev.Camera = cleanPointing(ev.Camera)
		ev.Aligned = cleanPointing(ev.Aligned)
		ev.Truth = cleanPointing(ev.Truth)
		ev.Anchor = cleanQuat(ev.Anchor)
		ev.Attempt = cleanTime(ev.Attempt)
		ev.LastSuccess = cleanTime(ev.LastSuccess)
		d := &ev.Diag
		d.RMSEArcsec, d.P90Arcsec, d.MaxErrArcsec = cleanFloat(d.RMSEArcsec), cleanFloat(d.P90Arcsec), cleanFloat(d.MaxErrArcsec)
		d.Prob, d.FOV, d.Distortion = cleanFloat(d.Prob), cleanFloat(d.FOV), cleanFloat(d.Distortion)
		ev.Alignment.X, ev.Alignment.Y = cleanFloat(ev.Alignment.X), cleanFloat(ev.Alignment.Y)
		if slices.ContainsFunc(ev.Matched, func(m state.MatchedStar) bool {
			return !finite(m.X) || !finite(m.Y) || !finite(m.RA) || !finite(m.Dec) || !finite(m.Vmag)
		}) {
			ms := slices.Clone(ev.Matched)
			for i := range ms {
				m := &ms[i]
				m.X, m.Y, m.RA, m.Dec, m.Vmag = cleanFloat(m.X), cleanFloat(m.Y), cleanFloat(m.RA), cleanFloat(m.Dec), cleanFloat(m.Vmag)
			}
			ev.Matched = ms
		}
		t.Solve = &ev
	}
	return t
}
