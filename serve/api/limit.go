package api

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
)

// limitListener accepts at most cap(slots) connections at once. When all
// slots are taken, Accept waits (the client waits in the kernel's backlog)
// until a connection closes or the listener does, like
// golang.org/x/net/netutil's LimitListener.
type limitListener struct {
	net.Listener
	slots     chan struct{}
	conns     *atomic.Int64 // open connections, for Stats
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(ln net.Listener, slots chan struct{}, conns *atomic.Int64) *limitListener {
	return &limitListener{Listener: ln, slots: slots, conns: conns, done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	l.conns.Add(1)
	return &limitConn{Conn: c, release: func() { l.conns.Add(-1); <-l.slots }}, nil
}

// Close closes the listener and ends a waiting Accept.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when closed (once, however often it is
// closed).
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
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
