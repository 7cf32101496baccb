package pipeline

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// tuning is the owner of the live settings (api.Tuning): each change is
// saved in the settings file first (so a failed save changes nothing),
// then handed to the worker it concerns: the sleep timeout to the power
// manager, the exposure to the camera worker's commands, the lens to the
// solver's field hint, the mount to the state, the brightness to the
// screen. Changes are serialised by mu.
type tuning struct {
	store   *state.Store
	file    *config.File // nil: nothing persisted
	power   *power.Manager
	solverW *solver.Worker
	camCmds chan<- camera.Command // nil: no camera worker
	// lensSetsFOV is true when the solver's field hint follows the lens
	// (the Pi camera); the simulated and replayed sources have their own.
	lensSetsFOV bool
	sensor      string
	log         zerolog.Logger

	// brightness is read by the screen worker on every frame.
	brightness atomic.Int32

	mu sync.Mutex
	v  api.SettingsView
}

func newTuning(cfg Config, settings config.Config, st *state.Store, file *config.File, sleep string) *tuning {
	sensor := firstNonEmpty(cfg.Sensor, "imx296")
	optics, _ := ResolveOptics(sensor, cfg.Lens)
	exp := config.AutoExposure
	if cfg.ExposureUS > 0 {
		exp = config.Exposure{US: cfg.ExposureUS}
	}
	mount := targets.AltAz.String()
	if m, err := targets.ParseMount(cfg.Mount); err == nil {
		mount = m.String()
	}
	t := &tuning{
		store: st, file: file, sensor: sensor, log: workerLog(cfg.Log, "settings"),
		v: api.SettingsView{
			SleepTimeout: sleep, Exposure: exp, Lens: optics.Lens, Mount: mount, ScreenBrightness: settings.ScreenBrightness,
			Sensor: sensor, FOVDeg: optics.FOV, Persisted: file != nil,
			Choices: api.SettingsChoices{SleepTimeout: api.SleepTimeoutChoices, Lens: LensNames(), Mount: api.MountChoices},
		},
	}
	t.brightness.Store(int32(settings.ScreenBrightness))
	return t
}

// Brightness is the screen brightness in force, 0..255.
func (t *tuning) Brightness() uint8 { return uint8(t.brightness.Load()) }

func (t *tuning) Settings() api.SettingsView {
	t.mu.Lock()
	defer t.mu.Unlock()
	v := t.v
	if t.solverW != nil && !t.lensSetsFOV {
		v.FOVDeg, _ = t.solverW.FOVHint()
	}
	return v
}

func (t *tuning) ApplySettings(ctx context.Context, p api.SettingsPatch) (api.SettingsView, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// The API checked the values; the power and mount parsers are the
	// ones the settings file is read with, so what is saved reads back.
	var sleep int64 = -1
	if p.SleepTimeout != nil {
		d, err := power.ParseTimeout(*p.SleepTimeout)
		if err != nil {
			return t.v, fmt.Errorf("%w: sleep_timeout %q", api.ErrBadSetting, *p.SleepTimeout)
		}
		sleep = int64(d)
	}
	var mount targets.Mount
	if p.Mount != nil {
		m, err := targets.ParseMount(*p.Mount)
		if err != nil {
			return t.v, fmt.Errorf("%w: mount %q", api.ErrBadSetting, *p.Mount)
		}
		mount = m
	}
	var optics Optics
	if p.Lens != nil {
		if _, ok := lenses[*p.Lens]; !ok {
			return t.v, fmt.Errorf("%w: lens %q", api.ErrBadSetting, *p.Lens)
		}
		optics, _ = ResolveOptics(t.sensor, *p.Lens)
	}
	if t.file != nil {
		err := t.file.Update(func(c *config.Config) {
			if p.SleepTimeout != nil {
				c.SleepTimeout = *p.SleepTimeout
			}
			if p.Exposure != nil {
				c.CameraExp = *p.Exposure
			}
			if p.Lens != nil {
				c.CameraLens = *p.Lens
			}
			if p.Mount != nil {
				c.MountType = mount.String()
			}
			if p.ScreenBrightness != nil {
				c.ScreenBrightness = *p.ScreenBrightness
			}
		})
		if err != nil {
			return t.v, fmt.Errorf("save the settings: %w", err)
		}
	}
	if sleep >= 0 && t.power != nil {
		t.power.SetTimeout(time.Duration(sleep))
		t.v.SleepTimeout = *p.SleepTimeout
	}
	if e := p.Exposure; e != nil {
		var cmd camera.Command = camera.SetExposure{US: e.US}
		if e.Auto {
			cmd = camera.SetAutoExposure{On: true, Mode: camera.AEPID}
		}
		if t.camCmds != nil {
			select {
			case t.camCmds <- cmd:
			case <-ctx.Done():
				return t.v, context.Cause(ctx)
			}
		}
		t.v.Exposure = *e
	}
	if p.Lens != nil {
		t.v.Lens, t.v.FOVDeg = optics.Lens, optics.FOV
		if t.lensSetsFOV && t.solverW != nil {
			t.solverW.SetFOVHint(optics.Gate())
		}
	}
	if p.Mount != nil {
		if err := t.store.Update(ctx, state.SetMount{Mount: mount}); err != nil {
			return t.v, err
		}
		t.v.Mount = mount.String()
	}
	if b := p.ScreenBrightness; b != nil {
		t.brightness.Store(int32(*b))
		t.v.ScreenBrightness = *b
	}
	t.log.Info().Str("sleep_timeout", t.v.SleepTimeout).Any("exposure", t.v.Exposure).Str("lens", t.v.Lens).
		Str("mount", t.v.Mount).Int("screen_brightness", t.v.ScreenBrightness).Bool("persisted", t.file != nil).Msg("settings changed")
	v := t.v
	if t.solverW != nil && !t.lensSetsFOV {
		v.FOVDeg, _ = t.solverW.FOVHint()
	}
	return v, nil
}
