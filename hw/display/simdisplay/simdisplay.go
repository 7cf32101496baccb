// Package simdisplay is an in-memory display.Display: it keeps the latest
// frame for `go run .`, the web page's remote view and tests.
package simdisplay

import (
	"errors"
	"fmt"
	"image"
	"image/draw"
	"sync"
)

// ErrClosed is returned by Draw and SetBrightness after Close.
var ErrClosed = errors.New("simdisplay: display closed")

// Display is a display.Display in memory. Latest, Brightness and Frames are
// safe to call from any goroutine, concurrently with Draw.
type Display struct {
	bounds image.Rectangle

	mu         sync.Mutex
	latest     *image.RGBA // replaced, never modified, once published
	brightness int
	frames     int
	closed     bool
}

// New returns a black w×h display at full brightness.
func New(w, h int) (*Display, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("simdisplay: bad size %d×%d", w, h)
	}
	r := image.Rect(0, 0, w, h)
	return &Display{bounds: r, latest: image.NewRGBA(r), brightness: 255}, nil
}

// Bounds implements display.Display.
func (d *Display) Bounds() image.Rectangle { return d.bounds }

// Draw implements display.Display: it copies img, so the caller may reuse it.
func (d *Display) Draw(img image.Image) error {
	if img == nil {
		return errors.New("simdisplay: nil image")
	}
	// Copy outside the lock: readers keep the previous frame meanwhile.
	frame := image.NewRGBA(d.bounds)
	draw.Draw(frame, d.bounds, img, img.Bounds().Min, draw.Src)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	d.latest = frame
	d.frames++
	return nil
}

// SetBrightness implements display.Display.
func (d *Display) SetBrightness(level int) error {
	if level < 0 || level > 255 {
		return fmt.Errorf("simdisplay: brightness %d out of range 0..255", level)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	d.brightness = level
	return nil
}

// Close implements display.Display. The last frame stays readable.
func (d *Display) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

// Latest is the last frame drawn (black before the first). It is never
// modified afterwards, so callers may keep and encode it freely.
func (d *Display) Latest() image.Image {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.latest
}

// Brightness is the last level set.
func (d *Display) Brightness() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.brightness
}

// Frames is how many frames were drawn.
func (d *Display) Frames() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.frames
}
