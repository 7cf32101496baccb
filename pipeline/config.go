package pipeline

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/hw/display"
	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/hw/mount"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/solver"
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
	RPiCamPath     string        // rpicam: the rpicam-raw program
	Sensor, Lens   string        // camera profile and lens (default imx296 and its shipped lens)
	ExposureUS     int64         // fixed exposure; 0: the settings file, else auto-exposure
	// FOVEstimate is the solver's field hint in degrees: FOVFromSource (-1)
	// derives it from the source (sim: its field, rpicam: sensor and lens,
	// replay and others: blind); 0 solves blind.
	FOVEstimate float64

	// CameraBackend is how rpicam reaches the camera: "picamera2" (the
	// default: the embedded helper, live exposure changes) or "rpicam-raw".
	CameraBackend   string
	Picamera2Python string // picamera2 backend: the Python 3 with picamera2 (default python3)

	// IMUDevice is an embedder's own IMU; when nil, IMU names one to open:
	// "sim", "bno055" or "none"; "" picks the camera's companion (sim for
	// the sim camera, bno055 for rpicam, none otherwise).
	IMUDevice       imu.Device
	IMU             string
	I2CBus          string // bno055's I²C bus by number ("1": /dev/i2c-1) or name; "" bno055.DefaultBus, never periph's lowest-numbered bus
	ScreenDirection string // PiFinder build; "" the settings file, else "right"
	SleepTimeout    string // "30s", "Off"...; "" the settings file, else 30 s

	Solver *solver.Solver // nil: DBPath, else the built-in database
	DBPath string

	RecordPath string    // record the session as JSON lines to this file
	Record     io.Writer // or to this writer

	// LX200Addr and HTTPAddr are the servers' addresses; "" turns a server
	// off, and AddrFromSettings takes the settings file's lx200_addr or
	// http_addr (defaults :4030 and 127.0.0.1:8080).
	LX200Addr string
	HTTPAddr  string
	// LX200Listener and HTTPListener, when set, are served instead of
	// listening on the addresses (socket activation, in-memory tests); the
	// pipeline closes them.
	LX200Listener, HTTPListener net.Listener
	APIToken                    string // token for the API's mutating endpoints; "" the settings file
	ConfigPath                  string // settings file; "" none (nothing persisted)

	// PrivateReads makes the API's reads from another machine need the
	// token or a session too (api.Config.PrivateReads).
	PrivateReads bool

	Location        *Site // observer site (source MANUAL); nil boots at 0,0 unlocked as PiFinder does
	SummaryInterval time.Duration
	Fault           Fault

	// GPSDAddr is gpsd's address for the GPS worker (the binary's default
	// is gps.DefaultAddr, 127.0.0.1:2947); "" runs without GPS.
	GPSDAddr string

	// World is the simulated telescope shared by the sim camera and IMU;
	// nil: the default script starting now.
	World *simworld.World
	// SimObserver adds a simulated person at the simulated telescope who
	// follows the push-to guidance to each target set (simobserver.go);
	// it needs the simulated sky camera.
	SimObserver bool
	// SimIMU tunes the simulated IMU (drift, noise...); nil: 3″/s drift, 1″ noise.
	SimIMU *simimu.Config

	// Mount is the mount type the push-to guidance is for: "altaz" or
	// "equatorial" (targets.ParseMount's spellings); "" the settings
	// file's mount_type, else altaz.
	Mount string

	// ObsLogPath is the observing log's SQLite file for the HTTP API's
	// /api/log and /api/lists (the binary's default is
	// DefaultObsLogPath()); "" turns the log off. It is checked at start
	// and opened on first use (obslog.go).
	ObsLogPath string

	// Display is the device screen: "ssd1351" (PiFinder's 128×128 OLED),
	// "ssd1333" (rev4's 176×176), "sim" (drawn for the web page's remote
	// view only) or "none"; "" the build's: the panel with --camera rpicam,
	// else none (see displayName; the binary passes "sim"). Keypad is
	// "gpio" (PiFinder's key matrix) or "none"; "" the build's.
	Display, Keypad string
	// DisplayDevice and KeyInput are an embedder's own screen and keys,
	// used instead of Display and besides Keypad; the pipeline closes them.
	DisplayDevice display.Display
	KeyInput      keypad.Input

	// Version is the program's version, shown by the device screen's
	// About page.
	Version string
}

// AddrFromSettings, as LX200Addr or HTTPAddr, takes the address from the
// settings file (the binary passes it for a --lx200 or --http not given, so
// that flags win over the file and the file over the defaults).
const AddrFromSettings = "settings"

// FOVFromSource is the FOVEstimate that derives the solver's field hint
// from the frame source.
const FOVFromSource = -1

// maxFOVDeg is the widest field hint accepted: the pattern databases cover
// at most 60° (solver/db), and PiFinder's widest lens gives about 15°.
const maxFOVDeg = 60

// Names of the sources and IMUs New opens.
var (
	CameraNames = []string{"sim", "replay", "rpicam", "none"}
	IMUNames    = []string{"sim", "bno055", "none"}
	// CameraBackends are the ways --camera rpicam reaches the camera.
	CameraBackends = []string{"picamera2", "rpicam-raw"}
)

// ConfigError is a start-up error caused by one setting: the command-line
// flag that sets it (the Config field's flag, so that a user of the binary
// reads the name they typed), the value, and why it cannot be used.
type ConfigError struct {
	Flag  string // e.g. "--db"
	Value string
	Err   error
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %v", e.Flag, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Flag, e.Value, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

func badSetting(flag, value string, format string, args ...any) error {
	return &ConfigError{Flag: flag, Value: value, Err: fmt.Errorf(format, args...)}
}

// check validates the settings a user types, before anything is opened, so
// that a mistake is one clear line and nothing to clean up.
func (c *Config) check() error {
	if err := c.checkScreen(); err != nil { // screen_devices.go
		return err
	}
	if c.Source == nil && !slices.Contains(CameraNames, c.camera()) {
		return badSetting("--camera", c.Camera, "unknown camera (want %s)", strings.Join(CameraNames, ", "))
	}
	if c.Source == nil && !slices.Contains(CameraBackends, c.cameraBackend()) {
		return badSetting("--camera-backend", c.CameraBackend, "unknown camera backend (want %s)", strings.Join(CameraBackends, ", "))
	}
	if c.Source == nil && c.camera() == "replay" && strings.TrimSpace(c.Images) == "" {
		return badSetting("--images", "", "--camera replay needs a folder or glob of image files")
	}
	if c.ReplayInterval < 0 {
		return badSetting("--replay-interval", c.ReplayInterval.String(), "must be positive")
	}
	if c.IMUDevice == nil && c.IMU != "" && !slices.Contains(IMUNames, c.IMU) {
		return badSetting("--imu", c.IMU, "unknown IMU (want %s)", strings.Join(IMUNames, ", "))
	}
	if c.Sensor != "" {
		if _, err := rawconv.Lookup(c.Sensor); err != nil {
			return badSetting("--sensor", c.Sensor, "unknown sensor (want %s)", strings.Join(SensorNames(), ", "))
		}
	}
	if c.Lens != "" {
		if _, ok := lenses[c.Lens]; !ok {
			return badSetting("--lens", c.Lens, "unknown lens (want %s)", strings.Join(LensNames(), ", "))
		}
	}
	if c.ScreenDirection != "" {
		if _, err := mount.IMUToCamera(c.ScreenDirection); err != nil {
			return badSetting("--screen-direction", c.ScreenDirection, "unknown build (want %s)", strings.Join(mount.Directions(), ", "))
		}
	}
	if c.SleepTimeout != "" {
		if _, err := power.ParseTimeout(c.SleepTimeout); err != nil {
			return badSetting("--sleep-timeout", c.SleepTimeout, "want Off or a positive duration like 30s")
		}
	}
	if f := c.FOVEstimate; f != FOVFromSource && (math.IsNaN(f) || f < 0 || f > maxFOVDeg) {
		return badSetting("--fov", fmt.Sprint(f), "want -1 (from the camera), 0 (blind) or a field of up to %d degrees", maxFOVDeg)
	}
	if c.ExposureUS < 0 || c.ExposureUS > camera.MaxExposureUS {
		return badSetting("--exposure", fmt.Sprint(c.ExposureUS), "want auto or 1 to %d microseconds", camera.MaxExposureUS)
	}
	if c.SummaryInterval < 0 {
		return badSetting("--summary-interval", c.SummaryInterval.String(), "must be positive")
	}
	if s := c.Location; s != nil {
		if err := s.check(); err != nil {
			return &ConfigError{Flag: "--location", Value: fmt.Sprintf("%g,%g,%g", s.Lat, s.Lon, s.AltitudeM), Err: err}
		}
	}
	if err := c.checkMount(); err != nil {
		return err
	}
	if c.SimObserver && (c.Source != nil || c.camera() != "sim") {
		return badSetting("--sim-observer", "", "needs the simulated sky (--camera sim): the observer pushes the simulated telescope")
	}
	if c.Fault.Kind != "" && c.Fault.Kind != "owner-panic" && c.Fault.Kind != "owner-error" {
		return badSetting("--fault", c.Fault.Kind, "unknown fault")
	}
	return nil
}

// check rejects impossible sites: non-finite numbers, latitudes beyond the
// poles, longitudes outside one turn, altitudes below the Dead Sea or above
// any place a telescope stands.
func (s Site) check() error {
	for _, v := range []float64{s.Lat, s.Lon, s.AltitudeM} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("not a finite number")
		}
	}
	switch {
	case s.Lat < -90 || s.Lat > 90:
		return errors.New("latitude outside -90 to 90")
	case s.Lon < -180 || s.Lon > 360:
		return errors.New("longitude outside -180 to 360")
	case s.AltitudeM < -500 || s.AltitudeM > 10000:
		return errors.New("altitude outside -500 to 10000 m")
	}
	return nil
}

func (c *Config) camera() string { return firstNonEmpty(c.Camera, "sim") }

func (c *Config) cameraBackend() string { return firstNonEmpty(c.CameraBackend, "picamera2") }

// imuName is the IMU to open: the one named, else the camera's companion.
func (c *Config) imuName() string {
	if c.IMU != "" {
		return c.IMU
	}
	// The simulated IMU follows the simulated sky, the Pi camera comes with
	// a BNO055, replayed frames and embedders' sources have no motion to follow.
	switch {
	case c.Source != nil || c.camera() == "replay" || c.camera() == "none":
		return "none"
	case c.camera() == "rpicam":
		return "bno055"
	}
	return "sim"
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
