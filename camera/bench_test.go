package camera

import (
	"context"
	"testing"

	"github.com/pifinder-go/pifinder/state/statetest"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// benchSource returns pool frames at once, so the benchmarks measure the
// camera path itself.
type benchSource struct{ pool *Pool }

func (b *benchSource) Capture(_ context.Context, s Settings) (*Frame, error) {
	f := b.pool.Get()
	f.Meta.ExposureUS, f.Meta.Gain = s.ExposureUS, s.Gain
	return f, nil
}
func (b *benchSource) Info() Info   { return Info{Type: "bench", Width: 512, Height: 512} }
func (b *benchSource) Close() error { return nil }

func benchWorker(b *testing.B) (*Worker, context.Context, func()) {
	st, stopSt := statetest.Run(b, state.Default())
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{Source: &benchSource{pool: NewPool(512, 512)}, Store: st, Handoff: NewHandoff(), Log: zerolog.Nop()}
	w.setup(w.Source.Info())
	sub, err := st.Subscribe(ctx)
	if err != nil {
		b.Fatal(err)
	}
	w.sub, w.last = sub, <-sub.C()
	w.g = newGuard(ctx, w.Source, 0)
	return w, ctx, func() {
		cancel()
		w.g.stop(DefaultCaptureTimeout)
		sub.Close()
		w.Handoff.Drain()
		stopSt()
	}
}

// BenchmarkCameraPath: capture through the guard's capture goroutine, stamp
// the metadata, keep the SaveFrame copy, hand off, and the solver's
// take-and-release. No state update.
func BenchmarkCameraPath(b *testing.B) {
	w, ctx, done := benchWorker(b)
	defer done()
	step := func() {
		if _, err := w.captureFrame(ctx); err != nil {
			b.Fatal(err)
		}
		w.Handoff.TryNext().Release()
	}
	step() // warm-up
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// BenchmarkCameraPathWithState adds the state.SetFrame update per frame.
func BenchmarkCameraPathWithState(b *testing.B) {
	w, ctx, done := benchWorker(b)
	defer done()
	step := func() {
		if _, err := w.captureAndPublish(ctx); err != nil {
			b.Fatal(err)
		}
		w.Handoff.TryNext().Release()
	}
	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
