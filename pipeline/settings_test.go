package pipeline

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// Each live setting reaches its worker and the settings file: the sleep
// timeout puts the device to sleep on time, the mount changes the state,
// the lens the field hint of the Pi camera, the brightness the screen's.
func TestLiveSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	synctest.Test(t, func(t *testing.T) {
		at := geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}
		world := simworld.New(time.Now(), simworld.Script{Start: at, Steps: []simworld.Step{{To: at, Hold: time.Hour}}})
		p, err := New(Config{Log: zerolog.Nop(), World: world, ConfigPath: path, IMU: "none", SleepTimeout: "Off"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		defer func() { cancel(); <-done }()

		tun := p.tuning
		if v := tun.Settings(); v.SleepTimeout != "Off" || v.Mount != "altaz" || !v.Exposure.Auto || v.ScreenBrightness != config.DefaultScreenBrightness || !v.Persisted {
			t.Fatalf("boot settings %+v", v)
		}
		str := func(s string) *string { return &s }
		bright := 40
		v, err := tun.ApplySettings(ctx, api.SettingsPatch{
			SleepTimeout: str("2s"), Mount: str("equatorial"), Lens: str("25mm"), ScreenBrightness: &bright,
			Exposure: &config.Exposure{US: 250000},
		})
		if err != nil {
			t.Fatal(err)
		}
		if v.SleepTimeout != "2s" || v.Mount != "equatorial" || v.Lens != "25mm" || v.ScreenBrightness != 40 || v.Exposure.US != 250000 {
			t.Errorf("reply %+v", v)
		}
		if tun.Brightness() != 40 {
			t.Errorf("screen brightness %d, want 40", tun.Brightness())
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		s, err := p.Store().Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Mount != targets.Equatorial {
			t.Errorf("state mount %v", s.Mount)
		}
		if s.Power != state.Asleep {
			t.Errorf("power %v 5 s after a 2 s sleep timeout, want asleep", s.Power)
		}
		if s.Frame.ExposureUS != 250000 {
			t.Errorf("camera exposure %d µs, want the new 250000", s.Frame.ExposureUS)
		}
		c, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if c.SleepTimeout != "2s" || c.MountType != "equatorial" || c.CameraLens != "25mm" || c.ScreenBrightness != 40 || c.CameraExp != (config.Exposure{US: 250000}) {
			t.Errorf("saved %+v", c)
		}
		// The simulated camera keeps its own field: the lens does not move the hint.
		if fov, _ := p.solverW.FOVHint(); fov != p.solverW.FOVEstimate {
			t.Errorf("sim camera's field hint moved to %g by the lens", fov)
		}
	})
}

// With the Pi camera the lens sets the solver's field hint.
func TestLensSetsFieldHint(t *testing.T) {
	w := &solver.Worker{FOVEstimate: 1, Log: zerolog.Nop()}
	tun := &tuning{sensor: "imx296", lensSetsFOV: true, log: zerolog.Nop(), solverW: w}
	for _, lens := range LensNames() {
		o, _ := ResolveOptics("imx296", lens)
		v, err := tun.ApplySettings(context.Background(), api.SettingsPatch{Lens: &lens})
		if err != nil {
			t.Fatal(err)
		}
		if fov, maxErr := w.FOVHint(); v.FOVDeg != o.FOV || v.Lens != lens || fov != o.FOV || maxErr != 0.15*o.FOV {
			t.Errorf("lens %s: fov %g, hint %g ± %g, want %g", lens, v.FOVDeg, fov, maxErr, o.FOV)
		}
	}
}
