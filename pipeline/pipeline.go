package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
)

// Pipeline is an assembled pipeline, ready to Run once.
type Pipeline struct {
	runner  Runner
	store   *state.Store
	solverW *solver.Worker
	lx200Ln net.Listener
	httpLn  net.Listener
	tuning  *tuning       // the live settings (settings.go)
	screen  *remoteScreen // the device screen's image and remote keys (screen.go); nil with --display none
	closers []func() error
	log     zerolog.Logger
}

// Store is the state owner: read pointing with Snapshot or Subscribe.
func (p *Pipeline) Store() *state.Store { return p.store }

// LatestFrame is the most recent solved frame (a copy, refreshed about once a second).
func (p *Pipeline) LatestFrame() (solver.FrameView, bool) { return p.solverW.LatestFrame() }

// LX200Addr is the LX200 server's listening address, or nil when off.
func (p *Pipeline) LX200Addr() net.Addr { return addrOf(p.lx200Ln) }

// HTTPAddr is the HTTP API's listening address, or nil when off.
func (p *Pipeline) HTTPAddr() net.Addr { return addrOf(p.httpLn) }

func addrOf(ln net.Listener) net.Addr {
	if ln == nil {
		return nil
	}
	return ln.Addr()
}

// Run runs the pipeline until ctx ends (nil: a requested stop) or something
// stops it (the cause, wrapping state.ErrOwnerGone when the owner died).
// Devices and files opened by New are closed before it returns.
func (p *Pipeline) Run(ctx context.Context) error {
	defer p.close()
	return p.runner.Run(ctx)
}

// adopt makes p responsible for closing something New opened: on a later
// start-up error, or after Run, closers run in reverse order.
func (p *Pipeline) adopt(closer func() error) { p.closers = append(p.closers, closer) }

func (p *Pipeline) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		if err := p.closers[i](); err != nil {
			p.log.Warn().Err(err).Msg("close")
		}
	}
	p.closers = nil
}

// New assembles a pipeline from cfg. It checks the settings, then opens in
// turn the settings file, the camera, the IMU, the solver database, the
// recording and the consumers' listeners, so that every start-up problem is
// reported here, before anything runs. On an error everything opened before
// it is closed again and the error says which setting failed and why: a
// *ConfigError for the settings a user gives.
func New(cfg Config) (*Pipeline, error) {
	p := &Pipeline{log: cfg.Log}
	// Listeners handed in are the pipeline's from here on, even if New fails.
	for _, ln := range []net.Listener{cfg.LX200Listener, cfg.HTTPListener} {
		if ln != nil {
			p.adoptListener(ln)
		}
	}
	if err := cfg.check(); err != nil {
		p.close()
		return nil, err
	}
	if err := p.open(cfg); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// open runs the openers; each one that opens something adopts its closer.
func (p *Pipeline) open(cfg Config) error {
	settings, file, sleep, err := p.openSettings(&cfg)
	if err != nil {
		return err
	}
	st := p.openState(cfg, settings)
	world := simWorld(cfg)
	cam, err := p.openCamera(cfg, world)
	if err != nil {
		return err
	}
	dev, err := p.openIMU(cfg, world)
	if err != nil {
		return err
	}
	slv, err := openSolver(cfg)
	if err != nil {
		return err
	}
	integ, err := p.openIntegrator(cfg)
	if err != nil {
		return err
	}
	handoff := camera.NewHandoff()
	solves := make(chan state.SolveEvent, solveQueue)
	p.solverW = &solver.Worker{
		Solver: slv, Store: st, Frames: handoff, Out: solves, Log: workerLog(cfg.Log, "solver"),
		Detect: detectOptions(), FOVEstimate: cam.fov, FOVMaxError: cam.fovErr,
	}
	pm := power.NewManager(st, sleep, workerLog(cfg.Log, "power"))
	camCmds := make(chan camera.Command, 1)
	p.tuning = newTuning(cfg, settings, st, file, firstNonEmpty(cfg.SleepTimeout, settings.SleepTimeout, "30s"))
	p.tuning.power, p.tuning.solverW, p.tuning.camCmds = pm, p.solverW, camCmds
	p.tuning.lensSetsFOV = cfg.Source == nil && cfg.camera() == "rpicam" && cfg.FOVEstimate == FOVFromSource
	p.runner = Runner{
		Store: st, Log: cfg.Log, Fault: cfg.Fault,
		Workers: []Worker{
			cameraWorker(cfg, st, handoff, cam, camCmds),
			{Name: "solver", Run: p.solverW.Run},
			{Name: "integrator", Run: func(ctx context.Context) error { return integ.Run(ctx, st, solves) }},
			imuWorker(cfg, st, dev, settings.IMUThresholdScale),
			{Name: "power", Run: pm.Run},
			NewSummaryWorker(st, cfg.SummaryInterval, cfg.Log),
		},
	}
	// LX200 goto names and the recent targets' file (guidance.go).
	p.runner.Workers = append(p.runner.Workers, targetsWorker(st, file, cfg.Log))
	if cfg.SimObserver {
		o := newSimObserver(st, world, workerLog(cfg.Log, "observer"), uint64(world.Start().UnixNano()))
		p.runner.Workers = append(p.runner.Workers, Worker{Name: "observer", Run: o.Run})
	}
	p.openGPS(cfg) // gps.go
	if err := p.openLX200(cfg, file); err != nil {
		return err
	}
	// The observing log is checked even with the API off, so a bad
	// --obslog is reported whatever else is set (obslog.go).
	obs, err := p.openObsLog(cfg)
	if err != nil {
		return err
	}
	screen, err := p.openScreen(cfg, file, pm.Press, obs) // screen.go
	if err != nil {
		return err
	}
	p.screen = screen
	if err := p.openAPI(cfg, file, obs, screen); err != nil {
		return err
	}
	cfg.Log.Info().Str("camera", cam.src.Info().Type).Float64("fov_estimate", cam.fov).Bool("imu", dev != nil).
		Str("screen_direction", firstNonEmpty(cfg.ScreenDirection, "right")).Dur("sleep_timeout", sleep).
		Msg("pipeline assembled")
	return nil
}

// solveQueue is how many solve events may wait for the integrator: it takes
// one per 30 Hz tick and the solver makes at most about 20 a second, so a
// few absorb jitter without letting stale solves pile up.
const solveQueue = 4

func workerLog(log zerolog.Logger, name string) zerolog.Logger {
	return log.With().Str("worker", name).Logger()
}

// errNotListening is returned by the listener openers for an address that
// cannot be listened on.
var errNotListening = errors.New("cannot listen")

func listen(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err // net's message repeats the address the flag already names
		}
		return nil, &ConfigError{Flag: flag, Value: addr, Err: fmt.Errorf("%w: %w", errNotListening, err)}
	}
	return ln, nil
}
