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
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"

	"github.com/pifinder-go/pifinder/internal/cli"
	"github.com/pifinder-go/pifinder/internal/resident"
	"github.com/pifinder-go/pifinder/pipeline"
	"github.com/pifinder-go/pifinder/solver/db"
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
  pifinder objects search|info ... find objects, planets and the Moon; where and when they are up
  pifinder log list|export|import-pifinder|import-list ...
                                   the observing log: list, export (CSV, SkySafari), import
  pifinder systemd-unit            print the systemd service unit
  pifinder version                 print the version (also --version)
  pifinder help                    this text (also --help)

Exit status: 0 after a requested stop (SIGINT, SIGTERM, --duration), 1 when
the pipeline stopped on its own (the state owner died: a service manager
restarts it), 2 for bad usage or a start-up error (a bad flag, a missing
file, a port in use).

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
		case "objects":
			return cli.Objects(args[1:], stdout, stderr)
		case "log":
			return cli.Log(args[1:], stdout, stderr)
		case "replay":
			return cli.Replay(args[1:], stdout, stderr)
		case "systemd-unit":
			return systemdUnit(args[1:], stdout, stderr)
		case "version":
			fmt.Fprintln(stdout, version())
			return 0
		case "help":
			newFlags(stdout).fs.Usage()
			return 0
		default:
			fmt.Fprintf(stderr, "pifinder: unknown command %q (see pifinder --help)\n", args[0])
			return 2
		}
	}
	if wantsHelp(args) {
		newFlags(stdout).fs.Usage()
		return 0
	}
	f := newFlags(stderr)
	if err := f.fs.Parse(args); err != nil {
		return 2 // the flag package has said what is wrong
	}
	if f.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pifinder: unexpected argument %q (see pifinder --help)\n", f.fs.Arg(0))
		return 2
	}
	if f.version {
		fmt.Fprintln(stdout, version())
		return 0
	}
	if err := f.check(); err != nil {
		fmt.Fprintln(stderr, "pifinder:", err)
		return 2
	}
	log, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "pifinder:", err)
		return 2
	}
	cfg, err := f.config(log)
	if err == nil {
		f.fromEnvironment(&cfg, os.Getenv)
	}
	if err != nil {
		log.Error().Err(err).Int("exit_status", 2).Msg("bad flags")
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
		log.Error().Err(err).Int("exit_status", 2).Msg("cannot start the pipeline")
		return 2
	}
	settleMemory(log)
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
	cameraBackend   string
	picamPython     string
	sensor          string
	lens            string
	exposure        string
	fov             float64
	imu             string
	i2cBus          string
	screenDirection string
	mount           string
	sleepTimeout    string
	display, keypad string
	simObserver     bool
	db              string
	record          string
	lx200           string
	http            string
	apiToken        string
	privateReads    bool
	configPath      string
	location        string
	gpsd            string
	obslog          string
	summaryEvery    time.Duration
	version         bool
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
	fs.StringVar(&f.camera, "camera", "sim", "frame source: sim (rendered sky), replay (image files), rpicam (Raspberry Pi camera, see --camera-backend) or none")
	fs.StringVar(&f.images, "images", "", "with --camera replay: a folder or glob of PNG/JPEG/TIFF/FITS frames")
	fs.DurationVar(&f.replayInterval, "replay-interval", 10*time.Second, "with --camera replay: how long each frame is shown before the next")
	fs.StringVar(&f.cameraBackend, "camera-backend", "picamera2", "with --camera rpicam: picamera2 (an embedded Python 3 helper; exposure and gain change live, frames carry the sensor's timestamp) or rpicam-raw (rpicam-apps' raw streamer; restarts on every exposure change)")
	fs.StringVar(&f.picamPython, "picamera2-python", "", "with --camera-backend picamera2: the Python 3 interpreter that has picamera2 (default python3, looked up on PATH)")
	fs.StringVar(&f.rpicamPath, "rpicam-path", "", "with --camera-backend rpicam-raw: rpicam-apps' raw-frame streamer (default rpicam-raw, looked up on PATH)")
	fs.StringVar(&f.sensor, "sensor", "imx296", "with --camera rpicam: sensor profile imx296, imx462 or hq (with --lens it sets the solver's field hint)")
	fs.StringVar(&f.lens, "lens", "", "lens: 12mm, 16mm or 25mm (default: the sensor's shipped lens)")
	fs.StringVar(&f.exposure, "exposure", "auto", "exposure: auto (matched-star auto-exposure) or microseconds")
	fs.Float64Var(&f.fov, "fov", pipeline.FOVFromSource, "solver field-of-view hint in degrees, up to 60 (-1: from sensor and lens; replay solves blind; 0: blind)")
	fs.StringVar(&f.imu, "imu", "", "IMU: sim (follows the simulated sky), bno055 (I2C on the Pi) or none (default: sim with --camera sim, bno055 with rpicam, none otherwise)")
	fs.StringVar(&f.i2cBus, "i2c-bus", "1", "with --imu bno055: the I2C bus of the BNO055, by number (1 is /dev/i2c-1, the Pi's GPIO 2/3 bus PiFinder uses) or periph name; never guessed, as the lowest-numbered bus can be the camera's")
	fs.StringVar(&f.mount, "mount", "", "mount type for the push-to guidance: altaz (moves in azimuth and altitude) or eq (in RA and Dec) (default: config file's mount_type, else altaz)")
	fs.StringVar(&f.screenDirection, "screen-direction", "", "PiFinder build (IMU mounting): flat, left, right, straight, flat3, as_bloom, as_heart, rev4_left, rev4_right, rev4_straight (default: config file, else right)")
	fs.StringVar(&f.display, "display", "", "device screen: ssd1351 (PiFinder's 128x128 OLED on SPI0), ssd1333 (rev4's 176x176), sim (shown only in the web page's remote view) or none (default: with --camera rpicam the build's panel, ssd1333 for rev4_* builds; else sim)")
	fs.StringVar(&f.keypad, "keypad", "", "keypad: gpio (PiFinder's key matrix and its PWM backlight) or none; the web page's remote keypad always works (default: gpio with --camera rpicam and a panel, else none)")
	fs.BoolVar(&f.simObserver, "sim-observer", false, "with --camera sim: a simulated person pushes the simulated telescope along the push-to guidance to each target set (for trying the guidance, and the web page, without a telescope)")
	fs.StringVar(&f.sleepTimeout, "sleep-timeout", "", "inactivity before sleeping, e.g. 30s, 1m, or Off (default: config file, else 30s)")
	fs.StringVar(&f.db, "db", "", "solver pattern database file (default: the one built into the binary)")
	fs.StringVar(&f.record, "record", "", "record the session (solves and IMU samples) to this JSON-lines file; replay it with: pifinder replay FILE")
	fs.StringVar(&f.lx200, "lx200", ":4030", "LX200 position server address for SkySafari (empty: off; not given: the config file's lx200_addr, else :4030)")
	fs.StringVar(&f.http, "http", "127.0.0.1:8080", "HTTP JSON/SSE API address (empty: off; not given: the config file's http_addr, else 127.0.0.1:8080)")
	fs.StringVar(&f.apiToken, "api-token", "", "token required by the API's mutating endpoints (not given: $PIFINDER_API_TOKEN, else the config file's api_token; a token on the command line shows in ps)")
	fs.BoolVar(&f.privateReads, "private-reads", false, "reads from another machine (the page's live data, the camera frame) need the API token or a login too; default: open, only changes need the token")
	fs.StringVar(&f.configPath, "config", defaultConfigPath(), "settings file (JSON; written atomically; missing means defaults)")
	fs.StringVar(&f.location, "location", "", "observer site LAT,LON[,ALT_M] in degrees (east positive); sets the location as MANUAL")
	fs.StringVar(&f.gpsd, "gpsd", "127.0.0.1:2947", "gpsd address for the GPS receiver's site, time and fix status (empty: off; gpsd absent is retried, never fatal)")
	fs.StringVar(&f.obslog, "obslog", pipeline.DefaultObsLogPath(), "observing log (SQLite) for the HTTP API's /api/log and /api/lists; opened on first use (empty: off)")
	fs.DurationVar(&f.summaryEvery, "summary-interval", 5*time.Second, "how often the summary log line is written (positive)")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	return f
}

// wantsHelp reports a --help or -h among the pipeline's flags (before any
// "--"), which prints the usage on stdout and exits 0.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// fromEnvironment applies what the flags left to the settings file or the
// environment: --lx200 and --http not given take the settings file's
// addresses, and --api-token not given takes PIFINDER_API_TOKEN (which
// keeps the token out of ps; the settings file's api_token comes after it).
func (f *flags) fromEnvironment(cfg *pipeline.Config, getenv func(string) string) {
	given := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if !given["lx200"] {
		cfg.LX200Addr = pipeline.AddrFromSettings
	}
	if !given["http"] {
		cfg.HTTPAddr = pipeline.AddrFromSettings
	}
	if !given["api-token"] {
		cfg.APIToken = getenv(apiTokenEnv)
	}
}

// displayName is --display, or for a run without the Pi camera the
// simulated screen that the web page's remote view shows (`go run .`);
// with --camera rpicam the pipeline picks the build's panel.
func (f *flags) displayName() string {
	if f.display == "" && f.camera != "rpicam" {
		return "sim"
	}
	return f.display
}

// apiTokenEnv names the environment variable that carries the API token.
const apiTokenEnv = "PIFINDER_API_TOKEN"

// check rejects flag values the flag package accepts but the pipeline
// cannot use.
func (f *flags) check() error {
	switch {
	case f.duration < 0:
		return fmt.Errorf("--duration %v: must not be negative (0 runs until a signal)", f.duration)
	case f.summaryEvery <= 0:
		return fmt.Errorf("--summary-interval %v: must be positive", f.summaryEvery)
	case f.replayInterval <= 0:
		return fmt.Errorf("--replay-interval %v: must be positive", f.replayInterval)
	}
	return nil
}

// version is the module version and the VCS revision the binary was built
// from, as the Go toolchain records them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "pifinder (no build information)"
	}
	v := "pifinder " + info.Main.Version
	var rev, modified, at string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			at = s.Value
		}
	}
	if rev != "" {
		v += " " + rev
		if modified == "true" {
			v += "+modified"
		}
		if at != "" {
			v += " " + at
		}
	}
	return v + " " + info.GoVersion
}

// systemdUnit is the systemd-unit subcommand: it prints the service unit.
func systemdUnit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("systemd-unit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pifinder systemd-unit\n\nPrints the systemd service unit for the Raspberry Pi (install it with:\n  pifinder systemd-unit | sudo tee /etc/systemd/system/pifinder.service).")
	}
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return 0
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "systemd-unit: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := pipeline.WriteSystemdUnit(stdout); err != nil {
		fmt.Fprintln(stderr, "systemd-unit:", err)
		return 1
	}
	return 0
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
		CameraBackend:   f.cameraBackend,
		Picamera2Python: f.picamPython,
		Sensor:          f.sensor,
		Lens:            f.lens,
		FOVEstimate:     f.fov,
		IMU:             f.imu,
		I2CBus:          f.i2cBus,
		ScreenDirection: f.screenDirection,
		SleepTimeout:    f.sleepTimeout,
		Display:         f.displayName(),
		Keypad:          f.keypad,
		SimObserver:     f.simObserver,
		Version:         version(),
		DBPath:          f.db,
		RecordPath:      f.record,
		LX200Addr:       f.lx200,
		HTTPAddr:        f.http,
		GPSDAddr:        f.gpsd,
		APIToken:        f.apiToken,
		PrivateReads:    f.privateReads,
		ConfigPath:      f.configPath,
		ObsLogPath:      f.obslog,
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
	cfg.Mount = f.mount
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
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return pipeline.Site{}, fmt.Errorf("--location %q: not a finite number", s)
		}
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
	// Milliseconds in every timestamp: a frame takes tens of them, and a
	// reader lining up the camera, solver and IMU lines needs them.
	zerolog.TimeFieldFormat = "2006-01-02T15:04:05.000Z07:00"
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}

// gcPercent is the garbage collector's target after start-up: the heap
// may grow by 30% of the live heap between collections (about 6 MB, 15 s
// of the pipeline's 0.4 MB/s with the sim camera, on a 20 MB live heap)
// instead of GOGC=100's doubling.
const gcPercent = 30

// settleMemory runs once the pipeline has decoded what it keeps: it drops
// the embedded database's file pages (decoded, never read again), sets the
// collector's target to gcPercent (unless GOGC is set), and logs the
// resident set in one line.
func settleMemory(log zerolog.Logger) {
	ev := log.Info()
	if n, err := resident.Release(db.DefaultBytes()); err != nil {
		ev = ev.AnErr("release_error", err)
	} else {
		ev = ev.Int("released_bytes", n)
	}
	gogc := gcPercent
	if cur, set := resident.TightenGC(gcPercent); !set {
		gogc = cur // the user's GOGC
	}
	ev = ev.Int("gogc", gogc)
	if st, err := resident.ReadStatus(); err == nil {
		ev = ev.Int64("vm_hwm_kb", st.HWM>>10).Int64("vm_rss_kb", st.RSS>>10).Int64("rss_anon_kb", st.Anon>>10).Int64("rss_file_kb", st.File>>10)
	}
	ev.Msg("memory after start")
}
