package solver

import (
	"context"
	"image"
	"sync/atomic"
	"time"

	"github.com/pifinder-go/pifinder/internal/ratelog"

	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/solver/detect"
	"github.com/pifinder-go/pifinder/state"
)

// FrameView is the latest solved frame as consumers (the HTTP API) see it:
// a private copy of the pixels with what the solver found in them.
type FrameView struct {
	Gray        *image.Gray
	Meta        state.FrameMeta
	Stars       [][2]float64 // detections (x, y), brightest first
	Matched     []state.MatchedStar
	TargetPixel state.Pixel
	Result      Result
}

// Worker is the solve goroutine: it takes the newest frame from the camera's
// hand-off, detects stars, solves (tracking around the current estimate when
// there is one, lost-in-space otherwise) and emits one state.SolveEvent per
// attempted frame to the integrator.
type Worker struct {
	Solver *Solver
	Store  *state.Store
	Frames *camera.Handoff
	Out    chan<- state.SolveEvent
	Log    zerolog.Logger
	Detect detect.Options
	// FOVEstimate is the lens's horizontal field in degrees (0: solve blind);
	// FOVMaxError bounds the search (0: 15% of the estimate).
	FOVEstimate, FOVMaxError float64
	// MaxMotionDeg skips frames during which the IMU turned by more than
	// this (or reported motion): their stars are trails whose centroids
	// belong to mid-exposure, not to the exposure end the solve is anchored
	// to, and the IMU carries the pointing meanwhile. 0 means 0.02°; a
	// negative value solves every frame (PiFinder's behaviour since its
	// motion gate was removed).
	MaxMotionDeg float64
	// FrameViewEvery is how often the latest frame is copied for consumers
	// (default one second); copying every frame would cost 256 KiB a frame.
	FrameViewEvery time.Duration

	fovHint     atomic.Pointer[[2]float64] // SetFOVHint's, when called
	latest      atomic.Pointer[FrameView]
	lastView    time.Time
	lastAttempt time.Time
	lastSuccess time.Time
	lastFOV     float64
	failStreak  int
	logLimit    *ratelog.Limiter
	centroids   []Centroid
}

// SetFOVHint changes the field hint of a running worker (a lens changed in
// the settings): fov degrees (0: blind) within maxErr (0: 15 %). The next
// frame uses it. Safe for concurrent use.
func (w *Worker) SetFOVHint(fov, maxErr float64) {
	w.fovHint.Store(&[2]float64{fov, maxErr})
	w.Log.Info().Float64("fov_estimate", fov).Msg("solver: field hint changed")
}

// FOVHint is the field hint in force: SetFOVHint's, else FOVEstimate's.
func (w *Worker) FOVHint() (fov, maxErr float64) {
	if h := w.fovHint.Load(); h != nil {
		return h[0], h[1]
	}
	return w.FOVEstimate, w.FOVMaxError
}

// LatestFrame returns the most recent frame copy, if any.
func (w *Worker) LatestFrame() (FrameView, bool) {
	v := w.latest.Load()
	if v == nil {
		return FrameView{}, false
	}
	return *v, true
}

// priorMaxAge is how old the last pointing may be and still seed a tracking
// solve: at PiFinder's slew rates (a few degrees a second) and a 10° field,
// a pointing older than 10 s says little about where the next frame is,
// and the lost-in-space solve is only a fraction of a millisecond anyway.
const priorMaxAge = 10 * time.Second

// logEvery is how often a transient kind of line may repeat (the rule of
// every worker: the first, then one a minute with the count left out).
const logEvery = time.Minute

// Run solves frames until ctx ends, then returns context.Cause(ctx) (or the
// owner's error when the state owner is gone). It logs nothing about
// stopping: the pipeline's runner writes each worker's one stop line.
func (w *Worker) Run(ctx context.Context) error {
	w.logLimit = ratelog.New(logEvery)
	log := w.Log
	det := detect.New(w.Detect)
	log.Info().Float64("fov_estimate", w.FOVEstimate).Msg("solver: started")
	for {
		f, err := w.Frames.Next(ctx)
		wait.Woke("solver")
		if err != nil {
			return err
		}
		ev, stop := w.solveFrame(ctx, det, f, log)
		f.Release()
		if stop != nil {
			return stop
		}
		if ev == nil {
			continue
		}
		if err := w.Store.Update(ctx, state.CountSolve{Success: ev.Success}); err != nil {
			return err
		}
		select {
		case w.Out <- *ev:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// solveFrame returns the event for f, nil for a frame that is not new, and a
// non-nil error only when the pipeline is stopping.
func (w *Worker) solveFrame(ctx context.Context, det *detect.Detector, f *camera.Frame, log zerolog.Logger) (*state.SolveEvent, error) {
	snap, err := w.Store.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	// A frame is new only if it ended after the last attempt.
	if !f.Meta.ExposureEnd.After(w.lastAttempt) && !w.lastAttempt.IsZero() {
		return nil, nil
	}
	w.lastAttempt = f.Meta.ExposureEnd
	if w.moving(f.Meta) {
		return nil, nil
	}
	ev := &state.SolveEvent{
		Attempt:     f.Meta.ExposureEnd,
		LastSuccess: w.lastSuccess,
		FrameSeq:    f.Meta.Seq,
		Truth:       f.Meta.Truth,
	}
	if f.Meta.HasIMUEnd && f.Meta.IMUEnd.HasQuat() {
		ev.Anchor = f.Meta.IMUEnd.Quat
	}
	t0 := time.Now()
	found, err := det.Detect(f.Gray)
	tDetect := time.Since(t0)
	ev.Diag.TExtract = tDetect
	if err != nil {
		w.noteFailure(log, "detect failed", err)
		ev.Diag.Status = "detect error"
		return ev, nil
	}
	ev.Diag.StarsDetected = len(found.Stars)
	w.centroids = w.centroids[:0]
	for _, s := range found.Stars {
		w.centroids = append(w.centroids, Centroid{X: s.X, Y: s.Y, Brightness: s.Brightness})
	}
	b := f.Gray.Bounds()
	tp := snap.TargetPixel
	fov, fovErr := w.FOVHint()
	req := Request{
		Centroids:   w.centroids,
		Width:       b.Dx(),
		Height:      b.Dy(),
		FOVEstimate: fov,
		FOVMaxError: fovErr,
		TargetPixel: &[2]float64{tp.Y, tp.X},
	}
	if est := snap.Estimate.Camera.Estimate; est.Valid && w.lastFOV > 0 && f.Meta.ExposureEnd.Sub(snap.Estimate.EstimateTime) < priorMaxAge {
		req.Prior = &Prior{Attitude: geom.Attitude{RA: est.RA, Dec: est.Dec, Roll: est.Roll}, FOV: w.lastFOV}
	}
	res := w.Solver.Solve(ctx, req)
	if res.Status == StatusCancelled {
		return nil, context.Cause(ctx)
	}
	ev.Diag.TSolve = res.TSolve
	ev.Diag.Status = res.Status.String()
	ev.Diag.Mode = res.Mode
	if res.Status != StatusMatch {
		w.noteFailure(log, "no solve", nil)
		w.publishView(f, found, nil, tp, res)
		return ev, nil
	}
	if w.failStreak > 0 {
		if ok, n := w.logLimit.Note("solving again", time.Now()); ok {
			ev := log.Info().Int("failed_frames", w.failStreak).Int("matches", res.Matches)
			if n > 0 {
				ev = ev.Int("suppressed", n)
			}
			ev.Msg("solving again")
		}
	}
	w.failStreak = 0
	w.lastSuccess, w.lastFOV = f.Meta.ExposureEnd, res.FOV
	ev.Success = true
	ev.LastSuccess = w.lastSuccess
	ev.Camera = state.PointingOf(res.RA, res.Dec, res.Roll)
	ev.Aligned = ev.Camera
	if res.HasTarget {
		ev.Aligned = state.PointingOf(res.RATarget, res.DecTarget, res.Roll)
	}
	ev.Diag.Matches = res.Matches
	ev.Diag.RMSEArcsec, ev.Diag.P90Arcsec, ev.Diag.MaxErrArcsec = res.RMSE, res.P90, res.MaxErr
	ev.Diag.Prob, ev.Diag.FOV, ev.Diag.Distortion = res.Prob, res.FOV, res.Distortion
	// The event's slice is handed to the state for good: a fresh one each solve.
	ev.Matched = make([]state.MatchedStar, len(res.Matched))
	for i, m := range res.Matched {
		ev.Matched[i] = state.MatchedStar{X: m.X, Y: m.Y, HIP: m.HIP, RA: m.RA, Dec: m.Dec, Vmag: m.Vmag}
	}
	w.publishView(f, found, ev.Matched, tp, res)
	return ev, nil
}

// moving reports whether the telescope moved during the frame's exposure.
func (w *Worker) moving(m state.FrameMeta) bool {
	limit := w.MaxMotionDeg
	if limit < 0 {
		return false
	}
	if limit == 0 {
		limit = 0.02
	}
	// The IMU's own motion flag counts even when one end has no orientation
	// yet (the first movement of the night).
	if (m.HasIMUStart && m.IMUStart.Moving) || (m.HasIMUEnd && m.IMUEnd.Moving) {
		return true
	}
	return m.HasIMUStart && m.HasIMUEnd && m.IMUDeltaDeg > limit
}

// noteFailure logs the first failure of a streak only, and at most one such
// line a minute per kind: when solvable and unsolvable frames alternate,
// every frame starts a streak.
func (w *Worker) noteFailure(log zerolog.Logger, what string, err error) {
	if w.failStreak == 0 {
		if ok, n := w.logLimit.Note(what, time.Now()); ok {
			ev := log.Info().AnErr("error", err)
			if n > 0 {
				ev = ev.Int("suppressed", n)
			}
			ev.Msg(what + "; logging again when solving resumes")
		}
	}
	w.failStreak++
}

func (w *Worker) publishView(f *camera.Frame, found detect.Result, matched []state.MatchedStar, tp state.Pixel, res Result) {
	every := w.FrameViewEvery
	if every == 0 {
		every = time.Second
	}
	now := time.Now()
	if !w.lastView.IsZero() && now.Sub(w.lastView) < every {
		return
	}
	w.lastView = now
	b := f.Gray.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		copy(g.Pix[y*g.Stride:(y+1)*g.Stride], f.Gray.Pix[f.Gray.PixOffset(b.Min.X, b.Min.Y+y):])
	}
	stars := make([][2]float64, len(found.Stars))
	for i, s := range found.Stars {
		stars[i] = [2]float64{s.X, s.Y}
	}
	res.Matched = append([]Match(nil), res.Matched...)
	w.latest.Store(&FrameView{Gray: g, Meta: f.Meta, Stars: stars, Matched: matched, TargetPixel: tp, Result: res})
}
