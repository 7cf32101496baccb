package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/replay"
	"github.com/pifinder-go/pifinder/camera/rpicam"
	"github.com/pifinder-go/pifinder/camera/sim"
	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/imu/bno055"
	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/mount"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/integrator/record"
	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/serve/lx200"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/solver/db"
	"github.com/pifinder-go/pifinder/solver/detect"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// The openers. Each opens one part of the pipeline from the Config, adopts
// the closer of whatever it opened (so a later failure unwinds it), and
// returns an error that names the setting at fault.

// openSettings loads the settings file (when there is one) and fills the
// settings the flags left unset from it: flags win over the file, the file
// over the defaults. A corrupt file is reported, set aside and replaced by
// the defaults: the pipeline still starts, as PiFinder does.
func (p *Pipeline) openSettings(cfg *Config) (config.Config, *config.File, time.Duration, error) {
	settings := config.Default()
	var file *config.File
	if cfg.ConfigPath != "" {
		f, err := config.Open(cfg.ConfigPath, config.WithLogger(workerLog(cfg.Log, "config")))
		if err != nil {
			cfg.Log.Warn().Err(err).Str("path", cfg.ConfigPath).Msg("settings file unusable; using defaults")
		}
		file, settings = f, f.Current()
	}
	if cfg.ScreenDirection == "" {
		cfg.ScreenDirection = settings.ScreenDirection
	}
	if cfg.Lens == "" {
		cfg.Lens = settings.CameraLens
	}
	if cfg.ExposureUS == 0 && !settings.CameraExp.Auto {
		cfg.ExposureUS = settings.CameraExp.US
	}
	if cfg.APIToken == "" {
		cfg.APIToken = settings.APIToken
	}
	if cfg.LX200Addr == AddrFromSettings {
		cfg.LX200Addr = settings.LX200Addr
	}
	if cfg.HTTPAddr == AddrFromSettings {
		cfg.HTTPAddr = settings.HTTPAddr
	}
	if cfg.Mount == "" {
		cfg.Mount = settings.MountType // guidance.go
	}
	sleepSetting := firstNonEmpty(cfg.SleepTimeout, settings.SleepTimeout, "30s")
	sleep, err := power.ParseTimeout(sleepSetting)
	if err != nil {
		return settings, nil, 0, badSetting("--sleep-timeout", sleepSetting, "want Off or a positive duration like 30s")
	}
	return settings, file, sleep, nil
}

// openState makes the state owner with the boot values: the target pixel
// from the settings, the site when one is given.
func (p *Pipeline) openState(cfg Config, settings config.Config) *state.Store {
	initial := state.Default()
	initial.TargetPixel = state.Pixel{Y: settings.TargetPixel[0], X: settings.TargetPixel[1]}
	if s := cfg.Location; s != nil {
		initial.Location = state.Location{Lat: s.Lat, Lon: s.Lon, AltitudeM: s.AltitudeM, Source: "MANUAL", Lock: true, LockType: 3, Timezone: "UTC"}
	}
	// The datetime comes from GPS on a PiFinder; without one, the system
	// clock seeds it (a later GPS time can only move it forward).
	initial.Clock = state.NewClock(time.Now(), false)
	p.restoreTargets(cfg, settings, &initial) // guidance.go
	p.store = state.New(initial)
	return p.store
}

func simWorld(cfg Config) *simworld.World {
	if cfg.World != nil {
		return cfg.World
	}
	return simworld.New(time.Now(), simworld.DefaultScript())
}

// openedCamera is the frame source and the field hint the solver gets from it.
type openedCamera struct {
	src         camera.Source
	fov, fovErr float64
	lens        string
}

// fovTolerance is the solver's allowed error on the field hint: 15 %, the
// spread of PiFinder's lens focal lengths and of focus.
const fovTolerance = 0.15

func (p *Pipeline) openCamera(cfg Config, world *simworld.World) (openedCamera, error) {
	optics, _ := ResolveOptics(firstNonEmpty(cfg.Sensor, "imx296"), cfg.Lens)
	c := openedCamera{src: cfg.Source, lens: optics.Lens}
	if c.src == nil {
		var err error
		c.src, err = openSource(cfg, world)
		if err != nil {
			return c, err
		}
		p.adopt(c.src.Close)
	}
	c.fov = cfg.FOVEstimate
	if c.fov == FOVFromSource {
		c.fov = 0
		switch {
		case cfg.Source == nil && cfg.camera() == "rpicam":
			c.fov, c.fovErr = optics.Gate()
		case c.src.Info().FOVDeg > 0:
			c.fov = c.src.Info().FOVDeg
			c.fovErr = fovTolerance * c.fov
		}
	}
	return c, nil
}

func openSource(cfg Config, world *simworld.World) (camera.Source, error) {
	log := workerLog(cfg.Log, "camera")
	switch cfg.camera() {
	case "sim":
		s, err := sim.New(sim.Config{World: world})
		if err != nil {
			return nil, &ConfigError{Flag: "--camera", Value: "sim", Err: err}
		}
		return s, nil
	case "replay":
		s, err := replay.New(replay.Config{Log: log, Path: cfg.Images, Interval: cfg.ReplayInterval})
		if err != nil {
			return nil, &ConfigError{Flag: "--images", Value: cfg.Images, Err: err}
		}
		return s, nil
	case "rpicam":
		rot, err := mount.ImageRotation(cfg.ScreenDirection)
		if err != nil {
			return nil, &ConfigError{Flag: "--screen-direction", Value: cfg.ScreenDirection, Err: err}
		}
		sensor := firstNonEmpty(cfg.Sensor, "imx296")
		if cfg.cameraBackend() == "picamera2" {
			s, err := rpicam.NewPicamera2(rpicam.Picamera2Config{Log: log, Python: cfg.Picamera2Python, Sensor: sensor, SolveRotation: rot})
			if err != nil {
				return nil, &ConfigError{Flag: "--picamera2-python", Value: firstNonEmpty(cfg.Picamera2Python, "python3"), Err: err}
			}
			return s, nil
		}
		s, err := rpicam.New(rpicam.Config{Log: log, Binary: cfg.RPiCamPath, Sensor: sensor, SolveRotation: rot})
		if err != nil {
			return nil, &ConfigError{Flag: "--rpicam-path", Value: firstNonEmpty(cfg.RPiCamPath, "rpicam-raw"), Err: err}
		}
		return s, nil
	}
	return camera.None{}, nil
}

// bno055OpenTimeout bounds the BNO055's start-up sequence (reset 700 ms,
// mode changes and the fusion's 600 ms start add up to 1.35 s), so a
// wedged bus cannot hold the start-up.
const bno055OpenTimeout = 5 * time.Second

func (p *Pipeline) openIMU(cfg Config, world *simworld.World) (imu.Device, error) {
	if cfg.IMUDevice != nil {
		p.adopt(cfg.IMUDevice.Close)
		return cfg.IMUDevice, nil
	}
	switch cfg.imuName() {
	case "sim":
		sc := simimu.Config{DriftArcsecPerS: 3, NoiseArcsec: 1}
		if cfg.SimIMU != nil {
			sc = *cfg.SimIMU
		}
		sc.ScreenDirection = cfg.ScreenDirection
		s, err := simimu.New(world, sc)
		if err != nil {
			return nil, &ConfigError{Flag: "--imu", Value: "sim", Err: err}
		}
		p.adopt(s.Close)
		return s, nil
	case "bno055":
		ctx, cancel := context.WithTimeout(context.Background(), bno055OpenTimeout)
		d, err := bno055.Open(ctx, cfg.I2CBus, bno055.Options{})
		cancel()
		if err != nil {
			// Degraded, as PiFinder runs without an IMU: no dead reckoning, no motion wake.
			cfg.Log.Error().Err(err).Str("worker", "imu").Msg("no IMU; running camera-only")
			return nil, nil
		}
		p.adopt(d.Close)
		return d, nil
	}
	return nil, nil
}

func openSolver(cfg Config) (*solver.Solver, error) {
	switch {
	case cfg.Solver != nil:
		return cfg.Solver, nil
	case cfg.DBPath != "":
		b, err := os.ReadFile(cfg.DBPath)
		if err != nil {
			return nil, &ConfigError{Flag: "--db", Value: cfg.DBPath, Err: pathless(err)}
		}
		d, err := db.Decode(b)
		if err != nil {
			return nil, &ConfigError{Flag: "--db", Value: cfg.DBPath, Err: err}
		}
		return solver.New(d), nil
	}
	return solver.Default()
}

// openIntegrator makes the integrator and, when asked, the recorder that
// observes it.
func (p *Pipeline) openIntegrator(cfg Config) (*integrator.Integrator, error) {
	icfg := integrator.Config{ScreenDirection: cfg.ScreenDirection, Log: workerLog(cfg.Log, "integrator")}
	w := cfg.Record
	if cfg.RecordPath != "" {
		f, err := os.Create(cfg.RecordPath)
		if err != nil {
			return nil, &ConfigError{Flag: "--record", Value: cfg.RecordPath, Err: pathless(err)}
		}
		p.adopt(f.Close)
		w = f
	}
	if w != nil {
		rec, err := record.NewRecorder(w, icfg, record.WithLogger(workerLog(cfg.Log, "record").With().Str("path", cfg.RecordPath).Logger()))
		if err != nil {
			return nil, &ConfigError{Flag: "--record", Value: cfg.RecordPath, Err: err}
		}
		icfg.Observer = rec
		p.adopt(func() error {
			return rec.Err() // already says "record: ..."
		})
	}
	return integrator.New(icfg)
}

func cameraWorker(cfg Config, st *state.Store, h *camera.Handoff, c openedCamera, cmds <-chan camera.Command) Worker {
	w := &camera.Worker{
		Source: c.src, Store: st, Handoff: h, Log: workerLog(cfg.Log, "camera"), Commands: cmds,
		ExposureUS: cfg.ExposureUS, AutoExposure: cfg.ExposureUS == 0, Lens: c.lens,
	}
	return Worker{Name: "camera", Run: w.Run}
}

func imuWorker(cfg Config, st *state.Store, dev imu.Device, thresholdScale float64) Worker {
	log := workerLog(cfg.Log, "imu")
	return Worker{Name: "imu", Run: func(ctx context.Context) error {
		return imu.Run(ctx, dev, st, log, imu.Options{ThresholdScale: thresholdScale})
	}}
}

func detectOptions() detect.Options { return detect.DefaultOptions() }

func (p *Pipeline) openLX200(cfg Config, file *config.File) error {
	ln := cfg.LX200Listener
	if ln == nil {
		if cfg.LX200Addr == "" {
			return nil
		}
		var err error
		if ln, err = listen("--lx200", cfg.LX200Addr); err != nil {
			return err
		}
		p.adoptListener(ln)
	}
	p.lx200Ln = ln
	srv := lx200.New(lx200.Config{Store: p.store, Log: workerLog(cfg.Log, "lx200"), Sync: lx200Sync(p.store, file)}) // gps.go
	p.runner.Workers = append(p.runner.Workers, Worker{Name: "lx200", Run: func(ctx context.Context) error { return srv.Serve(ctx, ln) }})
	return nil
}

// pathless drops the path from a file error whose message the caller
// already prefixes with the path ("--db x.db: open: no such file").
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// adoptListener makes p close ln; closing an already closed listener (the
// servers close theirs when they stop) is not an error here.
func (p *Pipeline) adoptListener(ln net.Listener) {
	p.adopt(func() error { _ = ln.Close(); return nil })
}
