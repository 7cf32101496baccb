package camera

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
)

// Sim renders the simulated sky seen by the simulated telescope. A capture
// takes the exposure time (a timer, so synctest fakes it), renders the
// field at mid-exposure with the star trail of the motion during the
// exposure, and carries the true attitude at exposure end in Meta.Truth.
// Star flux is linear in exposure and gain, so auto-exposure has something
// real to control.
type Sim struct {
	mu    sync.Mutex // one capture at a time
	sky   *render.Sky
	dark  *render.Sky
	world *simworld.World
	base  render.Options
	pool  *Pool
	rf    render.Frame
	timer *time.Timer
	seq   uint64
}

// NewSim builds the sim source from cfg.Sim.
func NewSim(cfg Config) (*Sim, error) {
	sc := cfg.Sim
	if len(sc.Stars) == 0 {
		return nil, fmt.Errorf("%w: sim camera needs a star list", ErrBadConfig)
	}
	size := cfg.Size
	if size == 0 {
		size = DefaultSize
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
	return &Sim{
		sky: render.NewSky(sc.Stars, epoch), dark: render.NewSky(nil, epoch),
		world: w, base: base, pool: NewPool(base.Width, base.Height), timer: newStoppedTimer(),
	}, nil
}

func julianYear(t time.Time) float64 {
	return 2000 + t.Sub(time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)).Hours()/24/365.25
}

// Info reports type sim.
func (s *Sim) Info() Info {
	return Info{Type: "sim", Width: s.base.Width, Height: s.base.Height, FOVDeg: s.base.FOVDeg, DefaultGain: 1}
}

// Close does nothing; a sim source holds no resources.
func (s *Sim) Close() error { return nil }

// Capture renders one exposure.
func (s *Sim) Capture(ctx context.Context, set Settings) (*Frame, error) {
	if set.ExposureUS <= 0 || !(set.Gain > 0) {
		return nil, fmt.Errorf("%w: exposure %d µs gain %g", ErrBadConfig, set.ExposureUS, set.Gain)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp := time.Duration(set.ExposureUS) * time.Microsecond
	start := time.Now()
	if err := sleepCtx(ctx, s.timer, exp); err != nil {
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
