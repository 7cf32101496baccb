package display

import "image"

// Display is a screen the UI draws whole frames to.
//
// Draw copies img (which should cover Bounds; pixels outside it are ignored
// and missing ones are black) to the screen before it returns, so the caller
// may reuse img at once. Implementations are safe for one drawing goroutine;
// SetBrightness may be called from the same goroutine between frames.
type Display interface {
	// Bounds is the screen's size in pixels, with its origin at (0, 0).
	Bounds() image.Rectangle
	// Draw shows img.
	Draw(img image.Image) error
	// SetBrightness sets the panel brightness, 0 (darkest the panel allows)
	// to 255 (full), as PiFinder's displays.py set_brightness.
	SetBrightness(level int) error
	// Close turns the screen off and releases it.
	Close() error
}
