package camera

import (
	"image"

	"github.com/pifinder-go/pifinder/camera/ae"
	"github.com/pifinder-go/pifinder/state"
)

// Command is a request to the camera worker; send one of the types below on
// the worker's Commands channel. Replies go on the command's Reply channel,
// which should be buffered (capacity 1): the worker gives up a reply only
// when its context ends.
type Command interface{ isCommand() }

// AEMode selects the auto-exposure algorithm.
type AEMode = ae.Mode

// Auto-exposure modes.
const (
	AEPID = ae.ModePID
	AESNR = ae.ModeSNR
)

// Limits of the exposure commands.
const (
	// MaxExposureUS is a minute: far past any exposure a finder uses
	// (PiFinder's auto-exposure stops at 1 s), so a larger value is a unit
	// mistake (ms for µs), and it bounds how long one capture can hold the
	// camera.
	MaxExposureUS = 60_000_000
	// MaxGain is well above the sensors' analogue gain (imx296 and imx462
	// about 16×, HQ about 22×, libcamera's AnalogueGain limits) with room for
	// digital gain; a larger value is a unit mistake (dB for a factor).
	MaxGain = 1000
)

// SetExposure turns auto-exposure off and sets the exposure (µs).
type SetExposure struct{ US int64 }

// SetGain sets the analogue gain.
type SetGain struct{ Gain float64 }

// SetAutoExposure turns auto-exposure on (resetting the controller) or off
// and chooses its mode.
type SetAutoExposure struct {
	On   bool
	Mode AEMode
}

// CaptureOne takes one frame at once (it is also handed to the solver as
// usual) and replies with its metadata and copies of its pixels.
type CaptureOne struct{ Reply chan<- CaptureResult }

// CaptureResult answers CaptureOne. Image and Raw are copies the receiver owns.
type CaptureResult struct {
	Meta  state.FrameMeta
	Image *image.Gray
	Raw   *image.Gray16 // nil when the source has no raw frames
	Err   error
}

// SaveFrame writes the latest frame's solve image as PNG to Path and, when
// the source has raw frames, the 16-bit raw as TIFF next to it (same name,
// extension .tiff).
type SaveFrame struct {
	Path  string
	Reply chan<- error
}

func (SetExposure) isCommand()     {}
func (SetGain) isCommand()         {}
func (SetAutoExposure) isCommand() {}
func (CaptureOne) isCommand()      {}
func (SaveFrame) isCommand()       {}
