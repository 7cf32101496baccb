package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/internal/backoff"
	"github.com/pifinder-go/pifinder/internal/ratelog"

	"github.com/pifinder-go/pifinder/internal/sky/rot"
	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/rs/zerolog"
	"golang.org/x/image/tiff"

	"github.com/pifinder-go/pifinder/camera/ae"
	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/state"
)

// Pacer paces the capture loop by the power state; *power.Pacer is one.
type Pacer interface {
	Wait(ctx context.Context) (state.PowerState, error)
}

// Defaults of the worker.
const (
	DefaultExposureUS  = 400000 // PiFinder's start exposure with auto-exposure
	DefaultAsleepEvery = 60     // asleep: one capture per this many pacer ticks (≈30 s)
	backoffMin         = 100 * time.Millisecond
	backoffMax         = 5 * time.Second
	errLogEvery        = time.Minute
)

// Worker is the camera goroutine: it captures frames from Source at the
// pace of the power state, stamps them with the IMU samples at exposure
// start and end, hands them to the solver through Handoff, publishes
// state.SetFrame, runs auto-exposure on the solver's results and obeys
// Commands. Set the fields, then call Run once. The caller owns Source and
// closes it after Run returns.
type Worker struct {
	Source  Source
	Store   *state.Store
	Handoff *Handoff
	Log     zerolog.Logger
	// Pacer paces the loop; nil means power.NewPacer on Store.
	Pacer Pacer
	// Commands may be nil.
	Commands <-chan Command
	// ExposureUS and Gain are the starting settings; 0 means 400 000 µs
	// and the source's default gain.
	ExposureUS int64
	Gain       float64
	// AutoExposure starts with auto-exposure on, in AEMode.
	AutoExposure bool
	AEMode       AEMode
	// PID and SNR configure the controllers; zero values mean PiFinder's defaults.
	PID *ae.PIDConfig
	SNR *ae.SNRConfig
	// CaptureTimeout bounds one capture; 0 means 10 s.
	CaptureTimeout time.Duration
	// AsleepEvery: while asleep, capture on every AsleepEvery-th tick; 0 means 60.
	AsleepEvery int
	// Lens is published with the camera type (state.SetCamera).
	Lens string

	// Loop state, owned by Run.
	cmds     <-chan Command
	sub      *state.Subscription
	last     state.State
	g        *guard
	seq      uint64
	exp      int64
	gain     float64
	aeOn     bool
	aeMode   AEMode
	pid      *ae.PID
	snr      *ae.SNR
	aeSeen   time.Time
	p10      float64
	errs     *ratelog.Limiter
	lastGray *image.Gray
	lastRaw  *image.Gray16
	hasLast  bool
	lastMeta state.FrameMeta
	timer    *time.Timer
}

// Run captures until ctx ends, then returns context.Cause(ctx); it returns
// the owner's error when the state owner is gone, and ErrBadConfig for a
// worker missing its Source, Store or Handoff. It logs nothing about
// stopping: the pipeline's runner writes each worker's one stop line.
func (w *Worker) Run(ctx context.Context) error {
	if w.Source == nil || w.Store == nil || w.Handoff == nil {
		return fmt.Errorf("%w: worker needs Source, Store and Handoff", ErrBadConfig)
	}
	info := w.Source.Info()
	every := w.setup(info)

	sub, err := w.Store.Subscribe(ctx)
	if err != nil {
		return w.stopped(ctx, err)
	}
	defer sub.Close()
	w.sub = sub
	select { // the current state is delivered at once on Subscribe
	case w.last = <-sub.C():
	case <-w.Store.Done():
		return w.stopped(ctx, w.Store.Err())
	case <-ctx.Done():
		return w.stopped(ctx, context.Cause(ctx))
	}
	if err := w.Store.Update(ctx, state.SetCamera{Type: info.Type, Lens: w.Lens}); err != nil {
		return w.stopped(ctx, err)
	}
	if info.Type == "none" {
		w.Log.Info().Msg("camera: none; running without frames")
		<-ctx.Done()
		return w.stopped(ctx, context.Cause(ctx))
	}
	pacer := w.Pacer
	if pacer == nil {
		p, err := power.NewPacer(ctx, w.Store)
		if err != nil {
			return w.stopped(ctx, err)
		}
		defer p.Close()
		pacer = p
	}
	capCtx, cancelCap := context.WithCancel(ctx)
	w.g = newGuard(capCtx, w.Source, w.CaptureTimeout)
	defer func() {
		cancelCap()
		if !w.g.stop(w.g.timeout) {
			w.Log.Warn().Msg("camera: a capture is still stuck at shutdown")
		}
	}()

	w.Log.Info().Str("type", info.Type).Int64("exposure_us", w.exp).Float64("gain", w.gain).
		Bool("auto_exposure", w.aeOn).Msg("camera: started")
	asleep, ticks := false, 0
	retry := backoff.Backoff{Min: backoffMin, Max: backoffMax}
	for {
		ps, err := pacer.Wait(ctx)
		wait.Woke("camera")
		if err != nil {
			return w.stopped(ctx, err)
		}
		// The worker's own subscription backs up the pacer's view: a pacer
		// created just now may not have seen the initial power state yet.
		w.refresh()
		if ps == state.Asleep || w.last.Power == state.Asleep {
			if !asleep {
				asleep, ticks = true, 0
				w.Log.Info().Int("every_ticks", every).Msg("camera: asleep; capturing rarely")
			}
			ticks++
			if ticks%every != 0 {
				continue
			}
		} else if asleep {
			asleep = false
			w.Log.Info().Msg("camera: awake")
		}
		if err := w.commands(ctx); err != nil {
			return w.stopped(ctx, err)
		}
		if _, err := w.captureAndPublish(ctx); err != nil {
			if stop := stopCause(ctx, err); stop != nil {
				return w.stopped(ctx, stop)
			}
			w.noteError(err)
			if err := wait.Sleep(ctx, w.timer, retry.Next()); err != nil {
				return w.stopped(ctx, err)
			}
			continue
		}
		retry.Reset()
		w.autoExposure()
	}
}

// setup initialises the loop state from the fields; it returns the asleep cadence.
func (w *Worker) setup(info Info) int {
	w.exp = w.ExposureUS
	if w.exp <= 0 {
		w.exp = DefaultExposureUS
	}
	w.gain = w.Gain
	if w.gain <= 0 {
		w.gain = info.DefaultGain
		if w.gain <= 0 {
			w.gain = 1
		}
	}
	w.aeOn, w.aeMode = w.AutoExposure, w.AEMode
	pc, sc := ae.DefaultPIDConfig(), ae.DefaultSNRConfig()
	if w.PID != nil {
		pc = *w.PID
	}
	if w.SNR != nil {
		sc = *w.SNR
	}
	w.pid, w.snr = ae.NewPID(pc), ae.NewSNR(sc)
	w.errs = ratelog.New(errLogEvery)
	w.timer = wait.NewStoppedTimer()
	w.cmds = w.Commands
	if w.AsleepEvery <= 0 {
		return DefaultAsleepEvery
	}
	return w.AsleepEvery
}

// stopCause returns the reason to stop for a capture error: the context's
// cause once it is done, or the state owner's end; nil for errors to retry.
func stopCause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if errors.Is(err, state.ErrOwnerGone) {
		return err
	}
	return nil
}

// stopped logs the one stop line and returns nil.
func (w *Worker) stopped(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil {
		return c
	}
	return err
}

// refresh takes the newest state from the subscription, if one arrived.
func (w *Worker) refresh() {
	select {
	case s := <-w.sub.C():
		w.last = s
	default:
	}
}

// captureAndPublish captures one frame, completes its metadata, hands it
// to the solver and publishes SetFrame.
func (w *Worker) captureAndPublish(ctx context.Context) (state.FrameMeta, error) {
	meta, err := w.captureFrame(ctx)
	if err != nil {
		return meta, err
	}
	return meta, w.publish(ctx, meta)
}

// captureFrame captures one frame, completes its metadata, keeps a copy
// for SaveFrame and hands the frame to the solver.
func (w *Worker) captureFrame(ctx context.Context) (state.FrameMeta, error) {
	w.refresh()
	imu0, has0 := w.last.IMU, w.last.HasIMU && w.last.IMU.HasQuat()
	t0 := time.Now()
	// The source's own deadline comes a little before the guard's, so a
	// well-behaved source reports its own, more telling, error.
	set := Settings{ExposureUS: w.exp, Gain: w.gain}
	set.Deadline = t0.Add(w.g.limit(set) * 9 / 10)
	f, err := w.g.capture(ctx, set)
	if err != nil {
		return state.FrameMeta{}, err
	}
	if f == nil || f.Gray == nil {
		f.Release()
		return state.FrameMeta{}, errors.New("camera: source returned no frame")
	}
	t1 := time.Now()
	w.refresh()
	imu1, has1 := w.last.IMU, w.last.HasIMU && w.last.IMU.HasQuat()
	w.seq++
	m := &f.Meta
	m.Seq = w.seq
	if m.ExposureStart.IsZero() || m.ExposureEnd.IsZero() {
		m.ExposureStart, m.ExposureEnd = t0, t1
	}
	if m.Width == 0 {
		m.Width, m.Height = f.Gray.Rect.Dx(), f.Gray.Rect.Dy()
	}
	m.IMUStart, m.HasIMUStart = imu0, has0
	m.IMUEnd, m.HasIMUEnd = imu1, has1
	m.IMUDeltaDeg = 0
	if has0 && has1 {
		m.IMUDeltaDeg = rot.Angle(imu0.Quat, imu1.Quat) * 180 / math.Pi
	}
	if w.aeOn && w.aeMode == AESNR {
		w.p10 = ae.Percentile(f.Gray, 10)
	}
	w.keep(f)
	meta := f.Meta
	w.Handoff.Put(f) // f belongs to the solver from here on
	return meta, nil
}

// publish sends the frame's metadata and the hand-off's drops to the state.
func (w *Worker) publish(ctx context.Context, meta state.FrameMeta) error {
	return w.Store.Update(ctx, state.SetFrame{Meta: meta, Dropped: w.Handoff.TakeDropped()})
}

// keep copies the frame for SaveFrame and CaptureOne; the buffers are reused.
func (w *Worker) keep(f *Frame) {
	if w.lastGray == nil || w.lastGray.Rect != f.Gray.Rect {
		w.lastGray = image.NewGray(f.Gray.Rect)
	}
	copyGray(w.lastGray, f.Gray)
	if f.Raw != nil {
		if w.lastRaw == nil || w.lastRaw.Rect.Size() != f.Raw.Rect.Size() {
			w.lastRaw = image.NewGray16(image.Rect(0, 0, f.Raw.Rect.Dx(), f.Raw.Rect.Dy()))
		}
		for y := 0; y < f.Raw.Rect.Dy(); y++ {
			copy(w.lastRaw.Pix[y*w.lastRaw.Stride:(y+1)*w.lastRaw.Stride], f.Raw.Pix[y*f.Raw.Stride:])
		}
	} else {
		w.lastRaw = nil
	}
	w.lastMeta, w.hasLast = f.Meta, true
}

func copyGray(dst, src *image.Gray) {
	w := src.Rect.Dx()
	for y := 0; y < src.Rect.Dy(); y++ {
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+w], src.Pix[y*src.Stride:y*src.Stride+w])
	}
}

// autoExposure runs one AE step when the solver has published a new attempt.
func (w *Worker) autoExposure() {
	if !w.aeOn {
		return
	}
	w.refresh()
	e := w.last.Estimate
	if e.Source != state.SourceCamera && e.Source != state.SourceCamFailed {
		return
	}
	if e.LastSolveAttempt.IsZero() || e.LastSolveAttempt.Equal(w.aeSeen) {
		return
	}
	w.aeSeen = e.LastSolveAttempt
	var v int64
	var ok bool
	if w.aeMode == AESNR {
		v, ok = w.snr.Update(w.p10, w.exp)
	} else {
		v, ok = w.pid.Update(e.Diag.Matches, w.exp, time.Now())
	}
	if ok && v != w.exp {
		w.Log.Debug().Int64("from_us", w.exp).Int64("to_us", v).Int("matches", e.Diag.Matches).
			Str("mode", w.aeMode.String()).Msg("camera: auto-exposure")
		w.exp = v
	}
}

// noteError logs a capture error: the first of its kind, then at most one
// summary per minute per kind.
func (w *Worker) noteError(err error) {
	k := errKind(err)
	if ok, n := w.errs.Note(k, time.Now()); ok {
		ev := w.Log.Warn().Err(err).Str("kind", k)
		if n > 0 {
			ev = ev.Int("suppressed", n)
		}
		ev.Msg("camera: capture failed; retrying with backoff")
	}
}

func errKind(err error) string {
	for _, k := range []struct {
		e    error
		name string
	}{
		{ErrCaptureTimeout, "timeout"}, {ErrCaptureBusy, "busy"}, {ErrStalled, "stalled"},
		{ErrShortFrame, "short_frame"}, {ErrChildExit, "child_exit"}, {ErrNoFrames, "no_frames"},
		{ErrBadConfig, "config"}, {rawconv.ErrFrame, "bad_frame"},
	} {
		if errors.Is(err, k.e) {
			return k.name
		}
	}
	return "other"
}

// commands handles every command already waiting.
func (w *Worker) commands(ctx context.Context) error {
	for {
		select {
		case c, ok := <-w.cmds:
			if !ok {
				w.cmds = nil // closed: no more commands
				return nil
			}
			if err := w.command(ctx, c); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (w *Worker) command(ctx context.Context, c Command) error {
	switch c := c.(type) {
	case SetExposure:
		if c.US <= 0 || c.US > MaxExposureUS {
			w.Log.Warn().Int64("us", c.US).Msg("camera: invalid exposure ignored")
			return nil
		}
		w.aeOn, w.exp = false, c.US
		w.Log.Info().Int64("exposure_us", c.US).Msg("camera: exposure set")
	case SetGain:
		if !(c.Gain > 0 && c.Gain <= MaxGain) {
			w.Log.Warn().Float64("gain", c.Gain).Msg("camera: invalid gain ignored")
			return nil
		}
		w.gain = c.Gain
		w.Log.Info().Float64("gain", c.Gain).Msg("camera: gain set")
	case SetAutoExposure:
		if c.Mode != AEPID && c.Mode != AESNR {
			w.Log.Warn().Str("mode", c.Mode.String()).Msg("camera: unknown auto-exposure mode ignored")
			return nil
		}
		w.aeOn, w.aeMode = c.On, c.Mode
		if c.On {
			w.pid.Reset()
			w.aeSeen = time.Time{}
		}
		w.Log.Info().Bool("on", c.On).Str("mode", c.Mode.String()).Msg("camera: auto-exposure")
	case CaptureOne:
		meta, err := w.captureAndPublish(ctx)
		if stop := stopCause(ctx, err); stop != nil {
			return stop
		}
		r := CaptureResult{Meta: meta, Err: err}
		if err == nil {
			r.Image = image.NewGray(w.lastGray.Rect)
			copyGray(r.Image, w.lastGray)
			if w.lastRaw != nil {
				r.Raw = image.NewGray16(w.lastRaw.Rect)
				copy(r.Raw.Pix, w.lastRaw.Pix)
			}
		}
		return reply(ctx, c.Reply, r)
	case SaveFrame:
		return reply(ctx, c.Reply, w.save(c.Path))
	case nil:
	default:
		w.Log.Warn().Str("command", fmt.Sprintf("%T", c)).Msg("camera: unknown command ignored")
	}
	return nil
}

func reply[T any](ctx context.Context, ch chan<- T, v T) error {
	if ch == nil {
		return nil
	}
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// save writes the latest frame (PNG, and the raw as 16-bit TIFF).
func (w *Worker) save(path string) error {
	if !w.hasLast {
		return errors.New("camera: save: no frame captured yet")
	}
	if path == "" {
		return errors.New("camera: save: empty path")
	}
	if err := writeFile(path, func(f *os.File) error { return png.Encode(f, w.lastGray) }); err != nil {
		return err
	}
	if w.lastRaw != nil {
		rp := strings.TrimSuffix(path, filepath.Ext(path)) + ".tiff"
		if err := writeFile(rp, func(f *os.File) error { return tiff.Encode(f, w.lastRaw, nil) }); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, enc func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("camera: save: %w", err)
	}
	if err := enc(f); err != nil {
		f.Close()
		return fmt.Errorf("camera: save %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("camera: save %s: %w", path, err)
	}
	return nil
}
