package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/imu/bno055"
	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/mount"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/integrator/record"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/serve/lx200"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/solver/detect"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// Site is an observer location in degrees (east positive) and metres.
type Site struct {
	Lat, Lon, AltitudeM float64
}

// Config describes a pipeline. The zero value plus a logger runs the
// simulated sky camera and simulated IMU with the built-in database, no
// network servers and no settings file.
type Config struct {
	Log zerolog.Logger

	// Source is an embedder's own frame source; when nil, Camera names one
	// to open: "sim" (default), "replay", "rpicam" or "none".
	Source         camera.Source
	Camera         string
	Images         string        // replay: folder or glob
	ReplayInterval time.Duration // replay: swap period (default 10 s)
	RPiCamPath     string        // rpicam: the rpicam-vid program
	Sensor, Lens   string        // camera profile and lens (default imx296 and its shipped lens)
	ExposureUS     int64         // fixed exposure; 0: the settings file, else auto-exposure
	// FOVEstimate is the solver's field hint in degrees: negative derives it
	// from the source (sim: its field, rpicam: sensor and lens, replay and
	// others: blind); 0 solves blind.
	FOVEstimate float64

	// IMUDevice is an embedder's own IMU; when nil, IMU names one to open:
	// "sim", "bno055" or "none"; "" picks the camera's companion (sim for
	// the sim camera, bno055 for rpicam, none otherwise).
	IMUDevice       imu.Device
	IMU             string
	ScreenDirection string // PiFinder build; "" the settings file, else "right"
	SleepTimeout    string // "30s", "Off"...; "" the settings file, else 30 s

	Solver *solver.Solver // nil: DBPath, else the built-in database
	DBPath string

	RecordPath string    // record the session as JSON lines to this file
	Record     io.Writer // or to this writer

	LX200Addr  string // LX200 server address; "" off
	HTTPAddr   string // HTTP API address; "" off
	APIToken   string // token for the API's mutating endpoints; "" the settings file
	ConfigPath string // settings file; "" none (nothing persisted)

	Location        *Site // observer site (source MANUAL); nil boots at 0,0 unlocked as PiFinder does
	SummaryInterval time.Duration
	Fault           Fault

	// World is the simulated telescope shared by the sim camera and IMU;
	// nil: the default script starting now.
	World *simworld.World
	// SimIMU tunes the simulated IMU (drift, noise...); nil: 3″/s drift, 1″ noise.
	SimIMU *simimu.Config
}

// Pipeline is an assembled pipeline, ready to Run once.
type Pipeline struct {
	runner  Runner
	store   *state.Store
	solverW *solver.Worker
	lx200Ln net.Listener
	httpLn  net.Listener
	closers []func() error
	log     zerolog.Logger
}

// Store is the state owner: read pointing with Snapshot or Subscribe.
func (p *Pipeline) Store() *state.Store { return p.store }

// LatestFrame is the most recent solved frame (a copy, refreshed about once a second).
func (p *Pipeline) LatestFrame() (solver.FrameView, bool) { return p.solverW.LatestFrame() }

// LX200Addr is the LX200 server's listening address, or nil when off.
func (p *Pipeline) LX200Addr() net.Addr {
	if p.lx200Ln == nil {
		return nil
	}
	return p.lx200Ln.Addr()
}

// HTTPAddr is the HTTP API's listening address, or nil when off.
func (p *Pipeline) HTTPAddr() net.Addr {
	if p.httpLn == nil {
		return nil
	}
	return p.httpLn.Addr()
}

// Run runs the pipeline until ctx ends (nil: a requested stop) or something
// stops it (the cause, wrapping state.ErrOwnerGone when the owner died).
// Devices and files opened by New are closed before it returns.
func (p *Pipeline) Run(ctx context.Context) error {
	defer p.close()
	return p.runner.Run(ctx)
}

func (p *Pipeline) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		if err := p.closers[i](); err != nil {
			p.log.Warn().Err(err).Msg("close")
		}
	}
	p.closers = nil
}

// New assembles a pipeline from cfg: it opens the camera, IMU, database,
// settings and listeners, so that every start-up problem is reported here,
// before anything runs.
func New(cfg Config) (p *Pipeline, err error) {
	log := cfg.Log
	p = &Pipeline{log: log}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	settings := loadSettings(cfg.ConfigPath, log)
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
	sleep, err := power.ParseTimeout(firstNonEmpty(cfg.SleepTimeout, settings.SleepTimeout, "30s"))
	if err != nil {
		return nil, err
	}

	initial := state.Default()
	initial.TargetPixel = state.Pixel{Y: settings.TargetPixel[0], X: settings.TargetPixel[1]}
	if s := cfg.Location; s != nil {
		initial.Location = state.Location{Lat: s.Lat, Lon: s.Lon, AltitudeM: s.AltitudeM, Source: "MANUAL", Lock: true, LockType: 3, Timezone: "UTC"}
	}
	// The datetime comes from GPS on a PiFinder; without one, the system
	// clock seeds it (a later GPS time can only move it forward).
	initial.Clock = state.NewClock(time.Now(), false)
	st := state.New(initial)
	p.store = st

	world := cfg.World
	if world == nil {
		world = simworld.New(time.Now(), simworld.DefaultScript())
	}

	// Camera.
	src := cfg.Source
	camName := firstNonEmpty(cfg.Camera, "sim")
	if src == nil {
		ccfg := camera.Config{Log: log.With().Str("worker", "camera").Logger()}
		switch camName {
		case "sim":
			stars, err := starcat.Embedded()
			if err != nil {
				return nil, err
			}
			ccfg.Sim = camera.SimConfig{Stars: stars, World: world}
		case "replay":
			if cfg.Images == "" {
				return nil, errors.New("camera replay needs --images FOLDER_OR_GLOB")
			}
			ccfg.Replay = camera.ReplayConfig{Path: cfg.Images, Interval: cfg.ReplayInterval}
		case "rpicam":
			rot, err := imageRotation(cfg.ScreenDirection)
			if err != nil {
				return nil, err
			}
			ccfg.Rpicam = camera.RpicamConfig{Binary: cfg.RPiCamPath, Sensor: firstNonEmpty(cfg.Sensor, "imx296"), SolveRotation: rot}
		}
		src, err = camera.Open(camName, ccfg)
		if err != nil {
			return nil, fmt.Errorf("camera %s: %w", camName, err)
		}
		p.closers = append(p.closers, src.Close)
	}
	fov, fovErr := cfg.FOVEstimate, 0.0
	if fov < 0 {
		fov = 0
		switch {
		case camName == "rpicam" && cfg.Source == nil:
			o, warn := ResolveOptics(cfg.Sensor, cfg.Lens)
			if warn != "" {
				log.Warn().Msg(warn)
			}
			fov, fovErr = o.Gate()
		case src.Info().FOVDeg > 0:
			fov = src.Info().FOVDeg
			fovErr = 0.15 * fov
		}
	}

	// IMU.
	dev := cfg.IMUDevice
	if dev == nil {
		imuName := cfg.IMU
		if imuName == "" {
			// The IMU that goes with the camera: the simulated one follows the
			// simulated sky, the Pi camera comes with a BNO055, replayed frames
			// have no motion to follow.
			switch {
			case cfg.Source != nil || camName == "replay" || camName == "none":
				imuName = "none"
			case camName == "rpicam":
				imuName = "bno055"
			default:
				imuName = "sim"
			}
		}
		switch imuName {
		case "sim":
			sc := simimu.Config{DriftArcsecPerS: 3, NoiseArcsec: 1}
			if cfg.SimIMU != nil {
				sc = *cfg.SimIMU
			}
			sc.ScreenDirection = cfg.ScreenDirection
			s, err := simimu.New(world, sc)
			if err != nil {
				return nil, fmt.Errorf("imu sim: %w", err)
			}
			dev = s
		case "bno055":
			octx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			d, err := bno055.Open(octx, "", bno055.Options{})
			cancel()
			if err != nil {
				// Degraded, as PiFinder runs without an IMU: no dead reckoning, no motion wake.
				log.Error().Err(err).Str("worker", "imu").Msg("no IMU; running camera-only")
			} else {
				dev = d
			}
		case "none":
		default:
			return nil, fmt.Errorf("--imu %q: want sim, bno055 or none", imuName)
		}
		if dev != nil {
			p.closers = append(p.closers, dev.Close)
		}
	}

	// Solver.
	slv := cfg.Solver
	if slv == nil {
		if cfg.DBPath != "" {
			slv, err = solver.Load(cfg.DBPath)
		} else {
			slv, err = solver.Default()
		}
		if err != nil {
			return nil, err
		}
	}

	// Integrator and recording.
	icfg := integrator.Config{ScreenDirection: cfg.ScreenDirection, Log: log.With().Str("worker", "integrator").Logger()}
	recW := cfg.Record
	if cfg.RecordPath != "" {
		f, err := os.Create(cfg.RecordPath)
		if err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		p.closers = append(p.closers, f.Close)
		recW = f
	}
	var rec *record.Recorder
	if recW != nil {
		rec, err = record.NewRecorder(recW, icfg)
		if err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		icfg.Observer = rec
		p.closers = append(p.closers, func() error {
			if err := rec.Err(); err != nil {
				return fmt.Errorf("record: %w", err)
			}
			return nil
		})
	}
	integ, err := integrator.New(icfg)
	if err != nil {
		return nil, err
	}

	optics, _ := ResolveOptics(firstNonEmpty(cfg.Sensor, "imx296"), cfg.Lens)
	lensName := optics.Lens
	handoff := camera.NewHandoff()
	solves := make(chan state.SolveEvent, 4)
	wlog := func(name string) zerolog.Logger { return log.With().Str("worker", name).Logger() }
	camW := &camera.Worker{
		Source:       src,
		Store:        st,
		Handoff:      handoff,
		Log:          wlog("camera"),
		ExposureUS:   cfg.ExposureUS,
		AutoExposure: cfg.ExposureUS == 0,
		Lens:         lensName,
	}
	p.solverW = &solver.Worker{
		Solver:      slv,
		Store:       st,
		Frames:      handoff,
		Out:         solves,
		Log:         wlog("solver"),
		Detect:      detect.DefaultOptions(),
		FOVEstimate: fov,
		FOVMaxError: fovErr,
	}
	p.runner = Runner{
		Store: st,
		Log:   log,
		Fault: cfg.Fault,
		Workers: []Worker{
			{Name: "camera", Run: camW.Run},
			{Name: "solver", Run: p.solverW.Run},
			{Name: "integrator", Run: func(ctx context.Context) error { return integ.Run(ctx, st, solves) }},
			{Name: "imu", Run: func(ctx context.Context) error {
				return imu.Run(ctx, dev, st, wlog("imu"), imu.Options{ThresholdScale: settings.IMUThresholdScale})
			}},
			NewPowerWorker(st, sleep, log),
			NewSummaryWorker(st, cfg.SummaryInterval, log),
		},
	}
	if cfg.LX200Addr != "" {
		ln, err := net.Listen("tcp", cfg.LX200Addr)
		if err != nil {
			return nil, fmt.Errorf("lx200: %w", err)
		}
		p.lx200Ln = ln
		p.closers = append(p.closers, func() error { _ = ln.Close(); return nil })
		srv := lx200.New(lx200.Config{Store: st, Log: wlog("lx200")})
		p.runner.Workers = append(p.runner.Workers, Worker{Name: "lx200", Run: func(ctx context.Context) error { return srv.Serve(ctx, ln) }})
	}
	if cfg.HTTPAddr != "" {
		if err := p.addAPI(cfg, settings); err != nil {
			return nil, err
		}
	}
	log.Info().Str("camera", src.Info().Type).Float64("fov_estimate", fov).Bool("imu", dev != nil).
		Str("screen_direction", firstNonEmpty(cfg.ScreenDirection, "right")).Dur("sleep_timeout", sleep).
		Msg("pipeline assembled")
	return p, nil
}

func imageRotation(direction string) (int, error) {
	return mount.ImageRotation(firstNonEmpty(direction, "right"))
}

func loadSettings(path string, log zerolog.Logger) config.Config {
	if path == "" {
		return config.Default()
	}
	c, err := config.Load(path)
	if err != nil {
		// A corrupt file is set aside by Load and defaults come back: go on.
		log.Warn().Err(err).Str("path", path).Msg("settings file unusable; using defaults")
	}
	return c
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
