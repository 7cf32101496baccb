package simimu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/hw/mount"
	"github.com/pifinder-go/pifinder/internal/sky/rot"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/simworld"
)

const arcsec = math.Pi / 180 / 3600

// Config describes the simulated sensor. The zero value is a perfect,
// calibrated, unquantised IMU on the default build.
type Config struct {
	// ScreenDirection is the build (see mount.IMUToCamera); "" = "right".
	ScreenDirection string
	// NoiseArcsec is the RMS angle of the random rotation added to each reading.
	NoiseArcsec float64
	// DriftArcsecPerS is the rate at which the reference frame q_eq2x turns
	// (about a fixed arbitrary axis): the dead-reckoning error grows by this
	// much per second after a solve.
	DriftArcsecPerS float64
	// BiasArcsec is a fixed mounting error: the sensor sits rotated by this
	// angle from the build's nominal q_imu2cam, so slews are measured
	// slightly wrongly (an error proportional to the angle slewed).
	BiasArcsec float64
	// Quantize rounds the quaternion to the BNO055's 1/16384 LSB.
	Quantize bool
	// CalibrateAfter is how long after the world's start the gyro status
	// stays below 3 (0 for the first half, 2 for the second); 0 = calibrated
	// from the start.
	CalibrateAfter time.Duration
	// Raw reports the gyro rate (and zero linear acceleration).
	Raw bool
	// Seed seeds the noise and the arbitrary reference frame and axes.
	Seed uint64
	// Now is the clock; default time.Now (the fake clock under synctest).
	Now func() time.Time
}

// IMU is a simulated sensor. Safe for concurrent use.
type IMU struct {
	w       *simworld.World
	cfg     Config
	imu2cam quat.Number
	eq2x0   quat.Number // reference frame at the world's start
	driftAx r3.Vec
	bias    quat.Number

	mu     sync.Mutex
	rng    *rand.Rand
	last   quat.Number // previous report, for a continuous sign
	closed bool
}

// New returns a simulated IMU following w. An unknown screen direction or
// negative noise/drift is an error.
func New(w *simworld.World, cfg Config) (*IMU, error) {
	if w == nil {
		return nil, fmt.Errorf("simimu: nil world")
	}
	if cfg.NoiseArcsec < 0 || cfg.DriftArcsecPerS < 0 || cfg.BiasArcsec < 0 || cfg.CalibrateAfter < 0 {
		return nil, fmt.Errorf("simimu: negative noise, drift, bias or calibration time in %+v", cfg)
	}
	imu2cam, err := mount.IMUToCamera(cfg.ScreenDirection)
	if err != nil {
		return nil, fmt.Errorf("simimu: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x51b1e5a3))
	s := &IMU{w: w, cfg: cfg, imu2cam: imu2cam, rng: rng}
	s.eq2x0 = rot.AxisAngle(randomAxis(rng), rng.Float64()*2*math.Pi)
	s.driftAx = randomAxis(rng)
	s.bias = rot.AxisAngle(randomAxis(rng), cfg.BiasArcsec*arcsec)
	return s, nil
}

func randomAxis(rng *rand.Rand) r3.Vec {
	for {
		v := r3.Vec{X: rng.NormFloat64(), Y: rng.NormFloat64(), Z: rng.NormFloat64()}
		if r3.Norm(v) > 1e-6 {
			return r3.Unit(v)
		}
	}
}

// IMUToCam is the build's nominal q_imu2cam.
func (s *IMU) IMUToCam() quat.Number { return s.imu2cam }

// EqToX returns the (drifting) reference frame q_eq2x at t.
func (s *IMU) EqToX(t time.Time) quat.Number {
	el := t.Sub(s.w.Start()).Seconds()
	return quat.Mul(s.eq2x0, rot.AxisAngle(s.driftAx, s.cfg.DriftArcsecPerS*arcsec*el))
}

// Truth returns the noise-free, unquantised q_x2imu at t (bias included).
func (s *IMU) Truth(t time.Time) quat.Number {
	q := quat.Mul(quat.Mul(quat.Conj(s.EqToX(t)), s.w.Orientation(t)), quat.Conj(s.imu2cam))
	return rot.Normalize(quat.Mul(q, s.bias))
}

func (s *IMU) status(t time.Time) int {
	el := t.Sub(s.w.Start())
	switch {
	case s.cfg.CalibrateAfter == 0 || el >= s.cfg.CalibrateAfter:
		return 3
	case el >= s.cfg.CalibrateAfter/2:
		return 2
	}
	return 0
}

// At returns the reading the sensor reports at t (with fresh noise).
func (s *IMU) At(t time.Time) imu.Reading {
	q := s.Truth(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.NoiseArcsec > 0 {
		sd := s.cfg.NoiseArcsec * arcsec / math.Sqrt(3)
		v := r3.Vec{X: s.rng.NormFloat64() * sd, Y: s.rng.NormFloat64() * sd, Z: s.rng.NormFloat64() * sd}
		if n := r3.Norm(v); n > 0 {
			q = quat.Mul(q, rot.AxisAngle(v, n))
		}
	}
	// Keep the sign continuous, as the fused output is between glitches.
	if s.last.Real*q.Real+s.last.Imag*q.Imag+s.last.Jmag*q.Jmag+s.last.Kmag*q.Kmag < 0 {
		q = quat.Scale(-1, q)
	}
	s.last = q
	if s.cfg.Quantize {
		q = quantize(q)
	}
	r := imu.Reading{Time: t, Quat: q, GyroCal: s.status(t)}
	if s.cfg.Raw {
		// Body rate from two noise-free orientations 10 ms apart.
		const dt = 10 * time.Millisecond
		dq := quat.Mul(quat.Conj(s.Truth(t.Add(-dt))), s.Truth(t))
		if dq.Real < 0 {
			dq = quat.Scale(-1, dq)
		}
		k := 2 / dt.Seconds()
		r.Gyro = [3]float64{dq.Imag * k, dq.Jmag * k, dq.Kmag * k}
		r.HasRaw = true
	}
	return r
}

func quantize(q quat.Number) quat.Number {
	const lsb = 16384
	r := func(v float64) float64 { return math.Round(v*lsb) / lsb }
	return quat.Number{Real: r(q.Real), Imag: r(q.Imag), Jmag: r(q.Jmag), Kmag: r(q.Kmag)}
}

// Read returns the reading at the clock's now.
func (s *IMU) Read(ctx context.Context) (imu.Reading, error) {
	if err := context.Cause(ctx); err != nil {
		return imu.Reading{}, err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return imu.Reading{}, fmt.Errorf("simimu: read after close: %w", imu.ErrNoDevice)
	}
	return s.At(s.cfg.Now()), nil
}

// Close marks the sensor closed; later reads fail.
func (s *IMU) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

var _ imu.Device = (*IMU)(nil)
