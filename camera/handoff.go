package camera

import (
	"context"
	"sync"
	"sync/atomic"
)

// Handoff passes frames from the camera to the solver, latest wins: Put
// never blocks and replaces (and releases) a frame nobody took yet, counting
// a drop. A slow consumer therefore sees the newest frame and the drop
// counter rises; memory stays bounded at one waiting frame.
//
// Ownership: Put transfers the frame to the hand-off; Next transfers it to
// the caller, who must Release it when done.
type Handoff struct {
	mu      sync.Mutex
	f       *Frame
	ready   chan struct{}
	dropped atomic.Uint64
	pending atomic.Uint64
}

// NewHandoff returns an empty hand-off.
func NewHandoff() *Handoff { return &Handoff{ready: make(chan struct{}, 1)} }

// Put offers f to the consumer. It never blocks.
func (h *Handoff) Put(f *Frame) {
	h.mu.Lock()
	old := h.f
	h.f = f
	h.mu.Unlock()
	if old != nil {
		old.Release()
		h.dropped.Add(1)
		h.pending.Add(1)
	}
	select {
	case h.ready <- struct{}{}:
	default:
	}
}

// Next waits for a frame and takes it. It returns ctx's cause when ctx ends first.
func (h *Handoff) Next(ctx context.Context) (*Frame, error) {
	for {
		if f := h.TryNext(); f != nil {
			return f, nil
		}
		select {
		case <-h.ready:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// TryNext takes the waiting frame, or returns nil.
func (h *Handoff) TryNext() *Frame {
	h.mu.Lock()
	f := h.f
	h.f = nil
	h.mu.Unlock()
	return f
}

// Dropped is the total number of frames replaced before anyone took them.
func (h *Handoff) Dropped() uint64 { return h.dropped.Load() }

// TakeDropped returns the drops since the previous TakeDropped call.
func (h *Handoff) TakeDropped() uint64 { return h.pending.Swap(0) }

// Drain releases a frame still waiting (for shutdown).
func (h *Handoff) Drain() {
	if f := h.TryNext(); f != nil {
		f.Release()
	}
}
