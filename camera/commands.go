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
