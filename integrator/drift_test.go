package integrator

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var night = time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)

func truthAt(w *simworld.World, t time.Time) state.Pointing {
	a := w.Attitude(t)
	return state.PointingOf(a.RA, a.Dec, a.Roll)
}

func sepArcsec(a, b state.Pointing) float64 { return geom.Separation(a.RA, a.Dec, b.RA, b.Dec) * 3600 }

// driftRun replays a synthetic session through Core at 10 Hz: the simulated
// IMU's readings are the samples (no motion filter), solves are the truth at
// the tick with that tick's sample as anchor. It returns the error of the camera
// estimate after every IMU tick, and for each tick how many IMU ticks
// followed the last solve.
type driftRun struct {
	errs  []float64
	after []int
}

func runDrift(t *testing.T, w *simworld.World, dur time.Duration, noise, drift float64, solveEvery time.Duration) driftRun {
	sim, err := simimu.New(w, simimu.Config{ScreenDirection: "flat", NoiseArcsec: noise, DriftArcsecPerS: drift, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	core := newCore(t, Config{ScreenDirection: "flat"})
	const dt = 100 * time.Millisecond
	var (
		res    driftRun
		sample state.ImuSample
		has    bool
		since  int
	)
	for i := 0; time.Duration(i)*dt <= dur; i++ {
		tt := night.Add(time.Duration(i) * dt)
		r := sim.At(tt)
		sample, has = state.ImuSample{Time: r.Time, Quat: r.Quat, Status: 3, Moving: w.Moving(tt)}, true
		tk := Tick{IMU: sample, HasIMU: has, Now: tt}
		if i%int(solveEvery/dt) == 0 && has && sample.HasQuat() {
			truth := truthAt(w, tt)
			tk.Solve = &state.SolveEvent{Success: true, Camera: truth, Aligned: truth, Anchor: sample.Quat,
				Attempt: tt, LastSuccess: tt, Truth: truth}
			core.Step(tk, func(state.Estimate) {})
			since = 0
			continue
		}
		core.Step(tk, func(state.Estimate) {})
		if !core.Estimate().HasPointing() {
			continue
		}
		since++
		res.errs = append(res.errs, sepArcsec(core.Estimate().Camera.Estimate, truthAt(w, tt)))
		res.after = append(res.after, since)
	}
	return res
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func raSlew(rate float64, dur time.Duration) simworld.Script {
	start := geom.Attitude{RA: 150, Dec: 30}
	s := simworld.Script{Start: start}
	// Short legs keep the path close to the Dec 30° small circle.
	steps := int(math.Ceil(dur.Seconds() * rate / 5))
	for i := 1; i <= steps; i++ {
		s.Steps = append(s.Steps, simworld.Step{To: geom.Attitude{RA: 150 + 5*float64(i)/math.Cos(30*math.Pi/180), Dec: 30}, RateDegPerS: rate})
	}
	return s
}

func TestT13DriftReplays(t *testing.T) {
	t.Run("stationary", func(t *testing.T) {
		w := simworld.New(night, simworld.Script{Start: geom.Attitude{RA: 180, Dec: 45},
			Steps: []simworld.Step{{To: geom.Attitude{RA: 180, Dec: 45}, Hold: 10 * time.Second}}})
		r := runDrift(t, w, 10*time.Second, 1, 0, 2*time.Second)
		m, mx := mean(r.errs), 0.0
		for _, e := range r.errs {
			mx = math.Max(mx, e)
		}
		t.Logf("stationary: mean %.3f″ max %.3f″ over %d readings", m, mx, len(r.errs))
		if m >= 5 || mx >= 10 {
			t.Errorf("mean %.3f″ (want < 5), max %.3f″ (want < 10)", m, mx)
		}
	})
	t.Run("slew 2°/s, 5″/s drift", func(t *testing.T) {
		w := simworld.New(night, raSlew(2, 30*time.Second))
		r := runDrift(t, w, 30*time.Second, 1, 5, 3*time.Second)
		q := len(r.errs) / 4
		m, first, last := mean(r.errs), mean(r.errs[:q]), mean(r.errs[len(r.errs)-q:])
		t.Logf("slew: mean %.3f″, first quarter %.3f″, last quarter %.3f″", m, first, last)
		if m >= 15 || last >= 3*first {
			t.Errorf("mean %.3f″ (want < 15); last quarter %.3f″ vs 3× first %.3f″", m, last, 3*first)
		}
	})
	t.Run("slew 1°/s, 2″/s drift", func(t *testing.T) {
		w := simworld.New(night, raSlew(1, 30*time.Second))
		r := runDrift(t, w, 30*time.Second, 1, 2, 4*time.Second)
		var early []float64
		for i, n := range r.after {
			if n <= 3 {
				early = append(early, r.errs[i])
			}
		}
		t.Logf("first 3 readings after each solve: mean %.3f″ (%d readings)", mean(early), len(early))
		if m := mean(early); m >= 20 || len(early) == 0 {
			t.Errorf("mean %.3f″ of the first readings after solves, want < 20″", m)
		}
	})
}

// collector is an Observer that keeps every published estimate.
type collector struct {
	mu    sync.Mutex
	ticks int
	pubs  []state.Estimate
}

func (c *collector) Tick(Tick) { c.mu.Lock(); c.ticks++; c.mu.Unlock() }
func (c *collector) Published(e state.Estimate) {
	c.mu.Lock()
	c.pubs = append(c.pubs, e)
	c.mu.Unlock()
}

// TestDriftSimulationLive runs the real workers on a fake clock: the state
// owner, Run on the simulated IMU, the integrator's Run and a stand-in
// solver that reports the truth every 2 s while the telescope holds still.
// Solve estimates must be exact; IMU estimates during and after slews must
// stay within the drift model: drift·(time since the anchor was measured) +
// noise. The anchor is the published (filtered) sample, whose quaternion is
// frozen while the telescope stands still, so it was measured when the last
// motion ended (or at start-up), not at the solve: slow drift during a hold
// is invisible to the filter and shows up after the next slew.
func TestDriftSimulationLive(t *testing.T) {
	const (
		drift = 5.0 // ″/s
		noise = 1.0 // ″
	)
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		w := simworld.New(start, simworld.Script{
			Start: geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30},
			Steps: []simworld.Step{
				{To: geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}, Hold: 10 * time.Second},
				{To: geom.Attitude{RA: 56.9, Dec: 24.1, Roll: 10}, RateDegPerS: 3, Hold: 10 * time.Second},
				{To: geom.Attitude{RA: 101.3, Dec: -16.7, Roll: 50}, RateDegPerS: 4, Hold: 10 * time.Second},
			},
		})
		dev, err := simimu.New(w, simimu.Config{NoiseArcsec: noise, DriftArcsecPerS: drift, CalibrateAfter: 2 * time.Second, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		st := state.New(state.Default())
		ctx, cancel := context.WithCancelCause(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() { st.Run(ctx) })
		if err := st.Update(ctx, state.SetDateTime{Time: night}); err != nil {
			t.Fatal(err)
		}
		if err := st.Update(ctx, state.SetLocation{Location: state.Location{Lat: 48, Lon: 11, Source: "CONFIG:test"}}); err != nil {
			t.Fatal(err)
		}
		obs := &collector{}
		ig, err := New(Config{Observer: obs, Log: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		solves := make(chan state.SolveEvent)
		wg.Go(func() { imu.Run(ctx, dev, st, zerolog.Nop(), imu.Options{}) })
		wg.Go(func() { ig.Run(ctx, st, solves) })
		wg.Go(func() {
			tick := time.NewTicker(2 * time.Second)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				snap, err := st.Snapshot(ctx)
				if err != nil || !snap.HasIMU || w.Moving(snap.IMU.Time) {
					continue
				}
				truth := truthAt(w, snap.IMU.Time)
				ev := state.SolveEvent{Success: true, Camera: truth, Aligned: truth, Anchor: snap.IMU.Quat,
					Attempt: snap.IMU.Time, LastSuccess: snap.IMU.Time, Truth: truth}
				select {
				case solves <- ev:
				case <-ctx.Done():
					return
				}
			}
		})
		time.Sleep(w.Duration() + 5*time.Second)
		cancel(errors.New("simulation over"))
		wg.Wait()

		var camN, imuN, movingN int
		var worstStill float64
		worstExcess := math.Inf(-1)
		for _, e := range obs.pubs {
			if e.Source == state.SourceCamFailed {
				continue
			}
			err := sepArcsec(e.Camera.Estimate, truthAt(w, e.EstimateTime))
			switch e.Source {
			case state.SourceCamera:
				camN++
				if err > 1e-6 || math.Abs(e.ErrArcsec) > 1e-6 {
					t.Errorf("solve estimate off by %.3g″", err)
				}
			case state.SourceIMU:
				imuN++
				since := e.EstimateTime.Sub(anchorMeasured(w, e.LastSolveSuccess)).Seconds()
				excess := err - (drift*since + 5*noise)
				worstExcess = math.Max(worstExcess, excess)
				if excess > 0 {
					t.Errorf("IMU estimate %.1f s after the anchor off by %.2f″: beyond the drift model", since, err)
				}
				if w.Moving(e.EstimateTime) {
					movingN++
				} else {
					worstStill = math.Max(worstStill, err)
				}
			}
		}
		t.Logf("%d solve and %d IMU estimates (%d during slews), worst stationary IMU error %.2f″, %d observed ticks",
			camN, imuN, movingN, worstStill, obs.ticks)
		if camN < 10 || movingN < 100 {
			t.Errorf("too few estimates: %d solves, %d moving IMU", camN, movingN)
		}
		// The last estimate is during the final hold after a solve: exact.
		last := obs.pubs[len(obs.pubs)-1]
		if e := sepArcsec(last.Aligned.Estimate, truthAt(w, last.EstimateTime)); e > 1 {
			t.Errorf("final estimate off by %.2f″", e)
		}
		if last.Constellation != "CMa" || !last.HasAltAz {
			t.Errorf("final estimate at Sirius: constellation %q altaz %v", last.Constellation, last.HasAltAz)
		}
		t.Logf("closest approach to the drift bound: %.2f″ below", -worstExcess)
	})
}

// anchorMeasured is an early bound on when the anchor of a solve at t was
// measured: the end of the last slew before t, or the start of the world.
func anchorMeasured(w *simworld.World, t time.Time) time.Time {
	for u := t; u.After(w.Start()); u = u.Add(-10 * time.Millisecond) {
		if w.Moving(u) {
			return u
		}
	}
	return w.Start()
}
