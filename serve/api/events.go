package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/pifinder-go/pifinder/state"
)

// Event names of GET /api/events.
const (
	EventPointing = "pointing" // PointingView, at most every PointingInterval, when it changes
	EventSolver   = "solver"   // SolverEvent, on every new solve attempt
	EventPower    = "power"    // PowerEvent, when the power state changes
	EventStatus   = "status"   // StatusEvent: site, datetime, GPS, IMU, when they change
	// EventTarget (targets.go): TargetView or null, throttled with pointing.
)

// streamSendBuffer is the kernel send buffer of an event stream's TCP
// connection (Linux doubles it). Left to itself the kernel grows it to
// megabytes, which it fills for a client that never reads without a write
// ever blocking, so the write deadline would not fire for many minutes.
// Events are small and few, so a small buffer costs a healthy client
// nothing.
const streamSendBuffer = 32 << 10

// getEvents streams Server-Sent Events. Each client has its own state
// subscription, which holds only the latest state: however slowly the
// client reads, the state owner never waits for it (the client just skips
// intermediate states). Every write must be taken by the client within
// SSEWriteTimeout, or the stream is dropped: the connection is reset, which
// frees its kernel buffers at once. The stream ends when the client leaves
// or the server stops. At most MaxStreams streams are open at once.
func (s *Server) getEvents(w http.ResponseWriter, r *http.Request) {
	if n := s.streams.Add(1); n > int64(s.cfg.MaxStreams) {
		s.streams.Add(-1)
		s.streamsRefused.Add(1)
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("too many event streams (limit %d): try again later", s.cfg.MaxStreams))
		return
	}
	defer s.streams.Add(-1)
	ctx := r.Context()
	rc := http.NewResponseController(w)
	sub, err := s.cfg.Store.Subscribe(ctx)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	defer sub.Close()
	conn, _ := ctx.Value(connKey{}).(net.Conn)
	tcp := tunable(conn)
	if tcp != nil {
		_ = tcp.SetWriteBuffer(streamSendBuffer)
	}
	dropped := false
	defer func() {
		if !dropped {
			return
		}
		s.streamsDropped.Add(1)
		if tcp != nil {
			// Reset rather than close: a client that stopped reading would
			// otherwise keep the unsent events in the kernel for minutes.
			_ = tcp.SetLinger(0)
		}
	}()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no") // no buffering in a reverse proxy
	w.WriteHeader(http.StatusOK)

	var buf bytes.Buffer
	write := func() bool {
		// Per-write deadline: the server-wide WriteTimeout must not cut a
		// healthy long-lived stream, but a stuck client must not hold a
		// goroutine forever either.
		_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.SSEWriteTimeout))
		if _, err := w.Write(buf.Bytes()); err != nil {
			dropped = true
			return false
		}
		buf.Reset()
		if err := rc.Flush(); err != nil {
			dropped = true
			return false
		}
		return true
	}
	event := func(name string, id uint64, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			data, _ = json.Marshal(errorBody{Error: "encode event: " + err.Error()})
		}
		fmt.Fprintf(&buf, "event: %s\nid: %d\ndata: %s\n\n", name, id, data)
	}
	// Tell EventSource clients how soon to reconnect.
	buf.WriteString("retry: 2000\n\n")
	if !write() {
		return
	}

	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	throttle := time.NewTimer(0)
	if !throttle.Stop() {
		<-throttle.C
	}
	var (
		cur, last      state.State
		first          = true
		pending, armed bool
		pendingTarget  bool
		lastSent       time.Time
		lastPointing   PointingView
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.cfg.Store.Done():
			return
		case <-heartbeat.C:
			buf.WriteString(": heartbeat\n\n")
		case <-throttle.C:
			armed = false
		case cur = <-sub.C():
			if first || cur.Power != last.Power {
				event(EventPower, cur.Version, PowerEvent{Power: cur.Power.String()})
			}
			if first || !sameStatus(cur, last) {
				event(EventStatus, cur.Version, statusEventOf(cur))
			}
			ea, eb := cur.Estimate, last.Estimate
			if !ea.LastSolveAttempt.IsZero() && (first || !ea.LastSolveAttempt.Equal(eb.LastSolveAttempt)) {
				event(EventSolver, cur.Version, solverEventOf(cur))
			}
			if p := PointingOf(cur); first || !samePointing(p, lastPointing) {
				pending = true
			}
			if first || !sameTarget(cur, last) {
				pendingTarget = true
			}
			first, last = false, cur
		}
		// The target's guidance changes with every estimate, so it shares
		// the pointing's throttle.
		if (pending || pendingTarget) && !armed {
			if wait := s.cfg.PointingInterval - time.Since(lastSent); wait > 0 {
				throttle.Reset(wait)
				armed = true
			} else {
				if pending {
					lastPointing = PointingOf(cur)
					event(EventPointing, cur.Version, lastPointing)
				}
				if pendingTarget {
					event(EventTarget, cur.Version, targetView(cur))
				}
				pending, pendingTarget, lastSent = false, false, time.Now()
			}
		}
		if buf.Len() > 0 && !write() {
			return
		}
	}
}

// samePointing compares the parts of a pointing that change when the finder moves.
func samePointing(a, b PointingView) bool {
	eq := func(x, y *PointingJSON) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return eq(a.Camera.Estimate, b.Camera.Estimate) && eq(a.Aligned.Estimate, b.Aligned.Estimate) &&
		eq(a.Camera.Solve, b.Camera.Solve) && eq(a.Aligned.Solve, b.Aligned.Solve) && a.Source == b.Source &&
		a.Constellation == b.Constellation
}
