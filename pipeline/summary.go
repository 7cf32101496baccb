package pipeline

import (
	"context"
	"time"

	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// NewSummaryWorker logs one `summary` line every interval: counters, the
// solve rate over the interval, the camera's health, and the current
// pointing. It is the only periodic info-level line of the pipeline.
func NewSummaryWorker(st *state.Store, every time.Duration, log zerolog.Logger) Worker {
	log = log.With().Str("worker", "summary").Logger()
	return Worker{Name: "summary", Run: func(ctx context.Context) error {
		if every <= 0 {
			every = 5 * time.Second
		}
		log.Info().Dur("every", every).Msg("summary: started")
		t := time.NewTicker(every)
		defer t.Stop()
		var prev state.Stats
		prevAt := time.Now()
		for {
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case now := <-t.C:
				wait.Woke("summary")
				s, err := st.Snapshot(ctx)
				if err != nil {
					return err
				}
				logSummary(log, s, prev, now, now.Sub(prevAt))
				prev, prevAt = s.Stats, now
			}
		}
	}}
}

// logSummary writes the line for state s at now, dt after the previous
// line's counters prev. camera is "ok", "none" (no camera), or "stalled":
// no frame for longer than the camera should take (state.CameraStalled),
// camera_stalled_s saying for how long; the pointing that follows is then
// old, whatever its source says.
func logSummary(log zerolog.Logger, s state.State, prev state.Stats, now time.Time, dt time.Duration) {
	rate := 0.0
	if dt > 0 {
		rate = float64(s.Stats.Solves-prev.Solves) / dt.Seconds()
	}
	e := s.Estimate
	ev := log.Info().
		Uint64("frames", s.Stats.Frames).
		Uint64("solves", s.Stats.Solves).
		Uint64("failed", s.Stats.SolveFailures).
		Uint64("dropped", s.Stats.DroppedFrames).
		Float64("solve_rate_hz", round(rate, 2)).
		Str("power", s.Power.String()).
		Str("source", string(e.Source))
	switch {
	case s.CameraType == "none":
		ev = ev.Str("camera", "none")
	case s.CameraStalled(now):
		ev = ev.Str("camera", "stalled").Float64("camera_stalled_s", round(now.Sub(s.CameraWait).Seconds(), 1))
	default:
		ev = ev.Str("camera", "ok")
	}
	if p := e.Aligned.Estimate; p.Valid {
		ev = ev.Float64("ra_deg", round(p.RA, 4)).Float64("dec_deg", round(p.Dec, 4)).Float64("roll_deg", round(p.Roll, 2))
	} else {
		ev = ev.Interface("ra_deg", nil).Interface("dec_deg", nil)
	}
	if e.HasAltAz {
		ev = ev.Float64("alt_deg", round(e.Alt, 3)).Float64("az_deg", round(e.Az, 3))
	} else {
		ev = ev.Interface("alt_deg", nil).Interface("az_deg", nil)
	}
	ev = ev.Str("constellation", e.Constellation).Int("matches", e.Diag.Matches)
	// Where and when (gps.go): without a site there is no Alt/Az, and the
	// time source says whether the clock can be trusted.
	l := s.Location
	ev = ev.Str("location_source", l.Source).Float64("lat_deg", round(l.Lat, 5)).Float64("lon_deg", round(l.Lon, 5)).
		Float64("alt_m", round(l.AltitudeM, 1)).Str("gps", s.GPS.String()).Str("time_source", string(s.Clock.Source()))
	if e.ErrArcsec >= 0 && s.Frame.Truth.Valid {
		ev = ev.Float64("err_arcsec", round(e.ErrArcsec, 1))
	}
	if s.HasTarget {
		ev = ev.Str("target", s.Target.Name)
		if g := s.Guidance; g.Valid {
			ev = ev.Float64("target_sep_deg", round(g.SeparationDeg, 3))
		}
	}
	ev.Msg("summary")
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}
