package pipeline

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// Rules of the simulated observer (--sim-observer).
const (
	// observerStopAt: the observer stops pushing below this separation
	// (degrees), well inside any eyepiece's field.
	observerStopAt = 0.1
	// observerThink is how long the observer reads the settled guidance
	// before pushing: a person at the eyepiece, and time for a page to
	// show each step.
	observerThink = time.Second
	// observerPoll is how often the observer looks at the state.
	observerPoll = 100 * time.Millisecond
)

// simObserver is a person at the simulated telescope who follows the
// push-to guidance: when a target is set, it waits for guidance made from
// a camera solve of a frame taken after the telescope came to rest, reads
// it for a second, then pushes each mount axis by what the guidance says,
// the hand off by up to 10 % (so pushes over- and undershoot), at 2-5°/s,
// and again until the target is within 0.1°. With no target it leaves the
// telescope alone (the simulated night's script runs until the first push).
type simObserver struct {
	store *state.Store
	world *simworld.World
	log   zerolog.Logger
	rng   *rand.Rand
}

func newSimObserver(st *state.Store, world *simworld.World, log zerolog.Logger, seed uint64) *simObserver {
	return &simObserver{store: st, world: world, log: log, rng: rand.New(rand.NewPCG(seed, 0x5eed))}
}

// Run follows the guidance until ctx ends; it returns context.Cause(ctx),
// or the state owner's error.
func (o *simObserver) Run(ctx context.Context) error {
	o.log.Info().Msg("simulated observer: following the push-to guidance of each target")
	var (
		target    uint64    // Seq of the target being followed
		stoppedAt time.Time // when the telescope last came to rest
		moving    bool
		arrived   bool
		readSince time.Time // when the settled guidance was first seen
		pushes    int
		began     time.Time
	)
	tick := time.NewTicker(observerPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
		}
		s, err := o.store.Snapshot(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		if !s.HasTarget {
			target = 0
			continue
		}
		if s.Target.Seq != target { // a new target: start over
			target, arrived, pushes, began, readSince = s.Target.Seq, false, 0, now, time.Time{}
			// The observer takes the telescope: wherever the night's
			// script was taking it, it stops here.
			if o.world.Moving(now) {
				o.world.Steer(now, o.world.Attitude(now), 0)
			}
			stoppedAt = now
		}
		if o.world.Moving(now) {
			moving = true
			continue
		}
		if moving {
			moving, stoppedAt = false, now
		}
		if arrived || !settled(s, stoppedAt) {
			continue
		}
		g := s.Guidance
		if g.SeparationDeg < observerStopAt {
			arrived = true
			o.log.Info().Str("target", s.Target.Name).Int("pushes", pushes).Dur("after", now.Sub(began).Round(100*time.Millisecond)).
				Float64("sep_deg", round3(g.SeparationDeg)).Msg("simulated observer: target in the eyepiece")
			continue
		}
		if readSince.IsZero() {
			readSince = now
		}
		if now.Sub(readSince) < observerThink {
			continue
		}
		readSince = time.Time{}
		to := o.pushTo(s, now)
		rate := math.Min(5, 2+g.SeparationDeg/40+0.5*o.rng.Float64())
		o.world.Steer(now, to, rate)
		pushes++
		moving = true
		o.log.Debug().Str("target", s.Target.Name).Float64("sep_deg", round3(g.SeparationDeg)).Float64("rate_deg_s", round3(rate)).Msg("simulated observer: push")
	}
}

// settled reports whether the guidance of s comes from a camera solve of
// a frame exposed wholly after the telescope stopped at stoppedAt.
func settled(s state.State, stoppedAt time.Time) bool {
	e := s.Estimate
	exposure := time.Duration(s.Frame.ExposureUS) * time.Microsecond
	return s.Guidance.Valid && e.Source == state.SourceCamera && e.LastSolveSuccess.Add(-exposure).After(stoppedAt) &&
		!s.Guidance.EstimateTime.Before(e.LastSolveSuccess)
}

// pushTo is where the hand moves the telescope by the guidance of s:
// along the mount's axes when the site is known, else straight at the
// target (no Alt/Az without a site).
func (o *simObserver) pushTo(s state.State, now time.Time) geom.Attitude {
	k1, k2 := 0.9+0.2*o.rng.Float64(), 0.9+0.2*o.rng.Float64()
	cur := o.world.Attitude(now)
	clock, _ := s.Clock.At(now)
	g := s.Guidance
	if g.NoSite && g.Mount == targets.AltAz {
		// Straight along the great circle, the hand's error on the length.
		ra, dec := s.Target.RA, s.Target.Dec
		k := (k1 + k2) / 2
		if sep := geom.Separation(cur.RA, cur.Dec, ra, dec); sep > 0 {
			pa := positionAngle(cur.RA, cur.Dec, ra, dec)
			a := offsetBy(cur.RA, cur.Dec, sep*k, pa)
			return geom.Attitude{RA: a.RA, Dec: a.Dec, Roll: cur.Roll}
		}
		return cur
	}
	site := astro.Observer{LatDeg: s.Location.Lat, LonDeg: s.Location.Lon, HeightM: s.Location.AltitudeM}
	return push(cur, g.Guidance, k1, k2, site, clock)
}

// push is where a hand moves the telescope from cur by the guidance, each
// axis scaled by k1 and k2 (the hand's error): in azimuth and altitude on
// an Alt/Az mount, in RA and Dec of date on an equatorial one. It uses its
// own spherical trigonometry of the equator of date (no refraction), not
// the guidance code it follows, so the tests that use it check that code.
func push(cur geom.Attitude, g targets.Guidance, k1, k2 float64, site astro.Observer, at time.Time) geom.Attitude {
	const d = math.Pi / 180
	ra, dec := astro.JNow(cur.RA, cur.Dec, at)
	switch g.Mount {
	case targets.Equatorial:
		ra += k1 * g.RADeg
		dec = math.Max(-89.9, math.Min(89.9, dec+k2*g.DecDeg))
	default:
		lst := astro.LocalSiderealTime(site.LonDeg, at)
		phi := site.LatDeg * d
		h, de := (lst-ra)*d, dec*d
		alt := math.Asin(math.Sin(phi)*math.Sin(de) + math.Cos(phi)*math.Cos(de)*math.Cos(h))
		az := math.Atan2(-math.Cos(de)*math.Sin(h), math.Sin(de)*math.Cos(phi)-math.Cos(de)*math.Sin(phi)*math.Cos(h))
		alt = math.Max(-89.9*d, math.Min(89.9*d, alt+k2*g.AltitudeDeg*d))
		az += k1 * g.AzimuthDeg * d
		de = math.Asin(math.Sin(phi)*math.Sin(alt) + math.Cos(phi)*math.Cos(alt)*math.Cos(az))
		h = math.Atan2(-math.Cos(alt)*math.Sin(az), math.Sin(alt)*math.Cos(phi)-math.Cos(alt)*math.Sin(phi)*math.Cos(az))
		ra, dec = lst-h/d, de/d
	}
	r, de := astro.J2000FromJNow(geom.NormDeg(ra), dec, at)
	return geom.Attitude{RA: r, Dec: de, Roll: cur.Roll}
}

// positionAngle is the direction from (ra1, dec1) to (ra2, dec2) in
// degrees from north through east.
func positionAngle(ra1, dec1, ra2, dec2 float64) float64 {
	const d = math.Pi / 180
	dra := (ra2 - ra1) * d
	return math.Atan2(math.Sin(dra)*math.Cos(dec2*d), math.Cos(dec1*d)*math.Sin(dec2*d)-math.Sin(dec1*d)*math.Cos(dec2*d)*math.Cos(dra)) / d
}

// offsetBy returns the position dist degrees from (ra, dec) towards
// position angle pa (degrees from north through east).
func offsetBy(ra, dec, dist, pa float64) geom.Attitude {
	const d = math.Pi / 180
	a, de, r, q := ra*d, dec*d, dist*d, pa*d
	v := [3]float64{math.Cos(de) * math.Cos(a), math.Cos(de) * math.Sin(a), math.Sin(de)}
	north := [3]float64{-math.Sin(de) * math.Cos(a), -math.Sin(de) * math.Sin(a), math.Cos(de)}
	east := [3]float64{-math.Sin(a), math.Cos(a), 0}
	var p [3]float64
	for i := range p {
		p[i] = v[i]*math.Cos(r) + (north[i]*math.Cos(q)+east[i]*math.Sin(q))*math.Sin(r)
	}
	return geom.Attitude{RA: geom.NormDeg(math.Atan2(p[1], p[0]) / d), Dec: math.Asin(math.Max(-1, math.Min(1, p[2]))) / d}
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
