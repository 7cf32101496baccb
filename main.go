// Command pifinder is the acquisition core of PiFinder: camera, star
// detection, plate solving, IMU dead reckoning and the LX200/HTTP consumers
// in one process. Run with no arguments it starts the whole pipeline on the
// simulated sky camera and simulated IMU; subcommands run single steps
// (detect, solve, db, replay). See README.md and `pifinder --help`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"

	"github.com/pifinder-go/pifinder/internal/cli"
	"github.com/pifinder-go/pifinder/pipeline"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `pifinder: PiFinder's acquisition core (camera, detector, plate solver, IMU, LX200).

Usage:
  pifinder [flags]                 run the pipeline (default: simulated camera and IMU)
  pifinder detect [flags] IMAGE... detect stars in images
  pifinder solve [flags] IMAGE...  plate-solve images
  pifinder db build|info ...       build or inspect a solver database
  pifinder replay [flags] FILE     replay a recorded session through the integrator
  pifinder systemd-unit            print the systemd service unit
  pifinder help                    this text

Each subcommand takes --help. Flags of the pipeline:
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "detect":
			return cli.Detect(args[1:], stdout, stderr)
		case "solve":
			return cli.Solve(args[1:], stdout, stderr)
		case "db":
			return cli.DB(args[1:], stdout, stderr)
		case "replay":
			return cli.Replay(args[1:], stdout, stderr)
		case "systemd-unit":
			if err := pipeline.WriteSystemdUnit(stdout); err != nil {
				return 1
			}
			return 0
		case "help":
			newFlags(stderr).fs.Usage()
			return 0
		default:
			fmt.Fprintf(stderr, "pifinder: unknown command %q (see pifinder --help)\n", args[0])
			return 2
		}
	}
	f := newFlags(stderr)
	if err := f.fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if f.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pifinder: unexpected argument %q (see pifinder --help)\n", f.fs.Arg(0))
		return 2
	}
	log, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "pifinder:", err)
		return 2
	}
	cfg, err := f.config(log)
	if err != nil {
		log.Error().Err(err).Msg("bad flags")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	p, err := pipeline.New(cfg)
	if err != nil {
		log.Error().Err(err).Msg("cannot start the pipeline")
		return 1
	}
	err = p.Run(ctx)
	code := pipeline.ExitCode(err)
	if code == 0 {
		log.Info().AnErr("cause", context.Cause(ctx)).Int("exit_status", code).Msg("pipeline stopped")
	} else {
		log.Error().Err(err).Int("exit_status", code).Msg("pipeline stopped; exiting for a restart")
	}
	return code
}

type flags struct {
	fs              *flag.FlagSet
	duration        time.Duration
	fault           string
	logFormat       string
	logLevel        string
	camera          string
	images          string
	replayInterval  time.Duration
	rpicamPath      string
	sensor          string
	lens            string
	exposure        string
	fov             float64
	imu             string
	screenDirection string
	sleepTimeout    string
	db              string
	record          string
	lx200           string
	http            string
	apiToken        string
	configPath      string
	location        string
	summaryEvery    time.Duration
}

func newFlags(stderr io.Writer) *flags {
	f := &flags{fs: flag.NewFlagSet("pifinder", flag.ContinueOnError)}
	fs := f.fs
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.DurationVar(&f.duration, "duration", 0, "run for this long, then stop cleanly with exit status 0 (0: until SIGINT/SIGTERM)")
	fs.StringVar(&f.fault, "fault", "", "inject a fault to demonstrate the shutdown path: owner-panic-after=DURATION or owner-error-after=DURATION (exit status 1)")
	fs.StringVar(&f.logFormat, "log-format", "", "log format: console or json (default: console on a terminal, json otherwise)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&f.camera, "camera", "sim", "frame source: sim (rendered sky), replay (image files), rpicam (Raspberry Pi camera via rpicam-vid) or none")
	fs.StringVar(&f.images, "images", "", "with --camera replay: a folder or glob of PNG/JPEG/TIFF/FITS frames")
	fs.DurationVar(&f.replayInterval, "replay-interval", 10*time.Second, "with --camera replay: how long each frame is shown before the next")
	fs.StringVar(&f.rpicamPath, "rpicam-path", "", "with --camera rpicam: the frame-streaming program of rpicam-apps (default rpicam-raw, looked up on PATH)")
	fs.StringVar(&f.sensor, "sensor", "imx296", "with --camera rpicam: sensor profile imx296, imx462 or hq (with --lens it sets the solver's field hint)")
	fs.StringVar(&f.lens, "lens", "", "lens: 12mm, 16mm or 25mm (default: the sensor's shipped lens)")
	fs.StringVar(&f.exposure, "exposure", "auto", "exposure: auto (matched-star auto-exposure) or microseconds")
	fs.Float64Var(&f.fov, "fov", -1, "solver field-of-view hint in degrees (-1: from sensor and lens; replay solves blind; 0: blind)")
	fs.StringVar(&f.imu, "imu", "", "IMU: sim (follows the simulated sky), bno055 (I2C on the Pi) or none (default: sim with --camera sim, bno055 with rpicam, none otherwise)")
	fs.StringVar(&f.screenDirection, "screen-direction", "", "PiFinder build (IMU mounting): flat, left, right, straight, flat3, as_bloom, as_heart, rev4_left, rev4_right, rev4_straight (default: config file, else right)")
	fs.StringVar(&f.sleepTimeout, "sleep-timeout", "", "inactivity before sleeping, e.g. 30s, 1m, or Off (default: config file, else 30s)")
	fs.StringVar(&f.db, "db", "", "solver pattern database file (default: the one built into the binary)")
	fs.StringVar(&f.record, "record", "", "record the session (solves and IMU samples) to this JSON-lines file; replay it with: pifinder replay FILE")
	fs.StringVar(&f.lx200, "lx200", ":4030", "LX200 position server address for SkySafari (empty: off)")
	fs.StringVar(&f.http, "http", "127.0.0.1:8080", "HTTP JSON/SSE API address (empty: off)")
	fs.StringVar(&f.apiToken, "api-token", "", "token required by the API's mutating endpoints (default: the config file's api_token)")
	fs.StringVar(&f.configPath, "config", defaultConfigPath(), "settings file (JSON; written atomically; missing means defaults)")
	fs.StringVar(&f.location, "location", "", "observer site LAT,LON[,ALT_M] in degrees (east positive); sets the location as MANUAL")
	fs.DurationVar(&f.summaryEvery, "summary-interval", 5*time.Second, "how often the summary log line is written")
	return f
}

func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return dir + "/pifinder-go/config.json"
}

func (f *flags) config(log zerolog.Logger) (pipeline.Config, error) {
	fault, err := pipeline.ParseFault(f.fault)
	if err != nil {
		return pipeline.Config{}, err
	}
	cfg := pipeline.Config{
		Log:             log,
		Camera:          f.camera,
		Images:          f.images,
		ReplayInterval:  f.replayInterval,
		RPiCamPath:      f.rpicamPath,
		Sensor:          f.sensor,
		Lens:            f.lens,
		FOVEstimate:     f.fov,
		IMU:             f.imu,
		ScreenDirection: f.screenDirection,
		SleepTimeout:    f.sleepTimeout,
		DBPath:          f.db,
		RecordPath:      f.record,
		LX200Addr:       f.lx200,
		HTTPAddr:        f.http,
		APIToken:        f.apiToken,
		ConfigPath:      f.configPath,
		SummaryInterval: f.summaryEvery,
		Fault:           fault,
	}
	if f.exposure != "auto" {
		us, err := strconv.ParseInt(f.exposure, 10, 64)
		if err != nil || us <= 0 {
			return cfg, fmt.Errorf("--exposure %q: want auto or a positive number of microseconds", f.exposure)
		}
		cfg.ExposureUS = us
	}
	if f.location != "" {
		loc, err := parseLocation(f.location)
		if err != nil {
			return cfg, err
		}
		cfg.Location = &loc
	}
	return cfg, nil
}

func parseLocation(s string) (pipeline.Site, error) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 || len(parts) > 3 {
		return pipeline.Site{}, fmt.Errorf("--location %q: want LAT,LON[,ALT_M]", s)
	}
	var v [3]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return pipeline.Site{}, fmt.Errorf("--location %q: %v", s, err)
		}
		v[i] = x
	}
	if v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 360 {
		return pipeline.Site{}, fmt.Errorf("--location %q: latitude or longitude out of range", s)
	}
	return pipeline.Site{Lat: v[0], Lon: v[1], AltitudeM: v[2]}, nil
}

// newLogger makes the process logger: console on a terminal, JSON otherwise.
func newLogger(w io.Writer, format, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "console"
		}
	}
	if _, isFile := w.(*os.File); !isFile {
		// Workers log from many goroutines; a file is safe for that, other writers may not be.
		w = zerolog.SyncWriter(w)
	}
	var out io.Writer
	switch format {
	case "json":
		out = w
	case "console":
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05.000"}
	default:
		return zerolog.Nop(), fmt.Errorf("--log-format %q: want console or json", format)
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}
