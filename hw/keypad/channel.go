package keypad

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned by Channel.Send after Close.
var ErrClosed = errors.New("keypad: input closed")

// Channel is an Input fed by the program: the simulated keypad, the web
// page's virtual keypad and tests send events into it. Send and Close are
// safe to call from any goroutine.
type Channel struct {
	events chan Event
	done   chan struct{}
	once   sync.Once
	mu     sync.RWMutex // held shared by Send, exclusive by Close
	closed bool
}

// NewChannel returns a Channel buffering up to buf events.
func NewChannel(buf int) *Channel {
	return &Channel{events: make(chan Event, max(buf, 0)), done: make(chan struct{})}
}

// Send delivers e, waiting while the buffer is full, until ctx ends or the
// Channel is closed.
func (c *Channel) Send(ctx context.Context, e Event) error {
	if e.Key == KeyNone || e.Key >= numKeys {
		return errors.New("keypad: send: no key")
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return ErrClosed
	}
	select {
	case c.events <- e:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return ErrClosed
	}
}

// Events implements Input.
func (c *Channel) Events() <-chan Event { return c.events }

// Close implements Input: blocked Sends return ErrClosed, then Events is
// closed (after the events already buffered).
func (c *Channel) Close() error {
	c.once.Do(func() {
		close(c.done)
		c.mu.Lock()
		c.closed = true
		close(c.events)
		c.mu.Unlock()
	})
	return nil
}
