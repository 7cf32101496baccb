package integrator

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/state"
)

// TestNightCore runs a whole night of the default script through the pure
// path the live loop uses (simulated BNO055-like IMU → motion filter → Core)
// at 30 Hz, with a stand-in solver at 2 Hz that returns the truth while the
// telescope is still and uncovered and fails otherwise. Every IMU estimate
// must stay within the drift model (drift since the anchor was measured,
// plus noise and the 1/16384 quantisation of both quaternions).
func TestNightCore(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-night simulation skipped in -short mode")
	}
	night := 8 * time.Hour
	if raceEnabled {
		night = time.Hour // the race detector makes the full night ~15× slower
	}
	const (
		rate  = time.Second / 30
		drift = 3.0 // ″/s
		noise = 2.0 // ″
		// Quantisation: each of the two quaternions (anchor and current) may
		// be off by half an LSB per component, |δq| ≤ √4·0.5/16384, which is
		// a rotation of up to 2·|δq| rad ≈ 25.2″ each.
		margin = 3*noise + 2*25.2
	)
	start := time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC)
	w := simworld.New(start, simworld.DefaultScript())
	sim, err := simimu.New(w, simimu.Config{NoiseArcsec: noise, DriftArcsecPerS: drift, Quantize: true, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	core, err := NewCore(Config{}) // default build "right", real skymath
	if err != nil {
		t.Fatal(err)
	}
	filter := imu.NewFilter(1)
	loc := state.Location{Lat: 48.1, Lon: 11.6, AltitudeM: 520}

	var (
		sample      state.ImuSample
		has         bool
		lastMotion  = start
		anchorAt    time.Time // when the anchor of the last solve was measured
		counts      = map[state.SolveSource]int{}
		imuErrs     []float64
		violations  int
		worstExcess = math.Inf(-1)
	)
	check := func(e state.Estimate) {
		counts[e.Source]++
		if e.Source != state.SourceIMU {
			return
		}
		err := sepArcsec(e.Camera.Estimate, truthAt(w, e.EstimateTime))
		imuErrs = append(imuErrs, err)
		excess := err - (drift*e.EstimateTime.Sub(anchorAt).Seconds() + margin)
		worstExcess = math.Max(worstExcess, excess)
		if excess > 0 {
			if violations++; violations <= 5 {
				t.Errorf("IMU estimate at %v off by %.1f″, beyond the drift model", e.EstimateTime.Sub(start), err)
			}
		}
	}
	solveEvery := int(500 * time.Millisecond / rate)
	for i := 0; time.Duration(i)*rate < night; i++ {
		tt := start.Add(time.Duration(i) * rate)
		if w.Moving(tt) {
			lastMotion = tt
		}
		if s, pub, _ := filter.Step(sim.At(tt)); pub {
			sample, has = s, true
		}
		tk := Tick{IMU: sample, HasIMU: has, Location: loc, Now: tt}
		if i%solveEvery == 0 && has {
			ev := &state.SolveEvent{Attempt: tt, Diag: state.SolveDiag{Status: "no stars"}}
			if !w.Moving(tt) && !w.Covered(tt) {
				p := truthAt(w, tt)
				ev = &state.SolveEvent{Success: true, Camera: p, Aligned: p, Anchor: sample.Quat, Attempt: tt,
					LastSuccess: tt, Truth: p, Diag: state.SolveDiag{Matches: 15}}
				anchorAt = lastMotion
			}
			tk.Solve = ev
		}
		core.Step(tk, check)
	}
	slices.Sort(imuErrs)
	pct := func(p float64) float64 { return imuErrs[int(p*float64(len(imuErrs)-1))] }
	t.Logf("%v night: estimates %v; IMU error median %.1f″, p95 %.1f″, max %.1f″; closest to the bound %.1f″",
		night, counts, pct(0.5), pct(0.95), pct(1), -worstExcess)
	if violations > 0 {
		t.Errorf("%d IMU estimates beyond the drift model", violations)
	}
	if counts[state.SourceCamera] < 1000 || counts[state.SourceIMU] < 10000 || counts[state.SourceCamFailed] < 100 {
		t.Errorf("unexpected mix of estimates: %v", counts)
	}
}
