package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/pifinder-go/pifinder/state"
)

// frameKey identifies one encoding of a frame: the frame (its pixels, which
// a FrameSource never modifies, and its sequence number), whether it is
// annotated, and for an annotated frame the target pixel drawn on it.
type frameKey struct {
	gray     *image.Gray
	seq      uint64
	annotate bool
	target   state.Pixel
}

// frameCache keeps the latest PNG encoding of the frame for each annotate
// flag, so that however many clients poll GET /api/frame.png, each frame is
// encoded at most once per flag. Encodings run one at a time (gate): a
// client waits for the encoder rather than take a second core from the
// pipeline. The encoding runs in the goroutine of the request that needs it
// first; the others wait for it (or their own end).
type frameCache struct {
	mu      sync.Mutex
	done    [2]*encodedFrame // the latest encoding, by annotate flag
	flights map[frameKey]*flight
	gate    chan struct{} // one slot: the encoder
	encodes atomic.Uint64
}

type encodedFrame struct {
	key frameKey
	png []byte
}

// flight is an encoding under way; done closes when it ends, with err set
// if it failed.
type flight struct {
	done chan struct{}
	err  error
}

func flagIndex(annotate bool) int {
	if annotate {
		return 1
	}
	return 0
}

// get returns the PNG for key, encoding render() unless it is cached or
// being encoded for another request.
func (c *frameCache) get(ctx context.Context, key frameKey, render func() image.Image) ([]byte, error) {
	for {
		c.mu.Lock()
		if e := c.done[flagIndex(key.annotate)]; e != nil && e.key == key {
			c.mu.Unlock()
			return e.png, nil
		}
		if f := c.flights[key]; f != nil {
			c.mu.Unlock()
			select {
			case <-f.done:
				if f.err != nil {
					return nil, f.err
				}
				continue // cached now, or the encoder gave up: look again
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
		f := &flight{done: make(chan struct{})}
		if c.flights == nil {
			c.flights = map[frameKey]*flight{}
		}
		c.flights[key] = f
		c.mu.Unlock()
		return c.encode(ctx, key, f, render)
	}
}

// encode runs flight f: waits for the encoder, encodes, caches.
func (c *frameCache) encode(ctx context.Context, key frameKey, f *flight, render func() image.Image) ([]byte, error) {
	finish := func(e *encodedFrame, err error) {
		c.mu.Lock()
		delete(c.flights, key)
		if e != nil {
			i := flagIndex(key.annotate)
			// A slower encoding of an older frame must not replace a newer one.
			if old := c.done[i]; old == nil || old.key.seq <= key.seq {
				c.done[i] = e
			}
		}
		f.err = err
		c.mu.Unlock()
		close(f.done)
	}
	select {
	case c.gate <- struct{}{}:
	case <-ctx.Done():
		// Nothing encoded: waiting requests look again, and one of them
		// takes over.
		finish(nil, nil)
		return nil, context.Cause(ctx)
	}
	c.encodes.Add(1)
	finished := false
	defer func() {
		if !finished { // render panicked: free the encoder, fail the waiters, let the panic go on
			<-c.gate
			finish(nil, errors.New("rendering the frame failed (panic)"))
		}
	}()
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	err := enc.Encode(&buf, render())
	finished = true
	<-c.gate
	if err != nil {
		err = fmt.Errorf("encode png of frame %d: %w", key.seq, err)
		finish(nil, err)
		return nil, err
	}
	e := &encodedFrame{key: key, png: buf.Bytes()}
	finish(e, nil)
	return e.png, nil
}

func (s *Server) getFrame(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Frames == nil {
		writeError(w, http.StatusNotFound, "no frame source configured")
		return
	}
	var annotate bool
	switch a := r.URL.Query().Get("annotate"); a {
	case "", "0", "false":
	case "1", "true":
		annotate = true
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("annotate=%q: want 1 or 0", a))
		return
	}
	f, ok := s.cfg.Frames.LatestFrame()
	if !ok || f.Gray == nil {
		writeError(w, http.StatusNotFound, "no frame yet")
		return
	}
	key := frameKey{gray: f.Gray, seq: f.Meta.Seq, annotate: annotate}
	render := func() image.Image { return f.Gray }
	if annotate {
		key.target = f.TargetPixel
		render = func() image.Image { return s.cfg.Annotate(f) }
	}
	b, err := s.frames.get(r.Context(), key, render)
	if err != nil {
		if r.Context().Err() != nil {
			return // the client left
		}
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("X-Frame-Seq", strconv.FormatUint(f.Meta.Seq, 10))
	_, _ = w.Write(b)
}
