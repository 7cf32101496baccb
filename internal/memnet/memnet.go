// Package memnet is an in-memory net.Listener whose connections are
// net.Pipe pairs. Servers under test accept on it as on a socket, and since
// it is built on channels, goroutines blocked on it are durably blocked in
// the sense of testing/synctest: a whole pipeline with its LX200 and HTTP
// servers can run in fake time.
package memnet

import (
	"context"
	"net"
	"sync"
)

// Listener is an in-memory listener; the zero value is not usable, use
// Listen.
type Listener struct {
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

// Listen returns a new listener.
func Listen() *Listener {
	return &Listener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

type addr struct{}

func (addr) Network() string { return "memnet" }
func (addr) String() string  { return "memnet" }

// Accept waits for the next Dial.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops the listener; blocked Accepts and Dials return net.ErrClosed.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

// Addr is a placeholder address.
func (l *Listener) Addr() net.Addr { return addr{} }

// Dial connects to the listener, waiting for an Accept unless ctx ends.
func (l *Listener) Dial(ctx context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
