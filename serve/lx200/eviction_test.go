package lx200

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// startBubble runs a server on an in-memory listener inside a synctest
// bubble; cleanup cancels it and checks that Serve returned the cause.
func startBubble(t *testing.T, cfg Config) (*Server, *pipeListener) {
	t.Helper()
	var logBuf syncBuffer
	cfg.Log = zerolog.New(&logBuf).Level(zerolog.DebugLevel)
	if cfg.Store == nil {
		cfg.Store = statetest.Start(t, state.Default())
	}
	srv := New(cfg)
	ln := newPipeListener()
	ctx, cancel := context.WithCancelCause(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cause := errors.New("test over")
		cancel(cause)
		if err := <-errc; !errors.Is(err, cause) {
			t.Errorf("Serve = %v, want the cause", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logBuf.String())
		}
	})
	return srv, ln
}

// watched is a client end whose closing by the server is observed: a
// goroutine drains it and closes done when the server has closed its side.
type watched struct {
	net.Conn
	done chan struct{}
}

func watch(c net.Conn) watched {
	w := watched{c, make(chan struct{})}
	go func() {
		defer close(w.done)
		_, _ = io.Copy(io.Discard, c)
	}()
	return w
}

func (w watched) closed() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// closeAll closes the test's ends and waits for their watchers.
func closeAll(ws []watched) {
	for _, w := range ws {
		w.Close()
		<-w.done
	}
}

// poll sends :GR#:GD# on c and returns the two replies; an error means
// the server closed c (or refused it: the refusal is in the replies).
func poll(c net.Conn, r *bufio.Reader) ([]string, error) {
	werr := make(chan error, 1)
	go func() { _, err := io.WriteString(c, ":GR#:GD#"); werr <- err }()
	var got []string
	for range 2 {
		s, err := r.ReadString('#')
		if err != nil {
			c.Close() // ends the writer if the server stopped reading
			<-werr
			return append(got, s), err
		}
		got = append(got, s)
	}
	return got, <-werr
}

// TestSkySafariAfterEightIdleSockets (fake time): eight connections that
// never say anything hold every slot; SkySafari connects and is answered at
// once, and the oldest silent connection is closed to make room for it.
func TestSkySafariAfterEightIdleSockets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, ln := startBubble(t, Config{})
		var idle []watched
		for range DefaultMaxClients {
			idle = append(idle, watch(ln.dial()))
			time.Sleep(time.Second) // they arrived over 8 s, the first is the oldest
		}
		synctest.Wait()

		start := time.Now()
		sky := ln.dial()
		defer sky.Close()
		got, err := poll(sky, bufio.NewReader(sky))
		if err != nil || got[0] != NoPointing || got[1] != NoPointing {
			t.Fatalf("SkySafari after 8 idle sockets got %q, %v; want two answers", got, err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("SkySafari answered after %v, want at once", d)
		}
		synctest.Wait()
		for i, w := range idle {
			if w.closed() != (i == 0) {
				t.Errorf("idle socket %d (of %d, oldest first): closed %v, want only the oldest closed", i, len(idle), w.closed())
			}
		}
		if st := srv.Stats(); st.Evicted != 1 || st.Refused != 0 || st.Accepted != DefaultMaxClients+1 {
			t.Errorf("stats %+v, want 1 evicted, 0 refused, 9 accepted", st)
		}
		// SkySafari keeps being served while it polls.
		for range 10 {
			time.Sleep(200 * time.Millisecond)
			if got, err := poll(sky, bufio.NewReader(sky)); err != nil {
				t.Fatalf("SkySafari poll: %q, %v", got, err)
			}
		}
		closeAll(idle)
	})
}

// TestActivePollerSurvivesFlood (fake time): a SkySafari polling at 20 Hz
// keeps its connection through 1,000 idle connections arriving (in bursts
// and one by one) for 50 s; the flood churns the seven other slots, every
// flooding connection but the last seven is closed, and a second SkySafari
// arriving after the flood is answered at once.
func TestActivePollerSurvivesFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, ln := startBubble(t, Config{})
		sky := ln.dial()
		defer sky.Close()
		skyR := bufio.NewReader(sky)
		if got, err := poll(sky, skyR); err != nil {
			t.Fatalf("first poll: %q, %v", got, err)
		}

		const floodN, floodFor = 1000, 50 * time.Second
		flood := make(chan []watched, 1)
		go func() {
			var ws []watched
			for i := range floodN {
				ws = append(ws, watch(ln.dial()))
				if i%100 >= 50 { // half in bursts of 50, half one every 100 ms
					time.Sleep(floodFor / (floodN / 2))
				}
			}
			flood <- ws
		}()
		polls := 0
		for start := time.Now(); time.Since(start) < floodFor+time.Second; polls++ {
			time.Sleep(50 * time.Millisecond)
			if got, err := poll(sky, skyR); err != nil || len(got[0]) != len("00:00:00#") && got[0] != NoPointing {
				t.Fatalf("poll %d during the flood: %q, %v (stats %+v)", polls, got, err, srv.Stats())
			}
		}
		ws := <-flood
		synctest.Wait()
		open := 0
		for i, w := range ws {
			if !w.closed() {
				open++
				if i < floodN-(DefaultMaxClients-1) {
					t.Errorf("flooding connection %d still open; only the newest %d should be", i, DefaultMaxClients-1)
				}
			}
		}
		if st := srv.Stats(); open != DefaultMaxClients-1 || st.Evicted != floodN-(DefaultMaxClients-1) || st.Refused != 0 {
			t.Errorf("%d flooding connections open, stats %+v; want %d open, %d evicted, 0 refused",
				open, st, DefaultMaxClients-1, floodN-(DefaultMaxClients-1))
		}

		start := time.Now()
		second := ln.dial()
		defer second.Close()
		if got, err := poll(second, bufio.NewReader(second)); err != nil || time.Since(start) != 0 {
			t.Errorf("second SkySafari after the flood: %q, %v after %v", got, err, time.Since(start))
		}
		if got, err := poll(sky, skyR); err != nil {
			t.Errorf("first SkySafari after the flood: %q, %v", got, err)
		}
		t.Logf("%d polls answered during a flood of %d connections; stats %+v", polls, floodN, srv.Stats())
		closeAll(ws)
	})
}

// TestEvictionOrder (fake time): answered clients may be evicted only after
// EvictAfter without a command, silent ones at any time; the longest quiet
// goes first; a client that keeps polling is never evicted; while nobody
// may be evicted, newcomers are refused.
func TestEvictionOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, ln := startBubble(t, Config{})
		var answered []watched
		for range DefaultMaxClients {
			c := ln.dial()
			if got, err := poll(c, bufio.NewReader(c)); err != nil {
				t.Fatalf("poll: %q, %v", got, err)
			}
			answered = append(answered, watch(c)) // drains the replies from here on
			time.Sleep(10 * time.Millisecond)
		}
		// Client 3 keeps polling every second; the others go quiet.
		const poller = 3
		stopPolling := make(chan struct{})
		polled := make(chan error, 1)
		go func() {
			for {
				select {
				case <-stopPolling:
					polled <- nil
					return
				case <-time.After(time.Second):
				}
				if _, err := io.WriteString(answered[poller], ":GR#"); err != nil {
					polled <- err
					return
				}
			}
		}()

		// Within EvictAfter, nobody may be evicted: a newcomer is refused.
		time.Sleep(DefaultEvictAfter - time.Second)
		refused := ln.dial()
		msg, _ := io.ReadAll(refused)
		refused.Close()
		if string(msg) != refusal {
			t.Errorf("newcomer while all are answered and recent got %q, want the refusal", msg)
		}

		// After EvictAfter, seven silent newcomers replace the seven quiet
		// clients, longest quiet (first admitted) first, not one another.
		time.Sleep(2 * time.Second)
		var newcomers []watched
		for i := range DefaultMaxClients - 1 {
			newcomers = append(newcomers, watch(ln.dial()))
			synctest.Wait()
			for j, w := range answered {
				if want := j != poller && j-btoi(j > poller) <= i; w.closed() != want {
					t.Errorf("after newcomer %d: answered client %d closed %v, want %v", i, j, w.closed(), want)
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		// The eighth replaces the oldest silent newcomer; the poller stays.
		newcomers = append(newcomers, watch(ln.dial()))
		synctest.Wait()
		for i, w := range newcomers {
			if w.closed() != (i == 0) {
				t.Errorf("newcomer %d closed %v, want only the first closed", i, w.closed())
			}
		}
		close(stopPolling)
		if err := <-polled; err != nil || answered[poller].closed() {
			t.Errorf("the poller was closed: %v", err)
		}
		if st := srv.Stats(); st.Refused != 1 || st.Evicted != DefaultMaxClients {
			t.Errorf("stats %+v, want 1 refused, %d evicted", st, DefaultMaxClients)
		}
		closeAll(append(answered, newcomers...))
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestEvictionLoopback: the same over real TCP on 127.0.0.1: eight idle
// sockets, then SkySafari connects and is answered; the oldest idle socket
// is closed by the server (EOF without a byte).
func TestEvictionLoopback(t *testing.T) {
	store := statetest.Start(t, state.Default())
	srv, addr, _ := startServer(t, Config{Store: store})
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range DefaultMaxClients {
		// Accepted in the order dialled (one listener, one accept loop), so
		// they are in the table before SkySafari, the ninth.
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	sky, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sky.Close()
	got := exchange(t, sky, bufio.NewReader(sky), ":GR#:GD#", 2)
	if got[0] != NoPointing || got[1] != NoPointing {
		t.Fatalf("SkySafari got %q", got)
	}
	_ = idle[0].SetReadDeadline(time.Now().Add(5 * time.Second)) // a bound, not a wait
	if b, err := io.ReadAll(idle[0]); err != nil || len(b) != 0 {
		t.Errorf("oldest idle socket: read %q, %v; want closed (EOF) without a byte", b, err)
	}
	if st := srv.Stats(); st.Evicted != 1 || st.Refused != 0 {
		t.Errorf("stats %+v, want 1 evicted, 0 refused", st)
	}
	if got := exchange(t, sky, bufio.NewReader(sky), ":GVP#", 1); !strings.HasPrefix(got[0], "PiFinder") {
		t.Errorf("SkySafari then got %q", got)
	}
}
