package camera

import (
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/image/tiff"
	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/camera/ae"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

type syncBuf = statetest.LogBuffer

type rig struct {
	st       *state.Store
	stopSt   func()
	w        *Worker
	h        *Handoff
	log      *syncBuf
	cancel   context.CancelCauseFunc
	done     chan error
	solverWG sync.WaitGroup
	stopped  bool
}

// startRig runs a worker on src with a state owner; solve, when not nil,
// plays the solver: it is called for every frame taken from the hand-off.
func startRig(t *testing.T, init state.State, src Source, cfg func(*Worker), solve func(context.Context, *state.Store, *Frame)) *rig {
	t.Helper()
	st, stopSt := statetest.Run(t, init)
	r := &rig{st: st, stopSt: stopSt, h: NewHandoff(), log: &syncBuf{}, done: make(chan error, 1)}
	r.w = &Worker{Source: src, Store: st, Handoff: r.h, Log: zerolog.New(r.log).Level(zerolog.DebugLevel)}
	if cfg != nil {
		cfg(r.w)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.w.Run(ctx) }()
	t.Cleanup(func() { // after a failed check: stop everything so the bubble can end
		if !r.stopped {
			cancel(errors.New("test failed"))
			<-r.done
			r.solverWG.Wait()
			r.h.Drain()
			stopSt()
		}
	})
	if solve != nil {
		r.solverWG.Add(1)
		go func() {
			defer r.solverWG.Done()
			for {
				f, err := r.h.Next(ctx)
				if err != nil {
					return
				}
				solve(ctx, st, f)
				f.Release()
			}
		}()
	}
	return r
}

func (r *rig) stop(t *testing.T, cause error) {
	t.Helper()
	r.stopped = true
	r.cancel(cause)
	if err := <-r.done; !errors.Is(err, cause) {
		t.Fatalf("Run returned %v, want the cause %v", err, cause)
	}
	r.solverWG.Wait()
	r.h.Drain()
	r.stopSt()
}

// TestWorkerStopReturnsCause: stopping returns the context's cause and logs
// nothing (the pipeline's runner writes the one stop line).
func TestWorkerStopReturnsCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		r := startRig(t, state.Default(), src, nil, func(context.Context, *state.Store, *Frame) {})
		time.Sleep(3 * time.Second)
		before := r.log.Count("")
		r.stop(t, errors.New("test shutdown requested"))
		if after := r.log.Count(""); after != before {
			t.Fatalf("%d lines logged at stop, want none:\n%s", after-before, r.log)
		}
		if src.count() < 5 {
			t.Fatalf("only %d captures in 3 s", src.count())
		}
	})
}

func TestWorkerPublishesFrames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		init := state.Default()
		init.IMU = state.ImuSample{Time: time.Now(), Quat: quat.Number{Real: 1}, Status: 3}
		init.HasIMU = true
		src := newFakeSource()
		var metas []state.FrameMeta
		r := startRig(t, init, src, func(w *Worker) { w.ExposureUS = 100000; w.Lens = "16mm" },
			func(_ context.Context, _ *state.Store, f *Frame) { metas = append(metas, f.Meta) })
		time.Sleep(2 * time.Second)
		snap, err := r.st.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r.stop(t, errors.New("done"))
		if snap.CameraType != "fake" || snap.Lens != "16mm" {
			t.Fatalf("camera type %q lens %q", snap.CameraType, snap.Lens)
		}
		if snap.Stats.Frames < 10 || snap.Frame.Seq != snap.Stats.Frames {
			t.Fatalf("frames %d, last seq %d", snap.Stats.Frames, snap.Frame.Seq)
		}
		for i, m := range metas {
			if m.Seq != uint64(i+1) {
				t.Fatalf("frame %d has seq %d", i, m.Seq)
			}
			if !m.HasIMUStart || !m.HasIMUEnd || m.IMUDeltaDeg != 0 {
				t.Fatalf("frame %d IMU stamps %+v", i, m)
			}
			if m.ExposureUS != 100000 || m.ExposureEnd.Sub(m.ExposureStart) != 100*time.Millisecond {
				t.Fatalf("frame %d exposure %d, %v", i, m.ExposureUS, m.ExposureEnd.Sub(m.ExposureStart))
			}
		}
	})
}

// TestWorkerAsleepCadence: asleep, one capture per 60 half-second ticks (T20).
func TestWorkerAsleepCadence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		init := state.Default()
		init.Power = state.Asleep
		src := newFakeSource()
		r := startRig(t, init, src, func(w *Worker) { w.ExposureUS = 1000 }, func(context.Context, *state.Store, *Frame) {})
		time.Sleep(29 * time.Second)
		if n := src.count(); n != 0 {
			t.Fatalf("%d captures in the first 29 s asleep", n)
		}
		time.Sleep(62 * time.Second) // 91 s: captures near 30 s, 60 s and 90 s
		if n := src.count(); n != 3 {
			t.Fatalf("%d captures in 91 s asleep, want 3", n)
		}
		// Waking resumes the awake pace.
		if err := r.st.Update(context.Background(), state.SetPower{Power: state.Awake}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if n := src.count(); n < 10 {
			t.Fatalf("%d captures after waking", n)
		}
		r.stop(t, errors.New("done"))
		if r.log.Count("asleep") != 1 || r.log.Count("camera: awake") != 1 {
			t.Fatalf("transitions not logged once:\n%s", r.log)
		}
	})
}

// solveByExposure plays a solver whose matched-star count grows with exposure.
func solveByExposure(matches func(int64) int) func(context.Context, *state.Store, *Frame) {
	return func(ctx context.Context, st *state.Store, f *Frame) {
		m := matches(f.Meta.ExposureUS)
		src := state.SourceCamera
		if m == 0 {
			src = state.SourceCamFailed
		}
		_ = st.Update(ctx, state.SetEstimate{Estimate: state.Estimate{
			Source: src, LastSolveAttempt: f.Meta.ExposureEnd, Diag: state.SolveDiag{Matches: m},
		}})
	}
}

func TestWorkerAutoExposurePID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		r := startRig(t, state.Default(), src, func(w *Worker) { w.AutoExposure = true; w.ExposureUS = 100000 },
			solveByExposure(func(us int64) int { return int(us / 25000) })) // 17 stars at 425 ms
		time.Sleep(60 * time.Second)
		r.stop(t, errors.New("done"))
		last := src.lastSettings().ExposureUS
		if m := int(last / 25000); m < 12 || m > 22 {
			t.Fatalf("AE settled at %d µs (%d stars), outside 17±5", last, m)
		}
	})
}

func TestWorkerAutoExposureZeroMatchLadder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		r := startRig(t, state.Default(), src, func(w *Worker) { w.AutoExposure = true; w.ExposureUS = 100000 },
			solveByExposure(func(int64) int { return 0 }))
		time.Sleep(40 * time.Second)
		r.stop(t, errors.New("done"))
		seen := map[int64]bool{}
		for _, s := range src.all() {
			seen[s.ExposureUS] = true
		}
		for _, v := range ae.DefaultLadder {
			if !seen[v] {
				t.Fatalf("ladder rung %d never used; exposures %v", v, seen)
			}
		}
	})
}

func TestWorkerAutoExposureSNR(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		src.value = 150 // bright background: exposure must go down
		r := startRig(t, state.Default(), src, func(w *Worker) {
			w.AutoExposure, w.AEMode, w.ExposureUS = true, AESNR, 100000
		}, solveByExposure(func(int64) int { return 20 }))
		time.Sleep(5 * time.Second)
		r.stop(t, errors.New("done"))
		last := src.lastSettings().ExposureUS
		if last != 10000 {
			t.Fatalf("SNR AE at %d µs, want the 10000 µs floor", last)
		}
	})
}

func TestWorkerCommands(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		src.value = 42
		cmds := make(chan Command, 4)
		r := startRig(t, state.Default(), src, func(w *Worker) {
			w.Commands, w.AutoExposure, w.ExposureUS = cmds, true, 100000
		}, func(context.Context, *state.Store, *Frame) {})
		cmds <- SetExposure{US: 250000}
		cmds <- SetGain{Gain: 8}
		cmds <- SetExposure{US: -5} // ignored with a warning
		time.Sleep(time.Second)
		got := src.lastSettings()
		if got.ExposureUS != 250000 || got.Gain != 8 {
			t.Fatalf("settings %+v after commands", got)
		}
		reply := make(chan CaptureResult, 1)
		cmds <- CaptureOne{Reply: reply}
		res := <-reply
		if res.Err != nil || res.Image == nil || res.Image.Pix[0] != 42 || res.Meta.ExposureUS != 250000 {
			t.Fatalf("capture one: %+v", res)
		}
		path := filepath.Join(t.TempDir(), "frame.png")
		errc := make(chan error, 1)
		cmds <- SaveFrame{Path: path, Reply: errc}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		cmds <- SetAutoExposure{On: true, Mode: AEPID}
		close(cmds) // a closed command channel is not a busy loop
		time.Sleep(time.Second)
		r.stop(t, errors.New("done"))
		if !r.w.aeOn {
			t.Fatal("auto-exposure not re-enabled")
		}
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		img, err := png.Decode(fh)
		if err != nil || img.Bounds().Dx() != 64 {
			t.Fatalf("saved PNG: %v %v", img, err)
		}
		if r.log.Count("invalid exposure") != 1 {
			t.Fatalf("bad exposure not warned once:\n%s", r.log)
		}
	})
}

// TestWorkerErrorsRateLimited: a source failing forever is retried with
// capped backoff and logged once plus at most once a minute.
func TestWorkerErrorsRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		src.mu.Lock()
		for i := 0; i < 10000; i++ {
			src.errs = append(src.errs, errBoom)
		}
		src.mu.Unlock()
		r := startRig(t, state.Default(), src, nil, nil)
		time.Sleep(3*time.Minute + time.Second)
		r.stop(t, errors.New("done"))
		n := src.count()
		if n < 30 || n > 60 {
			t.Fatalf("%d attempts in 3 min; want capped backoff (≈5 s apart)", n)
		}
		if l := r.log.Count("boom"); l < 2 || l > 4 {
			t.Fatalf("%d log lines about the error in 3 min:\n%s", l, r.log)
		}
	})
}

func TestWorkerNone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := startRig(t, state.Default(), None{}, nil, nil)
		time.Sleep(time.Minute)
		snap, err := r.st.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r.stop(t, errors.New("bye"))
		if snap.CameraType != "none" || snap.Stats.Frames != 0 {
			t.Fatalf("none camera: type %q frames %d", snap.CameraType, snap.Stats.Frames)
		}
		if n := r.log.Count(""); n != 1 {
			t.Fatalf("none camera logged %d lines, want only its start line:\n%s", n, r.log)
		}
	})
}

func TestWorkerOwnerGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		r := startRig(t, state.Default(), src, nil, func(context.Context, *state.Store, *Frame) {})
		time.Sleep(time.Second)
		_ = r.st.Update(context.Background(), state.Fault{Err: errors.New("owner crashed")})
		select {
		case err := <-r.done:
			if !errors.Is(err, state.ErrOwnerGone) {
				t.Fatalf("Run = %v, want the owner's end (ErrOwnerGone)", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("worker still running after the owner died")
		}
		cause := errors.New("done")
		r.done <- cause
		r.stop(t, cause)
	})
}

func TestWorkerBadConfig(t *testing.T) {
	if err := (&Worker{}).Run(context.Background()); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("Run without source: %v", err)
	}
}

func TestSaveFrameWithRaw(t *testing.T) {
	w := &Worker{}
	if err := w.save(filepath.Join(t.TempDir(), "x.png")); err == nil {
		t.Fatal("save before any frame succeeded")
	}
	f := NewPool(32, 32).Get()
	raw := f.EnsureRaw(40, 30)
	raw.Pix[0], raw.Pix[1] = 0x03, 0xFF // 1023
	w.keep(f)
	path := filepath.Join(t.TempDir(), "frame.png")
	if err := w.save(path); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(strings.TrimSuffix(path, ".png") + ".tiff")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := tiff.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	g16, ok := img.(*image.Gray16)
	if !ok || g16.Rect.Dx() != 40 || g16.Gray16At(0, 0).Y != 1023 {
		t.Fatalf("raw TIFF %T %v", img, img.Bounds())
	}
}

// TestWorkerSlowSolver: a solver slower than the camera sees the newest
// frames; the drops are counted in the state and memory stays bounded.
func TestWorkerSlowSolver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := newFakeSource()
		taken := 0
		r := startRig(t, state.Default(), src, func(w *Worker) { w.ExposureUS = 50000 },
			func(context.Context, *state.Store, *Frame) { taken++; time.Sleep(time.Second) })
		time.Sleep(20 * time.Second)
		snap, err := r.st.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r.stop(t, errors.New("done"))
		if snap.Stats.DroppedFrames < snap.Stats.Frames/2 || taken > 21 {
			t.Fatalf("frames %d, dropped %d, solved %d", snap.Stats.Frames, snap.Stats.DroppedFrames, taken)
		}
		if n := len(src.pool.free); n > 4 {
			t.Fatalf("frame pool grew to %d", n)
		}
	})
}
