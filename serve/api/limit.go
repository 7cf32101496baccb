package api

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// limitListener keeps at most cap(slots) connections open. When all slots
// are taken and a new client connects, the connection that has waited
// longest without a request in flight (accepted and silent, or idle between
// keep-alive requests), once it has been so for evictAfter, is closed to
// make room, as the LX200 server evicts
// its longest-idle client: otherwise a hundred idle sockets, or a few
// browsers holding keep-alive connections, lock every later client out for
// the idle timeout. Only when every open connection is busy (a request or an
// event stream in flight) does the newcomer wait, accepted, until one
// closes.
type limitListener struct {
	net.Listener
	slots     chan struct{}
	conns     *atomic.Int64  // open connections, for Stats
	evicted   *atomic.Uint64 // connections closed to make room, for Stats
	done      chan struct{}
	closeOnce sync.Once

	mu   sync.Mutex
	open map[*limitConn]struct{}
	now  func() time.Time
}

func newLimitListener(ln net.Listener, slots chan struct{}, conns *atomic.Int64, evicted *atomic.Uint64) *limitListener {
	return &limitListener{Listener: ln, slots: slots, conns: conns, evicted: evicted, done: make(chan struct{}),
		open: make(map[*limitConn]struct{}), now: time.Now}
}

// evictAfter is how long a connection must have gone without a request in
// flight before a newcomer may take its slot. A burst of clients (a page
// loading its parts, a script's parallel requests) connects faster than
// each sends its request: without the grace they would evict one another
// before being served: a client sends its request as soon as it has
// connected, so it reaches the server within a round trip of the accept
// (milliseconds on loopback and on a phone's Wi-Fi). The grace also paces
// how fast a queue of idle sockets drains: the free slots (MaxConns minus
// the event streams) turn over once per grace, so 100 ms lets a newcomer
// behind a hundred queued idle sockets in within about a second, where the
// 60 s idle timeout locked it out for a minute.
const evictAfter = 100 * time.Millisecond

// Accept takes the next connection, then a slot for it: a free one, or one
// freed by evicting the connection idle longest (once idle evictAfter), or
// the first one given back.
func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for acquired := false; !acquired; {
		select {
		case l.slots <- struct{}{}:
			acquired = true
			continue
		default:
		}
		wait := evictAfter
		if victim := l.idlest(); victim != nil {
			idle := l.now().Sub(victim.idleSince())
			if idle >= evictAfter {
				victim.Close() // gives its slot back before returning
				l.evicted.Add(1)
				continue
			}
			wait = evictAfter - idle
		}
		timer := time.NewTimer(wait)
		select {
		case l.slots <- struct{}{}:
			acquired = true
		case <-timer.C:
		case <-l.done:
			timer.Stop()
			c.Close()
			return nil, net.ErrClosed
		}
		timer.Stop()
	}
	l.conns.Add(1)
	lc := &limitConn{Conn: c, l: l, evictable: true, since: l.now()}
	lc.release = func() {
		l.mu.Lock()
		delete(l.open, lc)
		l.mu.Unlock()
		l.conns.Add(-1)
		<-l.slots
	}
	l.mu.Lock()
	l.open[lc] = struct{}{}
	l.mu.Unlock()
	return lc, nil
}

// idlest returns the open connection that has been evictable longest, or
// nil when every connection is busy.
func (l *limitListener) idlest() *limitConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	var best *limitConn
	for c := range l.open {
		if c.evictable && (best == nil || c.since.Before(best.since)) {
			best = c
		}
	}
	return best
}

// track follows net/http's view of a connection (http.Server.ConnState):
// a connection is evictable while it is new (no request read yet) or idle
// between requests, and busy while a request is active or the connection
// was hijacked.
func (l *limitListener) track(c net.Conn, cs http.ConnState) {
	lc, ok := c.(*limitConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch cs {
	case http.StateNew, http.StateIdle:
		lc.evictable, lc.since = true, l.now()
	default:
		lc.evictable = false
	}
}

// idleSince returns when c last became evictable.
func (c *limitConn) idleSince() time.Time {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	return c.since
}

// Close closes the listener and ends a waiting Accept.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when closed (once, however often it is
// closed). evictable and since are guarded by the listener's mu.
type limitConn struct {
	net.Conn
	once      sync.Once
	release   func()
	l         *limitListener
	evictable bool
	since     time.Time
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite half-closes the connection when the underlying one can, so
// net/http keeps its graceful close of connections it gives up on.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// NetConn returns the underlying connection.
func (c *limitConn) NetConn() net.Conn { return c.Conn }

// tcpTuner is what the event stream tunes on a TCP connection.
type tcpTuner interface {
	SetWriteBuffer(bytes int) error
	SetLinger(sec int) error
}

// tunable returns the TCP connection under c (through limitConn), or nil.
func tunable(c net.Conn) tcpTuner {
	for c != nil {
		if t, ok := c.(tcpTuner); ok {
			return t
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return nil
		}
		c = u.NetConn()
	}
	return nil
}
