package api

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/pifinder-go/pifinder/state"
)

// mutableFrames is a FrameSource whose frame the test replaces.
type mutableFrames struct {
	mu sync.Mutex
	f  FrameView
}

func (m *mutableFrames) LatestFrame() (FrameView, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.f, m.f.Gray != nil
}

func (m *mutableFrames) set(f FrameView) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.f = f
}

func grayFrame(seq uint64) FrameView {
	g := image.NewGray(image.Rect(0, 0, 256, 256))
	for i := range g.Pix {
		g.Pix[i] = byte(i*7 + int(seq))
	}
	return FrameView{Gray: g, Meta: state.FrameMeta{Seq: seq}, Stars: [][2]float64{{50, 60}},
		Matched: []state.MatchedStar{{X: 50, Y: 60, HIP: 1}}, TargetPixel: state.Pixel{Y: 128, X: 128}}
}

// frameResult is one GET /api/frame.png through the handler.
type frameResult struct {
	code int
	body []byte
}

// getFrameAsync requests the frame in a goroutine of its own.
func getFrameAsync(ctx context.Context, srv *Server, query string) <-chan frameResult {
	out := make(chan frameResult, 1)
	go func() {
		req := httptest.NewRequestWithContext(ctx, "GET", "/api/frame.png"+query, nil)
		req.Host, req.RemoteAddr = "localhost", "127.0.0.1:40000"
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		out <- frameResult{rec.Code, rec.Body.Bytes()}
	}()
	return out
}

// TestFrameEncodedOnce (fake time): 100 clients asking for the annotated
// frame of one solve render and encode it once, while the plain frame's
// encoding waits for the encoder; later requests are served from the cache
// until the frame (or, for the annotated one, the target pixel) changes. A
// client that leaves while waiting leaves nothing behind.
func TestFrameEncodedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &mutableFrames{}
		src.set(grayFrame(42))
		release := make(chan struct{})
		var releaseOnce sync.Once
		unblock := func() { releaseOnce.Do(func() { close(release) }) }
		defer unblock() // also when the test fails early
		var renders atomic.Int64
		srv := New(Config{Frames: src, Annotate: func(f FrameView) image.Image {
			renders.Add(1)
			<-release
			return Annotate(f)
		}})
		bg := context.Background()

		const n = 100
		annotated := make([]<-chan frameResult, n)
		for i := range annotated {
			annotated[i] = getFrameAsync(bg, srv, "?annotate=1")
		}
		synctest.Wait()
		if got := renders.Load(); got != 1 {
			t.Errorf("%d renders in progress for %d requests of one frame, want 1", got, n)
		}
		// The plain frame waits for the encoder (one encoding at a time);
		// a client that gives up waiting hands the work over to the next.
		leaving, leave := context.WithCancel(bg)
		quitter := getFrameAsync(leaving, srv, "")
		synctest.Wait()
		plain := getFrameAsync(bg, srv, "?annotate=0")
		synctest.Wait()
		select {
		case <-plain:
			t.Fatal("the plain frame was encoded while the annotated one was")
		default:
		}
		leave()
		synctest.Wait()
		if r := <-quitter; len(r.body) != 0 {
			t.Errorf("a client that left got a reply: %d %q", r.code, r.body)
		}
		unblock()
		synctest.Wait()

		var first []byte
		for i, ch := range annotated {
			r := <-ch
			if r.code != 200 {
				t.Fatalf("request %d: %d %s", i, r.code, r.body)
			}
			if first == nil {
				first = r.body
				if _, err := png.Decode(bytes.NewReader(first)); err != nil {
					t.Fatalf("not a PNG: %v", err)
				}
			} else if !bytes.Equal(r.body, first) {
				t.Fatalf("request %d got other bytes", i)
			}
		}
		if r := <-plain; r.code != 200 {
			t.Fatalf("plain: %d %s", r.code, r.body)
		}
		if st := srv.Stats(); renders.Load() != 1 || st.FrameEncodes != 2 {
			t.Errorf("%d renders, %d encodes for one frame in two flavours, want 1 and 2", renders.Load(), st.FrameEncodes)
		}

		// Polling the same frame costs nothing more.
		for range n {
			for _, q := range []string{"", "?annotate=1"} {
				if r := <-getFrameAsync(bg, srv, q); r.code != 200 {
					t.Fatalf("poll %q: %d", q, r.code)
				}
			}
		}
		if st := srv.Stats(); st.FrameEncodes != 2 {
			t.Errorf("%d encodes after %d more polls of the same frame, want 2", st.FrameEncodes, 2*n)
		}

		// A new target pixel (an alignment) redraws the annotated frame
		// only; a new frame is encoded again in both flavours.
		moved, _ := src.LatestFrame()
		moved.TargetPixel = state.Pixel{Y: 10, X: 10}
		src.set(moved)
		<-getFrameAsync(bg, srv, "?annotate=1")
		<-getFrameAsync(bg, srv, "")
		if st := srv.Stats(); st.FrameEncodes != 3 || renders.Load() != 2 {
			t.Errorf("after a new target pixel: %d encodes, %d renders; want 3 and 2", st.FrameEncodes, renders.Load())
		}
		src.set(grayFrame(43))
		<-getFrameAsync(bg, srv, "?annotate=1")
		r := <-getFrameAsync(bg, srv, "")
		if st := srv.Stats(); st.FrameEncodes != 5 || renders.Load() != 3 {
			t.Errorf("after a new frame: %d encodes, %d renders; want 5 and 3", st.FrameEncodes, renders.Load())
		}
		img, err := png.Decode(bytes.NewReader(r.body))
		if err != nil || img.(*image.Gray).Pix[1] != grayFrame(43).Gray.Pix[1] {
			t.Errorf("the new frame's PNG is not the new frame (%v)", err)
		}
	})
}

// TestFramePanicFreesEncoder: an annotation renderer that panics fails its
// own request (net/http recovers it) and the waiting ones, and the next
// request can encode again.
func TestFramePanicFreesEncoder(t *testing.T) {
	src := &mutableFrames{}
	src.set(grayFrame(1))
	var calls atomic.Int64
	srv := New(Config{Frames: src, Annotate: func(f FrameView) image.Image {
		if calls.Add(1) == 1 {
			panic("renderer bug")
		}
		return Annotate(f)
	}})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the renderer's panic was swallowed")
			}
		}()
		req := httptest.NewRequest("GET", "/api/frame.png?annotate=1", nil)
		req.Host, req.RemoteAddr = "localhost", "127.0.0.1:1"
		srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}()
	if r := <-getFrameAsync(context.Background(), srv, "?annotate=1"); r.code != 200 {
		t.Errorf("after a panic: %d %s", r.code, r.body)
	}
}
