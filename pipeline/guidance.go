package pipeline

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/internal/wait"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// The push-to guidance itself is computed by the state owner with every
// estimate (state/target.go); the pipeline only gives it its settings:
// the mount type, the recent targets saved last time, and a worker that
// saves them again when they change.

func (c *Config) checkMount() error {
	if c.Mount == "" {
		return nil
	}
	if _, err := targets.ParseMount(c.Mount); err != nil {
		return badSetting("--mount", c.Mount, "unknown mount type (want altaz or equatorial)")
	}
	return nil
}

// restoreTargets puts the mount type and the saved recent targets into the
// boot state. The recent targets come back as their saved names and
// positions: the object catalogue is built only when something needs it
// (a search, a goto by name, an LX200 goto to resolve), since it holds
// some 6 MB and takes about 16 MB to build, which a session that never
// asks for an object should not pay against the Pi's memory budget.
func (p *Pipeline) restoreTargets(cfg Config, settings config.Config, initial *state.State) {
	if m, err := targets.ParseMount(cfg.Mount); err == nil {
		initial.Mount = m
	}
	initial.Recent = recentFromSettings(settings.RecentTargets)
}

// recentFromSettings turns saved recent targets back into state targets
// (coordinates under their saved names).
func recentFromSettings(saved []config.RecentTarget) []state.Target {
	out := make([]state.Target, 0, len(saved))
	for _, r := range saved {
		c, err := targets.Coordinates(r.RA, r.Dec)
		if err != nil {
			continue // config.Parse has already dropped such entries
		}
		out = append(out, state.Target{RA: r.RA, Dec: r.Dec, Name: r.Name, Source: "settings", Object: c})
	}
	return out
}

// recentToSettings is the inverse of recentFromSettings.
func recentToSettings(list []state.Target) []config.RecentTarget {
	out := make([]config.RecentTarget, 0, len(list))
	for _, t := range list {
		if math.IsNaN(t.RA) || math.IsNaN(t.Dec) {
			continue
		}
		out = append(out, config.RecentTarget{Name: t.Name, RA: t.RA, Dec: t.Dec})
	}
	return out
}

// targetsWorker follows the target. An LX200 goto arrives as plain
// coordinates (the app sends RA/Dec only); the worker looks for the
// nearest catalogue object or body within state.ResolveRadiusDeg and
// names the target with state.ResolveTarget, outside the owner. With a
// settings file it saves the recent targets whenever a new target is set
// or named: a few writes a night, not one per estimate (the subscription
// sees every estimate; only a changed target leads to work). A failed save
// is logged and the next target tries again.
func targetsWorker(st *state.Store, file *config.File, log zerolog.Logger) Worker {
	log = workerLog(log, "targets")
	return Worker{Name: "targets", Run: func(ctx context.Context) error {
		sub, err := st.Subscribe(ctx)
		if err != nil {
			return err
		}
		defer sub.Close()
		var seen, savedSeq uint64
		var savedName string
		first := true
		for {
			var s state.State
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case <-st.Done():
				return st.Err()
			case s = <-sub.C():
			}
			wait.Woke("targets")
			t := s.Target
			if first {
				// The boot state's list came from the file.
				first, seen, savedSeq = false, t.Seq, t.Seq
				continue
			}
			if s.HasTarget && t.Seq != seen {
				seen = t.Seq
				if t.Source == state.SourceLX200 && t.Object.Object() == nil && t.Object.Fixed() {
					resolve(ctx, st, s, log)
				}
			}
			if file == nil || t.Seq == savedSeq && t.Name == savedName {
				continue
			}
			savedSeq, savedName = t.Seq, t.Name
			recent := recentToSettings(s.Recent)
			if err := file.Update(func(c *config.Config) { c.RecentTargets = recent }); err != nil {
				log.Warn().Err(err).Msg("recent targets not saved")
				continue
			}
			log.Debug().Int("recent", len(recent)).Msg("recent targets saved")
		}
	}}
}

// resolve names an LX200 goto after the nearest object within
// state.ResolveRadiusDeg, if there is one.
func resolve(ctx context.Context, st *state.Store, s state.State, log zerolog.Logger) {
	cat, err := targets.Default()
	if err != nil {
		log.Warn().Err(err).Msg("object catalogue unusable: LX200 gotos stay coordinates")
		return
	}
	at, site, _ := s.Sky(time.Now())
	t := s.Target
	near, err := cat.Nearby(t.RA, t.Dec, state.ResolveRadiusDeg, targets.Nearest, targets.Filter{Site: site, Time: at}, 1)
	if err != nil || len(near) == 0 {
		return
	}
	err = st.Update(ctx, state.ResolveTarget{Seq: t.Seq, Object: near[0].Target})
	switch {
	case err == nil:
		log.Info().Str("target", near[0].Target.Name()).Float64("sep_deg", near[0].SeparationDeg).Uint64("seq", t.Seq).Msg("lx200 goto resolved")
	case errors.Is(err, state.ErrRejected):
		// A newer target came first: nothing to name.
	default:
		log.Debug().Err(err).Msg("lx200 goto not resolved")
	}
}
