package gps

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/state"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer is a log sink safe for the worker and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) count(msg string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.b.String(), msg)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// rig runs a store and the worker in a synctest bubble; dial is the
// worker's connection to gpsd.
type rig struct {
	store *state.Store
	log   *syncBuffer
	stop  func() error
}

func startRig(t *testing.T, init state.State, dial func(ctx context.Context, addr string) (net.Conn, error)) *rig {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	st := state.New(init)
	ownerDone := make(chan struct{})
	go func() { _ = st.Run(ctx); close(ownerDone) }()
	buf := &syncBuffer{}
	runErr := make(chan error, 1)
	go func() {
		runErr <- Run(ctx, Config{Store: st, Log: zerolog.New(buf), Dial: dial})
	}()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel(errStop)
		err := <-runErr
		<-ownerDone
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return &rig{store: st, log: buf, stop: stop}
}

var errStop = errors.New("test stop")

func (r *rig) snap(t *testing.T) state.State {
	t.Helper()
	s, err := r.store.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pipeGpsd is a fake gpsd on the far end of a net.Pipe: it checks the
// WATCH request and then sends what the test gives it.
type pipeGpsd struct {
	lines chan string
	conns chan net.Conn
}

func newPipeGpsd() *pipeGpsd {
	return &pipeGpsd{lines: make(chan string), conns: make(chan net.Conn, 4)}
}

func (g *pipeGpsd) dial(ctx context.Context, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		req := make([]byte, len(WatchRequest))
		if _, err := io.ReadFull(server, req); err != nil || string(req) != WatchRequest {
			return
		}
		g.conns <- server
		for {
			select {
			case l := <-g.lines:
				if _, err := io.WriteString(server, l+"\n"); err != nil {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return client, nil
}

func (g *pipeGpsd) send(lines ...string) {
	for _, l := range lines {
		g.lines <- l
	}
	synctest.Wait()
}

func TestWorkerFeedsState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newPipeGpsd()
		r := startRig(t, state.Default(), g.dial)
		<-g.conns
		synctest.Wait()
		if s := r.snap(t); !s.GPS.Connected || s.GPS.String() != "searching" {
			t.Fatalf("after connect: %+v (%s)", s.GPS, s.GPS)
		}
		g.send(`{"class":"VERSION","release":"3.22"}`, `{"class":"TPV","mode":1,"time":"2026-03-15T20:29:00.000Z"}`, skyOld)
		s := r.snap(t)
		if got := s.GPS.String(); got != "searching, 3 sats seen" {
			t.Errorf("no fix: status %q", got)
		}
		if s.Location.Source != "None" || s.Clock.Known() {
			t.Errorf("no fix moved the site or the clock: %+v, clock %v", s.Location, s.Clock.Source())
		}
		g.send(tpv2D)
		s = r.snap(t)
		if l := s.Location; l.Source != "GPS" || l.Lat != 50.85 || l.Lon != 4.35 || l.AltitudeM != 0 || l.LockType != 2 || !l.Lock || l.LastGPSLock != "20:30:07" {
			t.Errorf("2D fix: location %+v", l)
		}
		if now, _ := s.Clock.Now(); s.Clock.Source() != state.TimeGPS || !now.Equal(time.Date(2026, 3, 15, 20, 30, 7, 0, time.UTC)) {
			t.Errorf("2D fix: clock %v from %s", now, s.Clock.Source())
		}
		g.send(tpv3D, skyNew)
		s = r.snap(t)
		if l := s.Location; l.AltitudeM != 100 || l.LockType != 3 || l.ErrorM != 17.1 {
			t.Errorf("3D fix: location %+v", l)
		}
		if got := s.GPS.String(); got != "3D fix, 9 used, ±17 m" {
			t.Errorf("3D fix: status %q", got)
		}
		// A later 2-D fix keeps the 3-D fix's altitude (its error is
		// smaller, so it is taken).
		g.send(`{"class":"TPV","mode":2,"time":"2026-03-15T20:30:09.000Z","lat":50.86,"lon":4.36,"eph":9}`)
		if l := r.snap(t).Location; l.Lat != 50.86 || l.AltitudeM != 100 {
			t.Errorf("2D after 3D: location %+v", l)
		}
		// The fix is lost: the status says so, the site stays.
		g.send(`{"class":"TPV","mode":1,"time":"2026-03-15T20:31:00.000Z"}`)
		s = r.snap(t)
		if s.GPS.Mode != state.FixNone || s.Location.Lat != 50.86 || r.log.count("gps: fix lost") != 1 {
			t.Errorf("fix lost: status %+v, site %+v, log:\n%s", s.GPS, s.Location, r.log)
		}
		// A week-number rollover: a fix dated 2006 does not move the clock.
		before, _ := r.snap(t).Clock.Now()
		g.send(`{"class":"TPV","mode":3,"time":"2006-07-30T20:30:10.000Z","lat":50.86,"lon":4.36,"altMSL":76,"eph":5}`,
			`{"class":"TPV","mode":3,"time":"2006-07-30T20:30:11.000Z","lat":50.86,"lon":4.36,"altMSL":76,"eph":4}`)
		s = r.snap(t)
		if now, _ := s.Clock.Now(); !now.Equal(before) {
			t.Errorf("rollover date moved the clock from %v to %v", before, now)
		}
		if s.Location.AltitudeM != 76 {
			t.Errorf("the rollover fix's position must still be used: %+v", s.Location)
		}
		if n := r.log.count("week-number rollover"); n != 1 {
			t.Errorf("rollover logged %d times, want once", n)
		}
		// Noise and gpsd's complaints do not end the session.
		g.send("garbage", `{"class":"TPV","mode":9}`, `{"class":"ERROR","message":"bad request"}`, skyNew)
		if r.snap(t).GPS.Connected != true || r.log.count("gpsd reports an error") != 1 {
			t.Errorf("session ended by noise; log:\n%s", r.log)
		}
		if err := r.stop(); !errors.Is(err, errStop) {
			t.Errorf("Run returned %v, want the context's cause", err)
		}
	})
}

// TestWorkerReconnects: gpsd absent for ten minutes, then present; then
// killed. Retries back off to the cap, the log has the first failure and
// at most one line a minute, and a connection is made within the cap once
// gpsd is back.
func TestWorkerReconnects(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newPipeGpsd()
		var mu sync.Mutex
		var attempts []time.Time
		up := false
		dial := func(ctx context.Context, addr string) (net.Conn, error) {
			mu.Lock()
			defer mu.Unlock()
			attempts = append(attempts, time.Now())
			if !up {
				return nil, errors.New("connection refused")
			}
			return g.dial(ctx, addr)
		}
		start := time.Now()
		r := startRig(t, state.Default(), dial)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		mu.Lock()
		n := len(attempts)
		var maxGap time.Duration
		for i := 1; i < len(attempts); i++ {
			maxGap = max(maxGap, attempts[i].Sub(attempts[i-1]))
		}
		up = true
		mu.Unlock()
		// 0.5+1+2+4+8+16 s, then every 30 s: 6 + (600-31.5)/30 ≈ 25.
		if n < 20 || n > 30 || maxGap != DefaultMaxBackoff {
			t.Errorf("%d attempts in 10 min, longest gap %v; want about 25, capped at %v", n, maxGap, DefaultMaxBackoff)
		}
		if lines := r.log.count("gpsd not reachable"); lines < 2 || lines > 11 {
			t.Errorf("%d failure lines in 10 min, want the first and at most one a minute", lines)
		}
		if s := r.snap(t); s.GPS.Connected {
			t.Error("connected while gpsd is down")
		}
		conn := <-g.conns
		if since := time.Since(start) - 10*time.Minute; since > DefaultMaxBackoff {
			t.Errorf("reconnected %v after gpsd came back", since)
		}
		g.send(tpv3D)
		if s := r.snap(t); !s.GPS.Connected || s.GPS.Mode != 3 || r.log.count("gps: gpsd connected") != 1 {
			t.Errorf("after reconnect: %+v; log:\n%s", s.GPS, r.log)
		}
		// gpsd killed: the status says so at once, and the worker is back
		// after the shortest wait.
		conn.Close()
		synctest.Wait()
		if s := r.snap(t); s.GPS.Connected || s.GPS.Mode != state.FixUnknown {
			t.Errorf("after gpsd died: %+v", s.GPS)
		}
		if r.log.count("gpsd connection lost") != 1 {
			t.Errorf("loss not logged:\n%s", r.log)
		}
		lost := time.Now()
		<-g.conns
		if d := time.Since(lost); d != DefaultMinBackoff {
			t.Errorf("reconnected after %v, want %v", d, DefaultMinBackoff)
		}
	})
}

func TestRunNeedsStore(t *testing.T) {
	if err := Run(context.Background(), Config{}); err == nil {
		t.Error("Run without a store succeeded")
	}
}

// TestWorkerOwnerGone: the worker ends with the owner's cause.
func TestWorkerOwnerGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st := state.New(state.Default())
		ownerCtx, stopOwner := context.WithCancel(ctx)
		go func() { _ = st.Run(ownerCtx) }()
		g := newPipeGpsd()
		done := make(chan error, 1)
		go func() { done <- Run(ctx, Config{Store: st, Log: zerolog.Nop(), Dial: g.dial}) }()
		<-g.conns
		stopOwner()
		synctest.Wait()
		select {
		case g.lines <- tpv3D:
		default:
		}
		synctest.Wait()
		select {
		case err := <-done:
			if !errors.Is(err, state.ErrOwnerGone) {
				t.Errorf("Run returned %v, want ErrOwnerGone", err)
			}
		default:
			cancel()
			t.Errorf("worker still running after the owner ended: %v", <-done)
		}
	})
}
