package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pifinder-go/pifinder/state"
)

// streamRecorder is a concurrency-safe ResponseWriter with Flush.
type streamRecorder struct {
	mu     sync.Mutex
	header http.Header
	body   bytes.Buffer
}

func (r *streamRecorder) Header() http.Header { return r.header }
func (r *streamRecorder) WriteHeader(int)     {}
func (r *streamRecorder) Flush()              {}
func (r *streamRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.body.Write(p)
}

func (r *streamRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.body.String()
}

// TestHeartbeatAndThrottle (fake time): a comment line every 15 s on a quiet
// stream, and pointing events no closer than 100 ms however fast the
// estimate changes.
func TestHeartbeatAndThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := state.New(state.Default())
		sctx, stopStore := context.WithCancel(context.Background())
		go func() { _ = store.Run(sctx) }()
		defer stopStore()

		srv := New(Config{Store: store})
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, "GET", "/api/events", nil)
		req.Host, req.RemoteAddr = "localhost", "127.0.0.1:50000" // a local client
		rec := &streamRecorder{header: http.Header{}}
		done := make(chan struct{})
		go func() { defer close(done); srv.Handler().ServeHTTP(rec, req) }()

		time.Sleep(31 * time.Second)
		synctest.Wait()
		if n := strings.Count(rec.String(), ": heartbeat\n\n"); n != 2 {
			t.Errorf("%d heartbeats in 31 s, want 2:\n%s", n, rec.String())
		}

		// 1000 estimates 1 ms apart (1 s): 10 or 11 pointing events.
		before := strings.Count(rec.String(), "event: pointing\n")
		for i := range 1000 {
			st := solvedState(float64(i)*0.01, 0, 0, 10)
			if err := store.Update(context.Background(), state.SetEstimate{Estimate: st.Estimate}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		n := strings.Count(rec.String(), "event: pointing\n") - before
		if n < 10 || n > 12 {
			t.Errorf("%d pointing events for 1 s of changes, want 10..12", n)
		}
		if !strings.Contains(rec.String(), `"ra_deg":9.99,`) {
			t.Errorf("final estimate not sent")
		}
		cancel()
		<-done
		stopStore()
	})
}
