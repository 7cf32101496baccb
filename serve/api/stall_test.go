//go:build unix

package api

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// waitFor polls cond until it holds or the bound passes (real time: the
// test runs on loopback TCP); it reports whether cond held.
func waitFor(bound time.Duration, cond func() bool) bool {
	end := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// TestStalledStreamDropped: a client with a tiny receive buffer opens the
// event stream and never reads. The server drops it once about 1 MiB of
// events is pending (the kernel would take all of it and more without a
// write ever blocking, so the write deadline would never fire), resets the
// connection so no unsent event stays in the kernel, and ends the stream's
// goroutine. The test is bounded to 10 s and 1 MiB of events.
func TestStalledStreamDropped(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	var logs syncBuffer
	srv := New(Config{Store: store, Log: zerolog.New(&logs), SSEWriteTimeout: 300 * time.Millisecond, PointingInterval: time.Millisecond})
	base := serveServer(t, srv, &logs)

	d := net.Dialer{Timeout: 2 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if !waitFor(5*time.Second, func() bool { return srv.Stats().Streams == 1 }) {
		t.Fatalf("the stream did not open: %+v", srv.Stats())
	}

	// Fat pointing events (about 2.3 KiB each), paced so that the stream
	// writes most of them: at most 450 (1 MiB) are sent.
	const maxEvents = 450
	sent := 0
	dropped := func() bool { return srv.Stats().StreamsDropped > 0 }
	for ; sent < maxEvents && !dropped(); sent++ {
		st := solvedState(float64(sent%3600)*0.1, 10, 0, 10)
		st.Estimate.Constellation = strings.Repeat("x", 2000)
		if err := store.Update(t.Context(), state.SetEstimate{Estimate: st.Estimate}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if !waitFor(10*time.Second, dropped) {
		t.Fatalf("a client that never reads was not dropped after %d events (~%d KiB) and 10 s: %+v", sent, sent*23/10, srv.Stats())
	}
	if !waitFor(5*time.Second, func() bool { st := srv.Stats(); return st.Streams == 0 && st.Conns == 0 }) {
		t.Errorf("the dropped stream's handler or connection did not end: %+v", srv.Stats())
	}
	t.Logf("dropped after %d events: %+v", sent, srv.Stats())

	// The connection was reset: the client gets what its own small buffer
	// held, then ECONNRESET, not the rest of a backlog the kernel kept.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after the drop the client read %d bytes, then %v; want a connection reset", n, err)
	}
	t.Logf("the client read %d bytes after the drop, then %v", n, err)
	if n > 256<<10 {
		t.Errorf("the client could still read %d KiB after the drop: the kernel kept the stream's backlog", n>>10)
	}
}
