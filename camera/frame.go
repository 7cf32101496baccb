package camera

import (
	"image"
	"sync"
	"sync/atomic"

	"github.com/pifinder-go/pifinder/state"
)

// Frame is one captured frame: the 8-bit solve image, the cropped 16-bit
// raw where the source has one, and the metadata, bundled so they can
// never be paired wrongly. See the package doc for the ownership rule.
type Frame struct {
	Gray *image.Gray   // solve image, usually 512×512
	Raw  *image.Gray16 // cropped and rotated raw samples (ADU); nil when the source has none
	Meta state.FrameMeta

	pool  *Pool
	inUse atomic.Bool
}

// Release returns the frame to its pool. Calling it twice, or on a frame
// that does not come from a pool, is harmless.
func (f *Frame) Release() {
	if f == nil || f.pool == nil {
		return
	}
	if f.inUse.CompareAndSwap(true, false) {
		f.pool.put(f)
	}
}

// Pool recycles frames so the capture path does not allocate per frame.
// It is safe for concurrent use.
type Pool struct {
	mu   sync.Mutex
	free []*Frame
	w, h int
}

// NewPool returns a pool of frames whose solve image is w×h.
func NewPool(w, h int) *Pool { return &Pool{w: w, h: h} }

// Get returns a frame with a w×h solve image and no raw image; its
// metadata is zeroed and its pixels hold stale data.
func (p *Pool) Get() *Frame {
	p.mu.Lock()
	var f *Frame
	if n := len(p.free); n > 0 {
		f = p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
	}
	p.mu.Unlock()
	if f == nil {
		f = &Frame{Gray: image.NewGray(image.Rect(0, 0, p.w, p.h)), pool: p}
	}
	f.Meta = state.FrameMeta{}
	f.inUse.Store(true)
	return f
}

func (p *Pool) put(f *Frame) {
	p.mu.Lock()
	p.free = append(p.free, f)
	p.mu.Unlock()
}

// EnsureRaw gives f a raw image of w×h, reusing its buffer when large enough.
func (f *Frame) EnsureRaw(w, h int) *image.Gray16 {
	if f.Raw != nil && f.Raw.Rect.Dx() == w && f.Raw.Rect.Dy() == h {
		return f.Raw
	}
	n := 2 * w * h
	if f.Raw != nil && cap(f.Raw.Pix) >= n {
		f.Raw = &image.Gray16{Pix: f.Raw.Pix[:n], Stride: 2 * w, Rect: image.Rect(0, 0, w, h)}
		return f.Raw
	}
	f.Raw = image.NewGray16(image.Rect(0, 0, w, h))
	return f.Raw
}
