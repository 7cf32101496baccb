package imu

import (
	"context"
	"errors"
	"time"

	"github.com/pifinder-go/pifinder/internal/ratelog"

	"github.com/pifinder-go/pifinder/internal/backoff"

	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// Options configure Run. Zero values take the defaults.
type Options struct {
	// Period between reads; default 1/30 s.
	Period time.Duration
	// ThresholdScale scales the moving thresholds (config imu_threshold_scale); default 1.
	ThresholdScale float64
	// MaxBackoff caps the retry delay after read errors; default 5 s.
	MaxBackoff time.Duration
	// LogEvery is the minimum interval between repeated lines of one kind
	// (read errors, "NOIMU CAL"); default 1 min.
	LogEvery time.Duration
}

func (o Options) withDefaults() Options {
	if o.Period <= 0 {
		o.Period = time.Second / 30
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.MaxBackoff < o.Period {
		o.MaxBackoff = o.Period
	}
	if o.LogEvery <= 0 {
		o.LogEvery = time.Minute
	}
	return o
}

// Run is the IMU worker: it reads dev every Period, runs the readings
// through a Filter and publishes state.SetIMU once the gyro is calibrated.
//
// A sample the device rejects as implausible (an error wrapping
// ErrBadData) is dropped: the state keeps the last good sample, the
// rejection is counted and logged rate-limited like the read errors, and
// the next read comes one Period later.
//
// Other read errors are retried with exponential backoff (Period·2ⁿ, capped at
// MaxBackoff) and logged rate-limited: the first error of a kind, then at
// most one summary line per LogEvery per kind, and one line when reads
// recover. The gyro-uncalibrated warning ("NOIMU CAL") is rate-limited the
// same way.
//
// A nil dev is "--imu none": Run logs "DEGRADED_OPS IMU" once and idles
// until ctx ends. Run does not close dev; its caller does.
//
// Run returns context.Cause(ctx) when ctx ends, or the owner's end (wrapping
// state.ErrOwnerGone); it logs nothing about stopping: the pipeline's runner
// writes each worker's one stop line.
func Run(ctx context.Context, dev Device, st *state.Store, log zerolog.Logger, opts Options) error {
	if dev == nil {
		log.Warn().Str("event", "DEGRADED_OPS IMU").Msg("imu: no IMU; running camera-only, no dead reckoning")
		<-ctx.Done()
		return context.Cause(ctx)
	}
	if st == nil {
		return errors.New("hw: Run: nil state store")
	}
	w := &imuWorker{
		dev: dev, st: st, log: log, opts: opts.withDefaults(),
	}
	// Period·2ⁿ: the first retry after two periods, capped at MaxBackoff.
	w.backoff = backoff.Backoff{Min: 2 * w.opts.Period, Max: w.opts.MaxBackoff}
	w.filter = NewFilter(w.opts.ThresholdScale)
	w.limit = ratelog.New(w.opts.LogEvery)
	return w.run(ctx)
}

type imuWorker struct {
	dev    Device
	st     *state.Store
	log    zerolog.Logger
	opts   Options
	filter *Filter
	limit  *ratelog.Limiter

	backoff  backoff.Backoff
	failures int    // consecutive failed reads
	rejects  uint64 // samples rejected as bad data since start
}

func (w *imuWorker) stop(ctx context.Context) error { return context.Cause(ctx) }

func (w *imuWorker) run(ctx context.Context) error {
	w.log.Info().Dur("period", w.opts.Period).Float64("threshold_scale", w.opts.ThresholdScale).Msg("imu: started")
	timer := time.NewTimer(0)
	defer timer.Stop()
	next := time.Now()
	for {
		select {
		case <-ctx.Done():
			return w.stop(ctx)
		case <-timer.C:
		}
		wait.Woke("imu")
		started := time.Now()
		r, err := w.dev.Read(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return w.stop(ctx)
		case errors.Is(err, ErrBadData):
			// The bus works and the device answered, with a sample that
			// cannot be a measurement: drop it, keep the last good one
			// in the state, and read again at the next period (no
			// backoff: the next sample is most likely fine).
			w.rejected(err)
		case err != nil:
			w.readFailed(err)
			timer.Reset(w.backoff.Current())
			next = time.Now().Add(w.backoff.Current())
			continue
		default:
			w.readOK()
			if err := w.apply(ctx, r); err != nil {
				if ctx.Err() != nil {
					return w.stop(ctx)
				}
				return err
			}
		}
		// Sleep the remainder of the period; after an overrun start afresh
		// rather than firing a burst to catch up.
		next = next.Add(w.opts.Period)
		if d := time.Until(next); d > 0 {
			timer.Reset(d)
		} else {
			next = started.Add(w.opts.Period)
			timer.Reset(max(time.Until(next), 0))
		}
	}
}

func (w *imuWorker) readFailed(err error) {
	w.failures++
	w.backoff.Next()
	kind := errorKind(err)
	if ok, n := w.limit.Note("read:"+kind, time.Now()); ok {
		ev := w.log.Warn().Err(err).Str("kind", kind).Dur("retry_in", w.backoff.Current())
		if n > 0 {
			ev = ev.Int("suppressed", n)
		}
		ev.Msg("imu: read failed")
	}
}

// rejected counts a sample the device flagged as bad data and logs it
// rate-limited, with the running total.
func (w *imuWorker) rejected(err error) {
	w.rejects++
	if ok, n := w.limit.Note("read:bad_data", time.Now()); ok {
		ev := w.log.Warn().Err(err).Str("kind", errorKind(err)).Uint64("rejected_total", w.rejects)
		if n > 0 {
			ev = ev.Int("suppressed", n)
		}
		ev.Msg("imu: sample rejected")
	}
}

func (w *imuWorker) readOK() {
	if w.failures == 0 {
		return
	}
	if ok, n := w.limit.Note("recovered", time.Now()); ok {
		w.log.Info().Int("failed_reads", w.failures).Int("suppressed", n).Msg("imu: reads recovered")
	}
	w.failures = 0
	w.backoff.Reset()
}

func (w *imuWorker) apply(ctx context.Context, r Reading) error {
	s, publish, ev := w.filter.Step(r)
	if ev&EventNoCal != 0 {
		if ok, n := w.limit.Note("nocal", time.Now()); ok {
			w.log.Warn().Int("suppressed", n).Msg("NOIMU CAL")
		}
	}
	if ev&EventBadQuat != 0 {
		if ok, n := w.limit.Note("badquat", time.Now()); ok {
			w.log.Warn().Int("suppressed", n).Msg("imu: failed to get sensor values")
		}
	}
	if ev&EventCalibrated != 0 {
		w.log.Info().Msg("IMU: NDOF Calibrated!")
	}
	if ev&EventMoveStart != 0 {
		w.log.Debug().Msg("imu: move start")
	}
	if ev&EventMoveEnd != 0 {
		w.log.Debug().Msg("imu: move end")
	}
	if !publish {
		return nil
	}
	if err := w.st.Update(ctx, state.SetIMU{Sample: s}); err != nil {
		if errors.Is(err, state.ErrRejected) {
			return nil
		}
		return err
	}
	return nil
}
