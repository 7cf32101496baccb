package simimu

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/rot"

	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

var t0 = time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)

func slewWorld() *simworld.World {
	return simworld.New(t0, simworld.Script{
		Start: geom.Attitude{RA: 180, Dec: 45},
		Steps: []simworld.Step{
			{To: geom.Attitude{RA: 180, Dec: 45}, Hold: 10 * time.Second},
			{To: geom.Attitude{RA: 200, Dec: 30, Roll: 20}, RateDegPerS: 2, Hold: 10 * time.Second},
		},
	})
}

func arcsecBetween(a, b quat.Number) float64 { return rot.Angle(a, b) / arcsec }

func TestIdentity(t *testing.T) {
	for _, dir := range []string{"", "flat", "left", "rev4_straight"} {
		w := slewWorld()
		s, err := New(w, Config{ScreenDirection: dir, DriftArcsecPerS: 5, Seed: 7, Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		for _, dt := range []time.Duration{0, 5 * time.Second, 12 * time.Second, 30 * time.Second} {
			tt := t0.Add(dt)
			r := s.At(tt)
			got := quat.Mul(quat.Mul(s.EqToX(tt), r.Quat), s.IMUToCam())
			if e := arcsecBetween(got, w.Orientation(tt)); e > 1e-6 {
				t.Errorf("%q at %v: q_eq2x⊗q_x2imu⊗q_imu2cam is %.3g″ off the truth", dir, dt, e)
			}
			if r.GyroCal != 3 || !r.Time.Equal(tt) {
				t.Errorf("reading %+v", r)
			}
		}
		// The reference frame drifts at the configured rate.
		if d := arcsecBetween(s.EqToX(t0), s.EqToX(t0.Add(100*time.Second))); math.Abs(d-500) > 1e-6 {
			t.Errorf("drift over 100 s = %.6f″, want 500″", d)
		}
	}
}

func TestNoiseBiasQuantize(t *testing.T) {
	w := slewWorld()
	s, err := New(w, Config{NoiseArcsec: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var sum2 float64
	const n = 2000
	for i := range n {
		tt := t0.Add(time.Duration(i) * time.Millisecond)
		e := arcsecBetween(s.At(tt).Quat, s.Truth(tt))
		sum2 += e * e
	}
	if rms := math.Sqrt(sum2 / n); rms < 8 || rms > 12 {
		t.Errorf("noise RMS %.2f″, want ~10″", rms)
	}

	q, err := New(w, Config{Quantize: true})
	if err != nil {
		t.Fatal(err)
	}
	r := q.At(t0.Add(3 * time.Second))
	for _, v := range []float64{r.Quat.Real, r.Quat.Imag, r.Quat.Jmag, r.Quat.Kmag} {
		if v*16384 != math.Round(v*16384) {
			t.Errorf("component %v not on the 1/16384 grid", v)
		}
	}

	// A mounting bias is invisible at rest after a solve but shows in slews.
	b, err := New(w, Config{BiasArcsec: 3600, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if e := arcsecBetween(b.Truth(t0), quat.Mul(quat.Conj(b.EqToX(t0)), quat.Mul(w.Orientation(t0), quat.Conj(b.IMUToCam())))); math.Abs(e-3600) > 1e-6 {
		t.Errorf("bias %.3f″, want 3600″", e)
	}
}

func TestCalibrationAndClose(t *testing.T) {
	now := t0
	s, err := New(slewWorld(), Config{CalibrateAfter: 10 * time.Second, Raw: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Duration
		want int
	}{{0, 0}, {4 * time.Second, 0}, {6 * time.Second, 2}, {10 * time.Second, 3}} {
		now = t0.Add(c.at)
		r, err := s.Read(context.Background())
		if err != nil || r.GyroCal != c.want {
			t.Errorf("at %v: cal %d err %v, want %d", c.at, r.GyroCal, err, c.want)
		}
	}
	// During the 2°/s slew the gyro reads ~2°/s.
	r := s.At(t0.Add(15 * time.Second))
	rate := math.Sqrt(r.Gyro[0]*r.Gyro[0]+r.Gyro[1]*r.Gyro[1]+r.Gyro[2]*r.Gyro[2]) * 180 / math.Pi
	if !r.HasRaw || math.Abs(rate-2) > 0.01 {
		t.Errorf("gyro rate %.4f°/s during a 2°/s slew", rate)
	}
	s.Close()
	if _, err := s.Read(context.Background()); !errors.Is(err, imu.ErrNoDevice) {
		t.Errorf("read after close: %v", err)
	}
}

func TestBadConfig(t *testing.T) {
	if _, err := New(slewWorld(), Config{ScreenDirection: "sideways"}); err == nil {
		t.Error("unknown direction accepted")
	}
	if _, err := New(slewWorld(), Config{NoiseArcsec: -1}); err == nil {
		t.Error("negative noise accepted")
	}
	if _, err := New(nil, Config{}); err == nil {
		t.Error("nil world accepted")
	}
}
