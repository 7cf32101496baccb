package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/internal/memnet"
	"github.com/pifinder-go/pifinder/state"
)

// TestConnAndStreamLimits (in-memory connections, fake time): beyond
// MaxStreams an event stream is refused with a JSON 503; at MaxConns a new
// client evicts the longest-idle connection, or waits when every
// connection is busy; when the clients leave, the counts and the
// goroutines are back where they started.
func TestConnAndStreamLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := state.New(state.Default())
		sctx, stopStore := context.WithCancel(context.Background())
		storeDone := make(chan struct{})
		go func() { defer close(storeDone); _ = store.Run(sctx) }()
		defer func() { stopStore(); <-storeDone }()

		ln := memnet.Listen()
		srv := New(Config{Store: store, Log: zerolog.Nop(), MaxConns: 3, MaxStreams: 2, Token: "secret"})
		ctx, cancel := context.WithCancelCause(context.Background())
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ctx, ln) }()
		// Stop the server at the end, also when the test fails early.
		defer func() {
			cause := errors.New("test over")
			cancel(cause)
			if err := <-served; !errors.Is(err, cause) {
				t.Errorf("Serve = %v", err)
			}
		}()
		synctest.Wait()
		baseline := bubbleGoroutines(t)
		t.Logf("%d goroutines in the bubble before the clients", baseline)

		// One connection per request: no keep-alive to hold slots.
		tr := &http.Transport{
			DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return ln.Dial(ctx) },
			DisableKeepAlives: true,
		}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		openStream := func() (*http.Response, context.CancelFunc) {
			t.Helper()
			rctx, rcancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(rctx, "GET", "http://pifinder/api/events", nil)
			resp, err := client.Do(req)
			if err != nil {
				rcancel()
				t.Fatalf("events: %v", err)
			}
			return resp, rcancel
		}
		closeStream := func(resp *http.Response, rcancel context.CancelFunc) {
			rcancel()
			resp.Body.Close()
		}

		a, cancelA := openStream()
		defer closeStream(a, cancelA)
		b, cancelB := openStream()
		defer closeStream(b, cancelB)
		if a.StatusCode != 200 || b.StatusCode != 200 {
			t.Fatalf("streams 1 and 2: %d %d", a.StatusCode, b.StatusCode)
		}
		synctest.Wait()
		if st := srv.Stats(); st.Streams != 2 || st.Conns != 2 {
			t.Fatalf("two streams open: %+v", st)
		}

		// A third stream is refused with a JSON 503, and its connection freed.
		c, cancelC := openStream()
		if c.StatusCode == http.StatusOK { // the stream would never end
			closeStream(c, cancelC)
			t.Fatal("a third stream was opened with MaxStreams 2")
		}
		body, _ := io.ReadAll(c.Body)
		closeStream(c, cancelC)
		if c.StatusCode != http.StatusServiceUnavailable || c.Header.Get("Retry-After") == "" ||
			!strings.Contains(errorOf(t, body), "too many event streams (limit 2)") {
			t.Errorf("third stream: %d %q, want 503 with a JSON error naming the limit", c.StatusCode, body)
		}
		synctest.Wait()
		if st := srv.Stats(); st.Streams != 2 || st.Conns != 2 || st.StreamsRefused != 1 {
			t.Errorf("after the refusal: %+v, want 2 streams on 2 connections, 1 refused", st)
		}

		// A third connection (idle, no request yet) takes the last slot.
		idle, err := ln.Dial(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer idle.Close()
		synctest.Wait()
		if st := srv.Stats(); st.Conns != 3 {
			t.Fatalf("%d connections, want 3", st.Conns)
		}
		// A fourth client arrives at the full table at once: the idle
		// connection is too young to give way (a burst of clients must
		// not evict one another), so the newcomer waits.
		fourth, err := ln.Dial(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer fourth.Close()
		synctest.Wait()
		if st := srv.Stats(); st.ConnsEvicted != 0 {
			t.Fatalf("a connection idle for no time was evicted: %+v", st)
		}
		// Once the idle connection has been silent for a second it makes
		// room (it is closed) and the newcomer is served.
		time.Sleep(evictAfter)
		synctest.Wait()
		if _, err := idle.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("the idle connection after a newcomer came: read = %v, want EOF (evicted)", err)
		}
		if st := srv.Stats(); st.Conns != 3 || st.ConnsEvicted != 1 {
			t.Errorf("after the eviction: %+v, want 3 connections, 1 evicted", st)
		}
		get := func(c net.Conn, closeAfter bool) {
			t.Helper()
			req := "GET /api/state HTTP/1.1\r\nHost: pifinder\r\n\r\n"
			if closeAfter {
				req = "GET /api/state HTTP/1.1\r\nHost: pifinder\r\nConnection: close\r\n\r\n"
			}
			if _, err := io.WriteString(c, req); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("request: %d", resp.StatusCode)
			}
		}
		// The newcomer is served; it stays open (keep-alive), idle again.
		get(fourth, false)
		synctest.Wait()

		// Every connection busy (two streams, and a request whose body is
		// still coming on the third): a fifth client waits instead of
		// evicting one, however long that takes.
		if _, err := io.WriteString(fourth, "POST /api/align HTTP/1.1\r\nHost: pifinder\r\nX-API-Token: secret\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		fifth, err := ln.Dial(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer fifth.Close()
		fifthDone := make(chan struct{})
		go func() {
			defer close(fifthDone)
			get(fifth, true)
		}()
		time.Sleep(3 * evictAfter)
		synctest.Wait()
		select {
		case <-fifthDone:
			t.Fatal("a fifth client was served while every connection was busy")
		default:
		}
		if st := srv.Stats(); st.Conns != 3 || st.ConnsEvicted != 1 {
			t.Errorf("all busy: %+v, want 3 connections and still 1 evicted", st)
		}
		// The body comes and the request is answered (an align with no
		// solve yet is refused); then a stream leaves: its slot goes to the waiting
		// client, which is served.
		if _, err := io.WriteString(fourth, "{}"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(fourth), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		closeStream(a, cancelA)
		synctest.Wait()
		select {
		case <-fifthDone:
		default:
			t.Fatal("the waiting client was not served after a stream closed")
		}
		if st := srv.Stats(); st.Streams != 1 {
			t.Errorf("%d streams after one left, want 1", st.Streams)
		}

		// Everyone leaves: nothing is left open or running.
		fourth.Close()
		fifth.Close()
		idle.Close()
		closeStream(b, cancelB)
		tr.CloseIdleConnections()
		synctest.Wait()
		if st := srv.Stats(); st.Conns != 0 || st.Streams != 0 {
			t.Errorf("after the clients left: %+v, want no connections or streams", st)
		}
		// Only this bubble's goroutines: those of earlier tests, still
		// ending elsewhere in the process, do not count.
		if n := bubbleGoroutines(t); n != baseline {
			t.Errorf("%d goroutines after the clients left, %d before they came", n, baseline)
		}
	})
}

// bubbleGoroutines counts the goroutines of the calling goroutine's
// synctest bubble, from the headers of a full stack dump ("goroutine 7
// [chan receive (durable), synctest bubble 1]:").
func bubbleGoroutines(t *testing.T) int {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		if n := runtime.Stack(buf, true); n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	header := func(l string) (bubble string, ok bool) {
		if !strings.HasPrefix(l, "goroutine ") {
			return "", false
		}
		_, b, ok := strings.Cut(l, ", synctest bubble ")
		return strings.TrimSuffix(b, "]:"), ok
	}
	self := make([]byte, 256)
	mine, ok := header(strings.SplitN(string(self[:runtime.Stack(self, false)]), "\n", 2)[0])
	if !ok {
		t.Fatal("not in a synctest bubble")
	}
	n := 0
	for l := range strings.SplitSeq(string(buf), "\n") {
		if b, ok := header(l); ok && b == mine {
			n++
		}
	}
	return n
}

// TestStreamLimitDefaults: the documented defaults, and MaxStreams kept
// below MaxConns.
func TestStreamLimitDefaults(t *testing.T) {
	s := New(Config{})
	if s.cfg.MaxConns != DefaultMaxConns || s.cfg.MaxStreams != DefaultMaxStreams || DefaultMaxStreams >= DefaultMaxConns {
		t.Errorf("defaults: %d connections, %d streams", s.cfg.MaxConns, s.cfg.MaxStreams)
	}
	if s := New(Config{MaxConns: 4, MaxStreams: 10}); s.cfg.MaxStreams != 3 {
		t.Errorf("MaxStreams %d with MaxConns 4, want 3", s.cfg.MaxStreams)
	}
	if s := New(Config{MaxConns: 1}); s.cfg.MaxStreams != 1 {
		t.Errorf("MaxStreams %d with MaxConns 1, want 1", s.cfg.MaxStreams)
	}
}
