package camera

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

// DefaultSize is the side of the square solve image.
const DefaultSize = 512

// Settings are the exposure parameters of one capture.
type Settings struct {
	ExposureUS int64
	Gain       float64
	// Deadline, when set, is when a capture still waiting for its frame
	// should give up with an error (the worker sets it to now + the capture
	// timeout). Sources also stop when ctx ends.
	Deadline time.Time
}

// Info describes a source.
type Info struct {
	Type          string  // imx296, imx462, hq, sim, replay or none
	Width, Height int     // solve image size
	FOVDeg        float64 // horizontal field of the solve image when known, else 0
	HasRaw        bool    // frames carry Frame.Raw
	DefaultGain   float64 // gain used when the worker is given none
}

// Source produces frames. Capture is called by one goroutine at a time;
// Close may be called from another and makes a blocked Capture return.
type Source interface {
	// Capture takes one frame with the given settings. The returned frame
	// belongs to the caller (see the package doc). It honours ctx and
	// s.Deadline and returns a wrapped error on failure.
	Capture(ctx context.Context, s Settings) (*Frame, error)
	Info() Info
	Close() error
}

// Errors of the sources.
var (
	ErrNoCamera   = errors.New("camera: no camera (source none)")
	ErrNoFrames   = errors.New("camera: no readable frames")
	ErrBadConfig  = errors.New("camera: bad configuration")
	ErrDeadline   = errors.New("camera: capture deadline passed")
	ErrSourceDown = errors.New("camera: source closed")
)

// SimConfig configures the simulated sky.
type SimConfig struct {
	// Stars is the catalogue to draw (required; the embedded database's
	// star list in the application).
	Stars []starcat.Star
	// Epoch is the Julian year proper motion is applied to; 0 means now.
	Epoch float64
	// World is the simulated telescope (shared with the simulated IMU);
	// nil means simworld.New(time.Now(), simworld.DefaultScript()).
	World *simworld.World
	// Render holds the base render options (size, FOV, noise...); nil means
	// render.DefaultOptions() at the configured Size. Attitude, ExposureUS,
	// Gain, TrailPx and Seed are set per frame.
	Render *render.Options
}

// ReplayConfig configures the replay source.
type ReplayConfig struct {
	// Path is a folder (all PNG/JPEG/TIFF/FITS files in it) or a glob.
	Path string
	// Interval is how long each frame is shown; 0 means 10 s (PiFinder's
	// debug camera).
	Interval time.Duration
	// Type is the camera type reported (default "replay").
	Type string
}

// RpicamConfig configures the Raspberry Pi camera source.
type RpicamConfig struct {
	// Binary is the program to run; a bare name is looked up on PATH.
	// Default "rpicam-raw" (rpicam-apps' raw-frame streamer, a build of
	// rpicam-vid with the raw encoder).
	Binary string
	// Sensor is the profile: imx296, imx462 or hq (a driver id such as
	// imx477 also works).
	Sensor string
	// RowStride is the byte length of one raw row on the pipe including
	// padding; 0 means 2 × the raw width (no padding).
	RowStride int
	// SolveRotation turns the solve image counter-clockwise (degrees, a
	// multiple of 90), PiFinder's solve_rotation.
	SolveRotation int
	// ExtraArgs are appended to the generated command line.
	ExtraArgs []string
	// Env is added to the child's environment.
	Env []string
	// FrameTimeout bounds the wait for one frame beyond the exposure time
	// (default 5 s).
	FrameTimeout time.Duration
	// RestartMin and RestartMax bound the restart backoff (default 200 ms … 10 s).
	RestartMin, RestartMax time.Duration
}

// Config selects and configures a source for Open.
type Config struct {
	Log    zerolog.Logger
	Size   int // solve image side; 0 means 512
	Sim    SimConfig
	Replay ReplayConfig
	Rpicam RpicamConfig
}

// Names are the source names Open accepts.
var Names = []string{"sim", "replay", "rpicam", "none"}

// Open returns the source called name: "sim", "replay", "rpicam" or "none".
func Open(name string, cfg Config) (Source, error) {
	if cfg.Size == 0 {
		cfg.Size = DefaultSize
	}
	if cfg.Size < 16 || cfg.Size > 4096 {
		return nil, fmt.Errorf("%w: solve size %d", ErrBadConfig, cfg.Size)
	}
	switch name {
	case "sim":
		return NewSim(cfg)
	case "replay":
		return NewReplay(cfg)
	case "rpicam":
		return NewRpicam(cfg)
	case "none", "":
		return None{}, nil
	}
	return nil, fmt.Errorf("%w: unknown camera %q (want sim, replay, rpicam or none)", ErrBadConfig, name)
}

// None is the absent camera: Capture fails with ErrNoCamera; the worker
// idles until its context ends.
type None struct{}

// Capture returns ErrNoCamera.
func (None) Capture(context.Context, Settings) (*Frame, error) { return nil, ErrNoCamera }

// Info reports type none.
func (None) Info() Info { return Info{Type: "none"} }

// Close does nothing.
func (None) Close() error { return nil }

// sleepCtx waits d on t (a stopped reusable timer) unless ctx ends first.
func sleepCtx(ctx context.Context, t *time.Timer, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t.Reset(d)
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		t.Stop()
		return context.Cause(ctx)
	}
}

func newStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}
