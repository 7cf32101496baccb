package sim

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
	"github.com/pifinder-go/pifinder/state"
)

// RenderOptions are the renderer's options (an alias, so that embedders can
// set them).
type RenderOptions = render.Options

// Star is a catalogue star (an alias of the built-in catalogue's type).
type Star = starcat.Star

// Config configures the simulated sky.
type Config struct {
	// Size is the solve image side; 0 means camera.DefaultSize.
	Size int
	// Stars is the catalogue to draw; nil means the built-in Hipparcos
	// catalogue (the one the solver database is built from).
	Stars []Star
	// Epoch is the Julian year proper motion is applied to; 0 means now.
	Epoch float64
	// World is the simulated telescope (shared with the simulated IMU);
	// nil means simworld.New(time.Now(), simworld.DefaultScript()).
	World *simworld.World
	// Render holds the base render options (size, FOV, noise...); nil means
	// render.DefaultOptions() at the configured Size. Attitude, ExposureUS,
	// Gain, TrailPx and Seed are set per frame.
	Render *RenderOptions
}

// Camera renders the simulated sky seen by the simulated telescope. A capture
// takes the exposure time (a timer, so synctest fakes it), renders the
// field at mid-exposure with the star trail of the motion during the
// exposure, and carries the true attitude at exposure end in Meta.Truth.
// Star flux is linear in exposure and gain, so auto-exposure has something
// real to control.
type Camera struct {
	mu    sync.Mutex // one capture at a time
	sky   *render.Sky
	dark  *render.Sky
	world *simworld.World
	base  render.Options
	pool  *camera.Pool
	rf    render.Frame
	timer *time.Timer
	seq   uint64
}

// New builds the simulated camera.
func New(sc Config) (*Camera, error) {
	size, err := camera.CheckSize(sc.Size)
	if err != nil {
		return nil, fmt.Errorf("sim camera: %w", err)
	}
	if sc.Stars == nil {
		// Uncached: the sky below indexes its own copy, so the decoded
		// catalogue is garbage once New returns.
		if sc.Stars, err = starcat.DecodeEmbedded(); err != nil {
			return nil, fmt.Errorf("sim camera: %w", err)
		}
	}
	base := render.DefaultOptions()
	base.Width, base.Height = size, size
	if sc.Render != nil {
		base = *sc.Render
	}
	base.BitDepth = 8
	// Validate the base options once with a tiny noiseless render.
	probe := base
	probe.Width, probe.Height, probe.NoNoise = 8, 8, true
	if _, err := render.Noise(probe); err != nil {
		return nil, fmt.Errorf("camera: sim: %w", err)
	}
	epoch := sc.Epoch
	if epoch == 0 {
		epoch = julianYear(time.Now())
	}
	w := sc.World
	if w == nil {
		w = simworld.New(time.Now(), simworld.DefaultScript())
	}
	return &Camera{
		sky: render.NewSky(sc.Stars, epoch), dark: render.NewSky(nil, epoch),
		world: w, base: base, pool: camera.NewPool(base.Width, base.Height), timer: wait.NewStoppedTimer(),
	}, nil
}

func julianYear(t time.Time) float64 {
	return 2000 + t.Sub(time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)).Hours()/24/365.25
}

// camera.Info reports type sim.
func (s *Camera) Info() camera.Info {
	return camera.Info{Type: "sim", Width: s.base.Width, Height: s.base.Height, FOVDeg: s.base.FOVDeg, DefaultGain: 1}
}

// Close does nothing; a sim source holds no resources.
func (s *Camera) Close() error { return nil }

// Capture renders one exposure.
func (s *Camera) Capture(ctx context.Context, set camera.Settings) (*camera.Frame, error) {
	if set.ExposureUS <= 0 || !(set.Gain > 0) {
		return nil, fmt.Errorf("%w: exposure %d µs gain %g", camera.ErrBadConfig, set.ExposureUS, set.Gain)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp := time.Duration(set.ExposureUS) * time.Microsecond
	start := time.Now()
	if err := wait.Sleep(ctx, s.timer, exp); err != nil {
		return nil, err
	}
	end := time.Now()
	a0 := s.world.Attitude(start)
	a1 := s.world.Attitude(end)
	mid := s.world.Attitude(start.Add(end.Sub(start) / 2))
	o := s.base
	o.Attitude = mid
	o.ExposureUS = float64(set.ExposureUS)
	o.Gain = set.Gain
	s.seq++
	o.Seed = s.base.Seed + s.seq
	o.TrailPx = trail(mid, o, a0, a1)
	sky := s.sky
	if s.world.Covered(end) {
		sky = s.dark
	}
	f := s.pool.Get()
	s.rf.Gray, s.rf.Gray16 = f.Gray, nil
	if err := sky.RenderInto(o, &s.rf); err != nil {
		f.Release()
		return nil, fmt.Errorf("camera: sim render: %w", err)
	}
	f.Gray = s.rf.Gray
	f.Meta = state.FrameMeta{
		Width: o.Width, Height: o.Height,
		ExposureStart: start, ExposureEnd: end,
		ExposureUS: set.ExposureUS, ActualExposureUS: set.ExposureUS, Gain: set.Gain,
		Source: "sim",
		Truth:  state.PointingOf(a1.RA, a1.Dec, a1.Roll),
	}
	return f, nil
}

// trail returns the pixel motion of the stars during the exposure: where
// the mid-exposure boresight's sky point lies at the end minus where it
// lay at the start.
func trail(mid geom.Attitude, o render.Options, a0, a1 geom.Attitude) [2]float64 {
	cam := geom.Camera{W: o.Width, H: o.Height, FOV: o.FOVDeg}
	x0, y0, ok0 := geom.Project(a0, cam, mid.RA, mid.Dec)
	x1, y1, ok1 := geom.Project(a1, cam, mid.RA, mid.Dec)
	if !ok0 || !ok1 {
		return [2]float64{}
	}
	return [2]float64{x1 - x0, y1 - y0}
}
