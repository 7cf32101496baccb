package camera

import (
	"context"
	"errors"
	"fmt"
	"time"
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

// Errors of the sources. Sources wrap them so that the worker can tell
// failures apart for its retries and rate-limited log lines.
var (
	ErrNoCamera   = errors.New("camera: no camera (source none)")
	ErrNoFrames   = errors.New("camera: no readable frames")
	ErrBadConfig  = errors.New("camera: bad configuration")
	ErrSourceDown = errors.New("camera: source closed")
	// ErrStalled: no frame arrived before the capture's deadline.
	ErrStalled = errors.New("camera: no frame before the deadline")
	// ErrShortFrame: the frame stream ended inside a frame.
	ErrShortFrame = errors.New("camera: short frame")
	// ErrChildExit: the camera helper program exited.
	ErrChildExit = errors.New("camera: camera program exited")
)

// MaxSize bounds the solve image's side: the detector and the solver's
// pattern scale are built for PiFinder's 512 px image, and 4096 px already
// costs 64× its work per frame, so anything larger is a configuration
// mistake rather than a wish.
const MaxSize = 4096

// CheckSize returns the solve image side for a configured size: 0 means
// DefaultSize; sizes outside [16, MaxSize] are ErrBadConfig.
func CheckSize(size int) (int, error) {
	if size == 0 {
		return DefaultSize, nil
	}
	if size < 16 || size > MaxSize {
		return 0, fmt.Errorf("%w: solve size %d (want 16 to %d)", ErrBadConfig, size, MaxSize)
	}
	return size, nil
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
