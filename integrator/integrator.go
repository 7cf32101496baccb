package integrator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/pifinder-go/pifinder/hw/mount"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/state"
)

// Config configures the integrator. The zero value is the default build.
type Config struct {
	// ScreenDirection is the build's IMU mounting (config screen_direction);
	// "" = "right"; legacy v4_* names are accepted. Unknown values are an
	// error at construction.
	ScreenDirection string
	// DeadbandDeg is the IMU rotation since the anchor that must be exceeded
	// before the IMU moves the estimate; 0 = DefaultDeadbandDeg.
	DeadbandDeg float64
	// AltAz converts J2000 RA/Dec (degrees) to altitude and azimuth (degrees,
	// azimuth from north through east) for a site and UTC instant. nil =
	// skymath.AltAz with standard weather.
	AltAz func(raDeg, decDeg float64, loc state.Location, t time.Time) (altDeg, azDeg float64)
	// Constellation returns the IAU abbreviation at J2000 RA/Dec (degrees).
	// nil = skymath.Constellation.
	Constellation func(raDeg, decDeg float64) string
	// Log receives the integrator's few lines (start, stop).
	Log zerolog.Logger
	// Observer, if set, sees every tick that can change the estimate and
	// every published estimate (integrator/record's Recorder records a
	// session this way). It is called from Run's goroutine.
	Observer Observer
}

// Observer watches a live integrator.
type Observer interface {
	// Tick is called with each sanitised tick that carries a solve or a new
	// IMU sample, before it is applied. The other ticks change nothing.
	Tick(t Tick)
	// Published is called with each estimate after it was published.
	Published(e state.Estimate)
}

func (c Config) normalized() (Config, error) {
	c.ScreenDirection = mount.Canonical(c.ScreenDirection)
	if _, err := mount.IMUToCamera(c.ScreenDirection); err != nil {
		return c, fmt.Errorf("integrator: %w", err)
	}
	if c.DeadbandDeg == 0 {
		c.DeadbandDeg = DefaultDeadbandDeg
	}
	if !(c.DeadbandDeg > 0 && c.DeadbandDeg < 180) || math.IsNaN(c.DeadbandDeg) {
		return c, fmt.Errorf("integrator: deadband %g° out of range (0, 180)", c.DeadbandDeg)
	}
	if c.AltAz == nil {
		c.AltAz = defaultAltAz
	}
	if c.Constellation == nil {
		c.Constellation = defaultConstellation
	}
	return c, nil
}

// Integrator is the live integrator loop around a Core.
type Integrator struct {
	cfg  Config
	core *Core
}

// New validates cfg (unknown screen_direction → error) and returns an
// integrator ready to Run.
func New(cfg Config) (*Integrator, error) {
	core, err := NewCore(cfg)
	if err != nil {
		return nil, err
	}
	return &Integrator{cfg: core.cfg, core: core}, nil
}

// Config returns the normalised configuration in use.
func (ig *Integrator) Config() Config { return ig.cfg }

// Run is the integrator loop, paced by power.Pacer (30 Hz awake, 2 Hz
// asleep). Each cycle it takes at most one event from solves (a closed
// channel just means no more solves), reads the latest IMU sample, location
// and datetime from st, applies them with Core.Step and publishes
// state.SetEstimate for each estimate Step yields.
//
// Run returns when ctx ends (its cause) or the state owner is gone (the
// owner's error); it logs nothing about stopping, since the pipeline's runner
// writes each worker's one stop line. Run must be called once.
func (ig *Integrator) Run(ctx context.Context, st *state.Store, solves <-chan state.SolveEvent) error {
	log := ig.cfg.Log
	if st == nil {
		return errors.New("integrator: Run: nil state store")
	}
	pacer, err := power.NewPacer(ctx, st)
	if err != nil {
		return ig.stop(ctx, err)
	}
	defer pacer.Close()
	log.Info().Str("screen_direction", ig.cfg.ScreenDirection).Float64("deadband_deg", ig.cfg.DeadbandDeg).Msg("integrator: started")
	var (
		pubs    []state.Estimate
		lastIMU time.Time
		hadIMU  bool
		sky     skyKey
		haveSky bool
	)
	collect := func(e state.Estimate) { pubs = append(pubs, e) }
	for {
		// A solve is merged as soon as it arrives; IMU ticks stay paced.
		ev, got, _, err := power.WaitOr(ctx, pacer, solves)
		wait.Woke("integrator")
		if err != nil {
			return ig.stop(ctx, err)
		}
		var tick Tick
		switch got {
		case power.ReceivedValue:
			tick.Solve = &ev
		case power.ReceivedClosed:
			solves = nil
		}
		snap, err := st.Snapshot(ctx)
		if err != nil {
			return ig.stop(ctx, err)
		}
		tick.IMU, tick.HasIMU = snap.IMU, snap.HasIMU
		tick.Location = snap.Location
		if now, ok := snap.Clock.Now(); ok {
			tick.Now = now
		}
		key := skyKeyOf(snap)
		tick.SkyChanged = haveSky && key.differs(sky)
		sky, haveSky = key, true
		tick = tick.Sanitized()
		if ig.cfg.Observer != nil {
			newIMU := tick.HasIMU && (!hadIMU || !tick.IMU.Time.Equal(lastIMU))
			if tick.Solve != nil || newIMU {
				ig.cfg.Observer.Tick(tick)
			}
			hadIMU, lastIMU = tick.HasIMU, tick.IMU.Time
		}
		pubs = pubs[:0]
		ig.core.Step(tick, collect)
		for _, e := range pubs {
			if err := st.Update(ctx, state.SetEstimate{Estimate: e}); err != nil {
				return ig.stop(ctx, err)
			}
			if ig.cfg.Observer != nil {
				ig.cfg.Observer.Published(e)
			}
		}
	}
}

// stop returns why Run ends: the context's cause once it is done, else err
// (the owner's end, or a failure of the integrator's own).
func (ig *Integrator) stop(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}

// skyKey is what the Alt/Az of a fixed pointing depends on besides time
// passing: the site and the shared clock's setting.
type skyKey struct {
	lat, lon, alt float64
	clockKnown    bool
	clockOffset   time.Duration
}

func skyKeyOf(s state.State) skyKey {
	return skyKey{lat: s.Location.Lat, lon: s.Location.Lon, alt: s.Location.AltitudeM,
		clockKnown: s.Clock.Known(), clockOffset: s.Clock.Offset()}
}

// differs reports a change worth recomputing Alt/Az for: any change of the
// site, the clock becoming known or unknown, or a jump of its setting by
// more than a second (GPS re-stamps the clock every fix by milliseconds).
func (k skyKey) differs(o skyKey) bool {
	d := k.clockOffset - o.clockOffset
	return k.lat != o.lat || k.lon != o.lon || k.alt != o.alt || k.clockKnown != o.clockKnown ||
		d > time.Second || d < -time.Second
}
