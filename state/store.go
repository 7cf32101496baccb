package state

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// ErrOwnerGone is wrapped by every error returned after the owner goroutine ended.
var ErrOwnerGone = errors.New("state: owner gone")

// PanicError is the reason of an owner that panicked; Stack is where.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("state owner panicked: %v", e.Value) }

// Fault is a deliberate failure of the owner, for demonstrating and testing
// the shutdown path (the --fault flag). With Panic set the owner panics;
// otherwise it returns Err.
type Fault struct {
	Panic bool
	Err   error
}

func (Fault) apply(*State, time.Time) error { return nil }

// Store is the handle on the state owner. Create it with New, run the owner
// with Run in its own goroutine, and use the other methods from anywhere.
type Store struct {
	init    State
	updates chan updateReq
	snaps   chan chan State
	subs    chan subReq
	done    chan struct{}
	cause   error // written once before done is closed
	final   State // written once before done is closed
}

type updateReq struct {
	u   Update
	ack chan error
}

type subReq struct {
	sub   *Subscription
	add   bool
	ready chan struct{} // closed once the current state is in the subscription
}

// New returns a store that will start from initial when Run is called.
func New(initial State) *Store {
	return &Store{
		init:    initial,
		updates: make(chan updateReq),
		snaps:   make(chan chan State),
		subs:    make(chan subReq),
		done:    make(chan struct{}),
	}
}

// Done is closed when the owner goroutine has ended.
func (s *Store) Done() <-chan struct{} { return s.done }

// Err returns the owner's end cause (wrapping ErrOwnerGone), or nil while it runs.
func (s *Store) Err() error {
	select {
	case <-s.done:
		return s.cause
	default:
		return nil
	}
}

// Final returns the state as the owner left it, once the owner has ended:
// everything acknowledged before the stop is in it. ok is false while the
// owner runs.
func (s *Store) Final() (st State, ok bool) {
	select {
	case <-s.done:
		return s.final, true
	default:
		return State{}, false
	}
}

// Run is the owner goroutine. It returns when ctx is cancelled, when a Fault
// update asks it to, or when applying an update panics; the returned error
// wraps ErrOwnerGone and the reason, and is the cause every later call gets.
// The caller is expected to cancel the pipeline's shared context with it.
// Run must be called once.
func (s *Store) Run(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
		if err == nil {
			err = errors.New("owner returned")
		}
		err = fmt.Errorf("%w: %w", ErrOwnerGone, err)
		s.cause = err
		close(s.done)
	}()
	st := s.init
	defer func() { s.final = st }()
	var subs []*Subscription
	publish := func() {
		for _, sub := range subs {
			sub.offer(st)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case r := <-s.updates:
			if f, ok := r.u.(Fault); ok {
				r.ack <- nil
				if f.Panic {
					panic(fmt.Sprintf("injected fault: %v", f.Err))
				}
				if f.Err == nil {
					f.Err = errors.New("injected fault")
				}
				return f.Err
			}
			err := r.u.apply(&st, time.Now())
			if err == nil {
				st.Version++
				publish()
			}
			r.ack <- err
		case reply := <-s.snaps:
			reply <- st
		case r := <-s.subs:
			if r.add {
				subs = append(subs, r.sub)
				r.sub.offer(st)
				close(r.ready)
				continue
			}
			for i, sub := range subs {
				if sub == r.sub {
					subs = append(subs[:i], subs[i+1:]...)
					break
				}
			}
		}
	}
}

// Update sends u to the owner and waits until it is applied. It returns the
// update's own error (ErrRejected...), the owner's end cause, or ctx's cause.
// An update whose Update call returned nil is in the state for good.
func (s *Store) Update(ctx context.Context, u Update) error {
	ack := make(chan error, 1)
	select {
	case s.updates <- updateReq{u: u, ack: ack}:
	case <-s.done:
		return s.cause
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	// Once the request is taken the ack comes, unless applying it killed the owner.
	select {
	case err := <-ack:
		return err
	case <-s.done:
		select {
		case err := <-ack:
			return err
		default:
			return s.cause
		}
	}
}

// Snapshot returns a copy of the current state.
func (s *Store) Snapshot(ctx context.Context) (State, error) {
	reply := make(chan State, 1)
	select {
	case s.snaps <- reply:
	case <-s.done:
		return State{}, s.cause
	case <-ctx.Done():
		return State{}, context.Cause(ctx)
	}
	return <-reply, nil
}

// Subscription delivers the latest state after every applied update. It
// holds one value: a reader that falls behind sees only the newest state.
type Subscription struct {
	c     chan State
	store *Store
}

// Subscribe registers a subscription; when it returns, the current state is
// already waiting on C.
func (s *Store) Subscribe(ctx context.Context) (*Subscription, error) {
	sub := &Subscription{c: make(chan State, 1), store: s}
	ready := make(chan struct{})
	select {
	case s.subs <- subReq{sub: sub, add: true, ready: ready}:
	case <-s.done:
		return nil, s.cause
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	select {
	case <-ready:
		return sub, nil
	case <-s.done:
		return nil, s.cause
	}
}

// C is the channel the latest state arrives on. It is never closed: select on
// it together with the pipeline's context (or the store's Done).
func (sub *Subscription) C() <-chan State { return sub.c }

// Close unregisters the subscription. It does not block on a dead owner.
func (sub *Subscription) Close() {
	select {
	case sub.store.subs <- subReq{sub: sub}:
	case <-sub.store.done:
	}
}

// offer replaces the buffered value with st. Only the owner calls it, so
// after the drain the buffer is empty and the send cannot block.
func (sub *Subscription) offer(st State) {
	select {
	case <-sub.c:
	default:
	}
	sub.c <- st
}
