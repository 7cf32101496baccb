package lx200

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startServer runs a server on a loopback listener; cleanup cancels it and
// checks that Serve returned nil.
func startServer(t *testing.T, cfg Config) (*Server, string, *syncBuffer) {
	t.Helper()
	var logBuf syncBuffer
	cfg.Log = zerolog.New(&logBuf)
	srv := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cause := errors.New("test over")
		cancel(cause)
		if err := <-errc; !errors.Is(err, cause) {
			t.Errorf("Serve = %v, want the cause", err)
		}
		if strings.Contains(logBuf.String(), "stopped") {
			t.Errorf("the server logged its own stop (the runner writes it):\n%s", logBuf.String())
		}
	})
	return srv, ln.Addr().String(), &logBuf
}

type syncBuffer = statetest.LogBuffer

// exchange sends cmd and reads n '#'-terminated replies.
func exchange(t *testing.T, c net.Conn, r *bufio.Reader, cmd string, n int) []string {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, cmd); err != nil {
		t.Fatalf("write %q: %v", cmd, err)
	}
	out := make([]string, n)
	for i := range out {
		s, err := r.ReadString('#')
		if err != nil {
			t.Fatalf("reply %d to %q: %v", i, cmd, err)
		}
		out[i] = s
	}
	return out
}

// TestSkySafariSession drives the server as SkySafari does: connect, poll
// :GR#:GD# several times a second while the estimate moves, send a goto,
// disconnect.
func TestSkySafariSession(t *testing.T) {
	initial := state.Default()
	store := statetest.Start(t, initial)
	ctx := context.Background()
	when := time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC)
	if err := store.Update(ctx, state.SetDateTime{Time: when}); err != nil {
		t.Fatal(err)
	}
	srv, addr, _ := startServer(t, Config{Store: store})

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)

	// No pointing yet: the T17 placeholder.
	if got := exchange(t, c, r, ":GR#:GD#", 2); got[0] != NoPointing || got[1] != NoPointing {
		t.Fatalf("no pointing: %q", got)
	}
	positions := [][2]float64{{279.2347, 38.7837}, {101.2872, -16.7161}, {45, -0.5}, {37.9546, 89.2641}, {10.6847, 41.269}}
	for i, p := range positions {
		est := state.Estimate{Source: state.SourceCamera}
		est.Aligned.Estimate = state.PointingOf(p[0], p[1], 0)
		est.Camera.Estimate = est.Aligned.Estimate
		if err := store.Update(ctx, state.SetEstimate{Estimate: est}); err != nil {
			t.Fatal(err)
		}
		snap, err := store.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The server sees the new state through its subscription; poll a
		// few times as SkySafari does (about 5 Hz) until it shows.
		var got []string
		for range 50 {
			got = exchange(t, c, r, ":GR#:GD#", 2)
			if got[0] == NoPointing {
				// The server has not seen the first estimate yet.
				time.Sleep(10 * time.Millisecond)
				continue
			}
			now, _ := snap.Clock.Now()
			wantRA, wantDec := DefaultToDate(p[0], p[1], now)
			ra, dec, err := parseReplies(got[0] + got[1])
			if err != nil {
				t.Fatalf("replies %q: %v", got, err)
			}
			raOK := math.Abs(math.Remainder(ra-wantRA, 360))*math.Cos(wantDec*math.Pi/180) <= (15.0+0.1)/3600
			if raOK && math.Abs(dec-wantDec) <= 1.0/3600 {
				break
			}
			got = nil
			time.Sleep(20 * time.Millisecond)
		}
		if got == nil {
			t.Fatalf("position %d (%v) never served within the protocol's precision", i, p)
		}
	}

	// Steady polling at 10 Hz for a second: every reply is the last position.
	last := positions[len(positions)-1]
	for range 10 {
		got := exchange(t, c, r, ":GR#:GD#", 2)
		now, _ := func() (time.Time, bool) {
			s, err := store.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return s.Clock.Now()
		}()
		wantRA, wantDec := DefaultToDate(last[0], last[1], now)
		ra, dec, err := parseReplies(got[0] + got[1])
		if err != nil || math.Abs(math.Remainder(ra-wantRA, 360))*math.Cos(wantDec*math.Pi/180) > (15.0+0.1)/3600 || math.Abs(dec-wantDec) > 1.0/3600 {
			t.Errorf("steady poll %q, want (%v, %v): %v", got, wantRA, wantDec, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Goto the Crab in JNow at the shared datetime.
	crabRA, crabDec := DefaultToDate(83.6331, 22.0145, when)
	sr := ":Sr" + strings.TrimSuffix(FormatRA(crabRA), "#") + "#"
	sd := ":Sd" + strings.ReplaceAll(strings.TrimSuffix(FormatDec(crabDec), "#"), "'", ":") + "#"
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, sr+sd+":MS#"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "110" {
		t.Fatalf("goto replies %q, %v; want \"110\"", buf, err)
	}
	snap, err := store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.HasTarget || snap.Target.Source != "lx200" {
		t.Fatalf("target %+v (has %v)", snap.Target, snap.HasTarget)
	}
	if sep := geom.Separation(snap.Target.RA, snap.Target.Dec, 83.6331, 22.0145) * 3600; sep > 10 {
		t.Errorf("goto landed %.1f″ from the Crab", sep)
	}
	c.Close()
	if st := srv.Stats(); st.Gotos != 1 || st.Accepted != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestClockFallback: without a shared datetime, the system clock is used.
func TestClockFallback(t *testing.T) {
	initial := state.Default()
	initial.Estimate.Aligned.Estimate = state.PointingOf(0, 0, 0)
	store := statetest.Start(t, initial)
	when := time.Date(2025, 6, 28, 11, 0, 0, 0, time.UTC)
	_, addr, _ := startServer(t, Config{Store: store, SystemNow: func() time.Time { return when }})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := exchange(t, c, bufio.NewReader(c), ":GR#:GD#", 2)
	ra, dec := DefaultToDate(0, 0, when)
	if want := []string{FormatRA(ra), FormatDec(dec)}; got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTooManyClients: the ninth client is told and closed; the eight keep working.
func TestTooManyClients(t *testing.T) {
	store := statetest.Start(t, state.Default())
	srv, addr, _ := startServer(t, Config{Store: store})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range DefaultMaxClients {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		exchange(t, c, bufio.NewReader(c), ":GVP#", 1) // admitted and served
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = extra.SetDeadline(time.Now().Add(5 * time.Second))
	msg, err := io.ReadAll(extra)
	extra.Close()
	if err != nil || string(msg) != refusal {
		t.Errorf("ninth client got %q, %v", msg, err)
	}
	for _, c := range conns {
		if got := exchange(t, c, bufio.NewReader(c), ":GW#:GVP#", 1); got[0] != "AT1PiFinder#" {
			t.Errorf("admitted client got %q", got)
		}
	}
	if st := srv.Stats(); st.Refused != 1 {
		t.Errorf("refused %d, want 1", st.Refused)
	}
}

// TestAbuse: 10,000 random lines, a client that never reads, and 100
// simultaneous connection attempts; a healthy client keeps being served and
// nothing leaks (goleak in TestMain).
func TestAbuse(t *testing.T) {
	initial := state.Default()
	initial.Estimate.Aligned.Estimate = state.PointingOf(83.6331, 22.0145, 0)
	store := statetest.Start(t, initial)
	srv, addr, _ := startServer(t, Config{Store: store, WriteTimeout: 200 * time.Millisecond})

	healthy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer healthy.Close()
	hr := bufio.NewReader(healthy)
	check := func(when string) {
		t.Helper()
		if got := exchange(t, healthy, hr, ":GVP#", 1); got[0] != "PiFinder#" {
			t.Fatalf("%s: healthy client got %q", when, got)
		}
	}
	check("start")

	// 10,000 random lines (printable and binary) from one noisy client,
	// interleaved with real commands; its replies are drained concurrently.
	noisy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var drained sync.WaitGroup
	drained.Add(1)
	var noisyReplies []byte
	go func() {
		defer drained.Done()
		noisyReplies, _ = io.ReadAll(noisy)
	}()
	rng := rand.New(rand.NewPCG(1, 2))
	var stream bytes.Buffer
	for i := range 10000 {
		line := make([]byte, rng.IntN(80))
		for j := range line {
			if i%2 == 0 {
				line[j] = byte(rng.IntN(256))
			} else {
				line[j] = ":#GRDSrd0123456789+-*'"[rng.IntN(22)]
			}
		}
		stream.Write(line)
		stream.WriteString("\r\n")
	}
	stream.WriteString("#:GVP#") // end any open command, then a real one
	if _, err := noisy.Write(stream.Bytes()); err != nil {
		t.Fatalf("noisy write: %v", err)
	}
	_ = noisy.(*net.TCPConn).CloseWrite()
	drained.Wait()
	noisy.Close()
	if !bytes.HasSuffix(noisyReplies, []byte("PiFinder#")) {
		t.Errorf("noisy client's last reply %q, want PiFinder#", tail(noisyReplies, 40))
	}
	check("after noise")

	// A client that floods requests and never reads: its replies fill the
	// socket buffers, its write deadline fires and it is closed.
	deaf, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	flood := []byte(strings.Repeat(":GVP#", 1000))
	deadline := time.Now().Add(20 * time.Second)
	closedByServer := false
	for !closedByServer && time.Now().Before(deadline) {
		_ = deaf.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := deaf.Write(flood); err != nil {
			if errors.Is(err, syscallTimeout) {
				continue
			}
			closedByServer = true // reset by the server: it gave up on us
		}
		check("during flood")
	}
	deaf.Close()
	if !closedByServer {
		t.Errorf("a client that never reads was not closed within 20 s")
	}
	check("after deaf client")

	// 100 connection attempts at once: each is served, or refused (told so),
	// or evicted by a later one before it was answered (closed without a
	// byte); the healthy client, answered just before, is never evicted.
	var wg sync.WaitGroup
	var mu sync.Mutex
	served, refused, evicted := 0, 0, 0
	before := srv.Stats()
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = io.WriteString(c, ":GVP#")
			buf := make([]byte, len(refusal))
			n, err := io.ReadAtLeast(c, buf, len("PiFinder#"))
			mu.Lock()
			defer mu.Unlock()
			switch got := string(buf[:n]); {
			case strings.HasPrefix(got, "PiFinder#"):
				served++
			case n > 0 && strings.HasPrefix(refusal, got):
				refused++
			case n == 0 && !isTimeout(err):
				evicted++
			default:
				t.Errorf("burst client got %q, %v", got, err)
			}
		}()
	}
	wg.Wait()
	st := srv.Stats()
	if served+refused+evicted != 100 || served < 1 || uint64(evicted) > st.Evicted-before.Evicted {
		t.Errorf("burst: %d served, %d refused, %d closed unanswered (server evicted %d); want 100 answered or closed",
			served, refused, evicted, st.Evicted-before.Evicted)
	}
	t.Logf("burst of 100: %d served, %d refused, %d evicted unanswered; stats %+v", served, refused, evicted, st)
	check("after burst")
}

// syscallTimeout matches a write deadline expiry.
var syscallTimeout = timeoutErr{}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "timeout" }
func (timeoutErr) Is(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// pipeListener is an in-memory listener (net.Pipe) for synctest bubbles.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error { l.once.Do(func() { close(l.closed) }); return nil }
func (l *pipeListener) Addr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4030}
}

func (l *pipeListener) dial() net.Conn {
	a, b := net.Pipe()
	l.conns <- b
	return a
}

// TestIdleAndShutdown (fake time): a client that sends no command for
// IdleTimeout is closed, noise does not keep it alive; cancelling the
// context ends Serve, closes the remaining clients and logs one line.
func TestIdleAndShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := state.New(state.Default())
		sctx, stopStore := context.WithCancel(context.Background())
		go func() { _ = store.Run(sctx) }()
		defer stopStore()

		var logBuf syncBuffer
		srv := New(Config{Store: store, Log: zerolog.New(&logBuf), IdleTimeout: 10 * time.Second})
		ln := newPipeListener()
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ctx, ln) }()

		idle := ln.dial()
		busy := ln.dial()
		go func() { _, _ = io.Copy(io.Discard, busy) }()
		start := time.Now()
		idleGone := make(chan time.Duration, 1)
		go func() {
			_, _ = io.Copy(io.Discard, idle)
			idleGone <- time.Since(start)
		}()
		for range 30 { // the busy client polls every second; the idle one sends noise
			time.Sleep(time.Second)
			_, _ = io.WriteString(busy, ":GR#")
			_, _ = io.WriteString(idle, "noise\x00")
		}
		select {
		case d := <-idleGone:
			if d < 10*time.Second || d > 11*time.Second {
				t.Errorf("idle client closed after %v, want 10 s", d)
			}
		default:
			t.Errorf("idle client still open after 30 s")
		}
		if _, err := io.WriteString(busy, ":GVP#"); err != nil {
			t.Errorf("busy client closed: %v", err)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("Serve = %v, want the cause", err)
		}
		if _, err := io.WriteString(busy, ":GVP#"); err == nil {
			t.Errorf("client still open after shutdown")
		}
		busy.Close()
		idle.Close()
		stopStore()
		synctest.Wait()
	})
}

// TestOwnerGone: when the state owner ends, Serve returns its cause.
func TestOwnerGone(t *testing.T) {
	store := state.New(state.Default())
	sctx, stopStore := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); _ = store.Run(sctx) }()
	srv := New(Config{Store: store, Log: zerolog.Nop()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(context.Background(), ln) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exchange(t, c, bufio.NewReader(c), ":GVP#", 1)
	stopStore()
	<-ran
	select {
	case err := <-errc:
		if !errors.Is(err, state.ErrOwnerGone) {
			t.Errorf("Serve returned %v, want ErrOwnerGone", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the owner ended")
	}
}
