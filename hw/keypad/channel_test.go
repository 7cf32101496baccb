package keypad

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
)

func TestChannel(t *testing.T) {
	c := NewChannel(1)
	ctx := t.Context()
	if err := c.Send(ctx, Event{Key: Key5, Kind: Press}); err != nil {
		t.Fatal(err)
	}
	if e := <-c.Events(); e.Key != Key5 {
		t.Errorf("got %v", e)
	}
	if err := c.Send(ctx, Event{}); err == nil {
		t.Error("Send without a key: no error")
	}
	synctest.Test(t, func(t *testing.T) {
		c := NewChannel(0)
		errc := make(chan error)
		go func() { errc <- c.Send(context.Background(), Event{Key: Key1, Kind: Press}) }()
		synctest.Wait() // Send is blocked: nobody reads
		c.Close()
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Errorf("blocked Send after Close = %v, want ErrClosed", err)
		}
		if _, ok := <-c.Events(); ok {
			t.Error("Events open after Close")
		}
		if err := c.Send(context.Background(), Event{Key: Key1}); !errors.Is(err, ErrClosed) {
			t.Errorf("Send after Close = %v", err)
		}
		c2 := NewChannel(0)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := c2.Send(ctx, Event{Key: Key1}); !errors.Is(err, context.Canceled) {
			t.Errorf("Send with a done context = %v", err)
		}
		c2.Close()
	})
}
