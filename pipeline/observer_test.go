package pipeline

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// The simulated observer: a person at a push-to telescope in Brussels on
// the evening of 2026-03-25 (20:30 UTC: the Moon and Jupiter high, the
// winter and spring objects up) reads the guidance and pushes.
var (
	observerSite = Site{Lat: 50.85, Lon: 4.35, AltitudeM: 60}
	observerDate = time.Date(2026, 3, 25, 20, 30, 0, 0, time.UTC)
	// Deep-sky objects over the whole evening sky, a planet and the Moon;
	// every third one on an equatorial mount. -short runs the first three.
	observerTargets = []string{
		"M 42", "Moon", "M 51", "Jupiter", "M 45", "M 1", "M 35", "M 44", "M 67", "M 81",
		"M 82", "M 97", "M 101", "M 65", "M 3", "M 53", "M 64", "NGC 2392", "NGC 3242", "M 13",
	}
)

// Arrival rules of the test.
const (
	arriveDeg     = 0.25             // the target within this of the eyepiece axis at the end
	observerLimit = 60 * time.Second // of simulated time from the target being set
	agreeArcmin   = 1.0              // the guidance's separation against the truth at the end
)

type observerRun struct {
	target        string
	mount         targets.Mount
	altDeg        float64 // the target's altitude at the start
	startDeg      float64 // from the eyepiece to the target at the start
	pushes        int
	arrived       time.Duration
	finalDeg      float64 // true distance at the end
	guidanceDeg   float64 // the guidance's distance at the end
	ok            bool
	failureReason string
}

// TestSimulatedObserver: for each target, the telescope starts 30-120° away
// and a simulated observer pushes it by the guidance the state publishes:
// a push at 2-5°/s by what the guidance says, the hand off by up to 10% on
// each axis (so pushes over- and undershoot), then a wait until the camera
// has solved a frame taken after the push (the guidance has settled), and
// the next correction. Each run must end with the target within 0.25° of
// the eyepiece axis within 60 s of simulated time, and the guidance's
// separation must then agree with the simulated truth within 1′. The
// camera is the rendered sky, the IMU the simulated one with drift and
// noise. -short runs three targets (the Moon and two deep-sky objects, one
// on each mount type).
func TestSimulatedObserver(t *testing.T) {
	names := observerTargets
	if testing.Short() {
		names = names[:3]
	}
	cat, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	var runs []observerRun
	for i, name := range names {
		tg, ok := cat.Lookup(name)
		if !ok {
			t.Fatalf("%s not in the catalogue", name)
		}
		mount := targets.AltAz
		if i%3 == 2 {
			mount = targets.Equatorial
		}
		var run observerRun
		t.Run(strings.ReplaceAll(name, " ", ""), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				run = observe(t, tg, mount, uint64(i+1))
			})
		})
		runs = append(runs, run)
	}
	t.Logf("%-10s %-10s %7s %9s %7s %9s %10s %11s", "target", "mount", "alt°", "start°", "pushes", "arrived", "final′", "guidance′")
	for _, r := range runs {
		arr := "—"
		if r.ok {
			arr = fmt.Sprintf("%.1f s", r.arrived.Seconds())
		}
		t.Logf("%-10s %-10s %7.1f %9.1f %7d %9s %10.2f %11.2f %s", r.target, r.mount, r.altDeg, r.startDeg, r.pushes, arr,
			r.finalDeg*60, r.guidanceDeg*60, r.failureReason)
	}
}

// observe runs one target in its own pipeline inside the caller's bubble.
func observe(t *testing.T, tg targets.Target, mount targets.Mount, seed uint64) observerRun {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	site := astro.Observer{LatDeg: observerSite.Lat, LonDeg: observerSite.Lon, HeightM: observerSite.AltitudeM}
	run := observerRun{target: tg.Name(), mount: mount}
	if o := tg.Object(); o != nil {
		run.target = o.Primary()
	}

	tra, tdec, err := tg.Position(observerDate, site)
	if err != nil {
		t.Fatal(err)
	}
	run.altDeg, _ = astro.AltAz(tra, tdec, site, observerDate, astro.Weather{})
	run.startDeg = 30 + 90*rng.Float64()
	start := offsetBy(tra, tdec, run.startDeg, 360*rng.Float64())
	start.Roll = 360 * rng.Float64()

	t0 := time.Now()
	world := simworld.New(t0, simworld.Script{Start: start, Steps: []simworld.Step{{To: start, Hold: time.Hour}}})
	logs := &logBuffer{}
	p, err := New(Config{
		Log:          zerolog.New(logs).Level(zerolog.WarnLevel),
		World:        world,
		SimIMU:       &simimu.Config{DriftArcsecPerS: 3, NoiseArcsec: 1, Seed: seed},
		Location:     &observerSite,
		Mount:        mount.String(),
		SleepTimeout: "Off", // a person studying the guidance does not let it sleep
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	st := p.Store()
	if err := st.Update(ctx, state.SetDateTime{Time: observerDate, Force: true}); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, state.SetTarget{Target: state.Target{Object: tg, Source: "observer"}}); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	stoppedAt := begin // when the telescope last came to rest

	// settled waits for guidance made from a camera solve of a frame
	// exposed wholly after the telescope stopped.
	settled := func() (state.State, bool) {
		for time.Since(begin) < observerLimit {
			time.Sleep(100 * time.Millisecond)
			s, err := st.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			e := s.Estimate
			exposure := time.Duration(s.Frame.ExposureUS) * time.Microsecond
			if s.Guidance.Valid && e.Source == state.SourceCamera && e.LastSolveSuccess.Add(-exposure).After(stoppedAt) &&
				!s.Guidance.EstimateTime.Before(e.LastSolveSuccess) {
				return s, true
			}
		}
		return state.State{}, false
	}

	var last state.State
	for {
		s, ok := settled()
		if !ok {
			run.failureReason = "no settled guidance in time"
			break
		}
		last = s
		g := s.Guidance
		if g.Mount != mount || g.NoSite {
			t.Fatalf("guidance for mount %v (no site %v), want %v", g.Mount, g.NoSite, mount)
		}
		if g.SeparationDeg < observerStopAt {
			run.ok, run.arrived = true, time.Since(begin)
			break
		}
		// The hand: each axis off by up to 10%, at 2-5°/s (faster for the
		// long pushes, as a person swings a telescope across the sky).
		k1, k2 := 0.9+0.2*rng.Float64(), 0.9+0.2*rng.Float64()
		now := time.Now()
		clock, _ := s.Clock.At(now)
		to := push(world.Attitude(now), g.Guidance, k1, k2, site, clock)
		rate := math.Min(5, 2+g.SeparationDeg/40+0.5*rng.Float64())
		world.Steer(now, to, rate)
		run.pushes++
		for world.Moving(time.Now()) {
			time.Sleep(50 * time.Millisecond)
		}
		stoppedAt = time.Now()
	}
	// The truth: the eyepiece axis (the default target pixel is the image
	// centre, so the camera boresight) against the target at the clock's time.
	now := time.Now()
	s, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock, _ := s.Clock.At(now)
	ra, dec, _ := tg.Position(clock, site)
	truth := world.Attitude(now)
	run.finalDeg = geom.Separation(truth.RA, truth.Dec, ra, dec)
	run.guidanceDeg = last.Guidance.SeparationDeg
	switch {
	case !run.ok:
		t.Errorf("%s: not arrived within %v (%d pushes): %s", run.target, observerLimit, run.pushes, run.failureReason)
	case run.arrived >= observerLimit:
		t.Errorf("%s: arrived after %v", run.target, run.arrived)
	case run.finalDeg > arriveDeg:
		t.Errorf("%s: ended %.3f° from the eyepiece axis, want within %.2f°", run.target, run.finalDeg, arriveDeg)
		run.ok = false
	}
	// The last guidance came from the last settled estimate; the telescope
	// has not moved since.
	if d := math.Abs(run.guidanceDeg-run.finalDeg) * 60; run.ok && d > agreeArcmin {
		t.Errorf("%s: guidance separation %.3f′ but the truth is %.3f′ (%.2f′ apart)", run.target, run.guidanceDeg*60, run.finalDeg*60, d)
	}
	if n := countContaining(logs.Lines(), `"level":"error"`); n > 0 {
		t.Errorf("%d error lines:\n%s", n, strings.Join(logs.Lines(), "\n"))
	}
	return run
}

// --sim-observer: the observer worker takes the telescope to a target set
// through the state, by the guidance alone, and stops there; with no site
// (an Alt/Az mount's guidance then has no axes) it pushes straight at it.
func TestSimObserverWorker(t *testing.T) {
	cat, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		target string
		site   *Site
		mount  string
	}{
		{"altaz", "M 42", &observerSite, "altaz"},
		{"equatorial", "M 51", &observerSite, "equatorial"},
		{"no site", "M 44", nil, "altaz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.site != nil {
				t.Skip("-short: the guidance by the mount's axes is TestSimulatedObserver's too")
			}
			synctest.Test(t, func(t *testing.T) {
				tg, _ := cat.Lookup(tc.target)
				site := astro.Observer{LatDeg: observerSite.Lat, LonDeg: observerSite.Lon}
				tra, tdec, _ := tg.Position(observerDate, site)
				start := offsetBy(tra, tdec, 40, 70)
				world := simworld.New(time.Now(), simworld.Script{Start: start, Steps: []simworld.Step{{To: start, Hold: time.Hour}}})
				logs := &logBuffer{}
				p, err := New(Config{Log: zerolog.New(logs), World: world, Location: tc.site, Mount: tc.mount, SleepTimeout: "Off", SimObserver: true})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- p.Run(ctx) }()
				defer func() { cancel(); <-done }()
				st := p.Store()
				if err := st.Update(ctx, state.SetDateTime{Time: observerDate, Force: true}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(3 * time.Second) // the observer leaves the telescope alone without a target
				if a := world.Attitude(time.Now()); geom.Separation(a.RA, a.Dec, start.RA, start.Dec) > 1e-6 {
					t.Fatalf("telescope moved with no target")
				}
				if err := st.Update(ctx, state.SetTarget{Target: state.Target{Object: tg, Source: "test"}}); err != nil {
					t.Fatal(err)
				}
				var seps []float64
				for range 90 {
					time.Sleep(time.Second)
					s, _ := st.Snapshot(ctx)
					if s.Guidance.Valid {
						seps = append(seps, s.Guidance.SeparationDeg)
					}
					if countContaining(logs.Lines(), "target in the eyepiece") > 0 {
						time.Sleep(3 * time.Second) // and it stays there
						break
					}
				}
				now := time.Now()
				s, _ := st.Snapshot(ctx)
				clock, _ := s.Clock.At(now)
				ra, dec, _ := tg.Position(clock, site)
				a := world.Attitude(now)
				if d := geom.Separation(a.RA, a.Dec, ra, dec); d > 0.25 {
					t.Errorf("at the end the telescope is %.2f° from %s (separations %.1f)", d, tc.target, seps)
				}
				if len(seps) < 10 || seps[0] < 30 || seps[len(seps)-1] > 0.25 {
					t.Errorf("guidance separations %.2f", seps)
				}
				if countContaining(logs.Lines(), "target in the eyepiece") != 1 {
					t.Errorf("no single arrival line:\n%s", strings.Join(logs.Lines(), "\n"))
				}
			})
		})
	}
}
