package camera

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"
)

func TestHandoffLatestWins(t *testing.T) {
	pool := NewPool(8, 8)
	h := NewHandoff()
	a, b := pool.Get(), pool.Get()
	a.Meta.Seq, b.Meta.Seq = 1, 2
	h.Put(a)
	h.Put(b) // replaces a, which goes back to the pool
	if h.Dropped() != 1 || h.TakeDropped() != 1 || h.TakeDropped() != 0 {
		t.Fatalf("dropped %d", h.Dropped())
	}
	f, err := h.Next(context.Background())
	if err != nil || f.Meta.Seq != 2 {
		t.Fatalf("Next = %v %v, want seq 2", f, err)
	}
	f.Release()
	f.Release() // harmless
	if n := len(pool.free); n != 2 {
		t.Fatalf("pool holds %d frames, want 2", n)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("shutdown")
	cancel(cause)
	if _, err := h.Next(ctx); !errors.Is(err, cause) {
		t.Fatalf("Next on cancelled ctx: %v", err)
	}
}

func TestHandoffWakesWaiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := NewHandoff()
		pool := NewPool(4, 4)
		got := make(chan uint64)
		go func() {
			f, err := h.Next(context.Background())
			if err != nil {
				t.Error(err)
				close(got)
				return
			}
			got <- f.Meta.Seq
			f.Release()
		}()
		synctest.Wait()
		f := pool.Get()
		f.Meta.Seq = 7
		h.Put(f)
		if s := <-got; s != 7 {
			t.Fatalf("got seq %d", s)
		}
	})
}

// TestSlowConsumerBounded: a producer far faster than the consumer never
// grows the pool beyond the frames in circulation; drops count instead.
func TestSlowConsumerBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		pool := NewPool(64, 64)
		h := NewHandoff()
		done := make(chan struct{})
		taken := 0
		go func() {
			defer close(done)
			for {
				f, err := h.Next(ctx)
				if err != nil {
					return
				}
				taken++
				time.Sleep(100 * time.Millisecond) // slow solver
				f.Release()
			}
		}()
		const frames = 2000
		for i := 0; i < frames; i++ {
			f := pool.Get()
			f.Meta.Seq = uint64(i)
			h.Put(f)
			time.Sleep(time.Millisecond)
		}
		cancel()
		<-done
		h.Drain()
		if n := len(pool.free); n > 3 {
			t.Fatalf("pool grew to %d frames", n)
		}
		if d := h.Dropped(); d < frames-uint64(taken)-1 || taken == 0 {
			t.Fatalf("dropped %d, taken %d of %d", d, taken, frames)
		}
	})
}

func TestSlowConsumerMemory(t *testing.T) {
	pool := NewPool(512, 512)
	h := NewHandoff()
	for i := 0; i < 10; i++ { // warm-up
		h.Put(pool.Get())
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for i := 0; i < 5000; i++ {
		h.Put(pool.Get())
	}
	runtime.ReadMemStats(&m1)
	if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 64<<10 {
		t.Fatalf("5000 unconsumed frames allocated %d bytes", grew)
	}
	if h.Dropped() != 5009 {
		t.Fatalf("dropped %d, want 5009", h.Dropped())
	}
	h.Drain()
}

func BenchmarkHandoff(b *testing.B) {
	pool := NewPool(512, 512)
	h := NewHandoff()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h.Put(pool.Get())
		f, err := h.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}
