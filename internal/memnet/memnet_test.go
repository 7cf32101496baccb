package memnet

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"testing/synctest"
)

func TestDialAcceptClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := Listen()
		go func() {
			c, err := l.Accept()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = c.Write([]byte("hi"))
			c.Close()
		}()
		c, err := l.Dial(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(c); string(b) != "hi" {
			t.Fatalf("read %q, want hi", b)
		}
		l.Close()
		if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close = %v", err)
		}
		if _, err := l.Dial(context.Background()); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Dial after Close = %v", err)
		}
	})
}
