package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// ErrCorrupt marks a file that is not a valid config (bad JSON, wrong types).
// Load and Open moved it aside and returned the defaults.
var ErrCorrupt = errors.New("corrupt file")

// ErrInvalid marks out-of-range values. Load and Open reset those values to
// their defaults and kept everything else; the file stays in place and the
// next File.Update rewrites it. File.Update refuses a change that would
// leave such values (and changes nothing).
var ErrInvalid = errors.New("invalid values")

// Exposure is the camera exposure setting: automatic, or a fixed time in µs.
// In JSON it is the string "auto" or a number of microseconds.
type Exposure struct {
	Auto bool
	US   int64
}

// AutoExposure is the default exposure setting.
var AutoExposure = Exposure{Auto: true}

// MarshalJSON writes "auto" or the microseconds.
func (e Exposure) MarshalJSON() ([]byte, error) {
	if e.Auto {
		return []byte(`"auto"`), nil
	}
	return []byte(strconv.FormatInt(e.US, 10)), nil
}

// UnmarshalJSON reads "auto", a number of µs, or a string holding a number
// (older files store the value as text).
func (e *Exposure) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if strings.EqualFold(strings.TrimSpace(s), "auto") {
			*e = AutoExposure
			return nil
		}
		b = []byte(strings.TrimSpace(s))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		return fmt.Errorf("camera_exp %s: want \"auto\" or whole microseconds", b)
	}
	*e = Exposure{US: int64(f)}
	return nil
}

// Location is one saved observing site.
type Location struct {
	Name      string  `json:"name"`
	Lat       float64 `json:"latitude"`
	Lon       float64 `json:"longitude"`
	AltitudeM float64 `json:"height"`
	ErrorM    float64 `json:"error_in_m"`
	Source    string  `json:"source"`
	Timezone  string  `json:"timezone,omitempty"`
	IsDefault bool    `json:"is_default"`
}

// RecentTarget is one saved recent target: its name (as the catalogue
// spells it, or the label of plain coordinates) and J2000 position, so a
// name the catalogue no longer knows still gives the place.
type RecentTarget struct {
	Name string  `json:"name"`
	RA   float64 `json:"ra_deg"`
	Dec  float64 `json:"dec_deg"`
}

// Config is the persisted settings.
type Config struct {
	// TargetPixel is the alignment pixel [Y, X] in the 512-px solve image.
	TargetPixel [2]float64 `json:"target_pixel"`
	// CameraLens is the lens key ("12mm", "16mm", "25mm"); empty means the shipped lens.
	CameraLens      string   `json:"camera_lens,omitempty"`
	CameraExp       Exposure `json:"camera_exp"`
	CameraGain      float64  `json:"camera_gain"`
	ScreenDirection string   `json:"screen_direction"`
	// SleepTimeout is a duration such as "30s" or "2m", or "Off".
	SleepTimeout      string     `json:"sleep_timeout"`
	IMUThresholdScale float64    `json:"imu_threshold_scale"`
	Locations         []Location `json:"locations"`
	// APIToken authorises the HTTP API's mutating endpoints; empty disables them.
	APIToken string `json:"api_token,omitempty"`
	// LX200Addr and HTTPAddr are the listen addresses; empty turns a server off.
	LX200Addr string `json:"lx200_addr"`
	HTTPAddr  string `json:"http_addr"`
	// MountType is the mount the push-to guidance is for: "altaz" or
	// "equatorial" (any spelling targets.ParseMount takes is normalised).
	MountType string `json:"mount_type"`
	// RecentTargets are the latest targets, newest first, at most
	// state.MaxRecent.
	RecentTargets []RecentTarget `json:"recent_targets"`
	// ScreenBrightness is the OLED's and the keypad backlight's brightness,
	// 0 (dimmest) to 255.
	ScreenBrightness int `json:"screen_brightness"`

	// Extra holds keys this package does not know, written back as they were.
	Extra map[string]json.RawMessage `json:"-"`
}

// Default returns the settings PiFinder ships with.
func Default() Config {
	return Config{
		TargetPixel:       [2]float64{256, 256},
		CameraExp:         AutoExposure,
		CameraGain:        20,
		ScreenDirection:   "right",
		SleepTimeout:      "30s",
		IMUThresholdScale: 1,
		Locations:         []Location{},
		LX200Addr:         ":4030",
		HTTPAddr:          "127.0.0.1:8080",
		MountType:         targets.AltAz.String(),
		RecentTargets:     []RecentTarget{},
		ScreenBrightness:  DefaultScreenBrightness,
	}
}

// DefaultScreenBrightness is the screen brightness PiFinder starts with:
// about half (its display menu's middle step), dim enough for dark-adapted
// eyes at the red palette.
const DefaultScreenBrightness = 128

// SleepTimeoutDuration returns the sleep timeout; ok is false for "Off".
func (c Config) SleepTimeoutDuration() (d time.Duration, ok bool, err error) {
	return parseSleep(c.SleepTimeout)
}

func parseSleep(s string) (time.Duration, bool, error) {
	if strings.EqualFold(s, "off") {
		return 0, false, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false, fmt.Errorf("sleep_timeout %q: want a positive duration like \"30s\" or \"Off\"", s)
	}
	return d, true, nil
}

// screenDirections are the builds of reference §5.4.
var screenDirections = []string{"flat", "left", "right", "straight", "flat3", "as_bloom", "as_heart", "rev4_left", "rev4_right", "rev4_straight"}

// knownKeys are the JSON names of Config's fields.
func knownKeys() map[string]bool {
	b, _ := json.Marshal(Default())
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	m["camera_lens"], m["api_token"] = nil, nil
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys
}

// Parse decodes a config file's contents. Missing keys keep their defaults.
// A syntax or type error returns the defaults and an error wrapping
// ErrCorrupt; out-of-range values are reset to their defaults and reported
// with an error wrapping ErrInvalid (the rest of the file is kept).
func Parse(data []byte) (Config, error) {
	def := Default()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return def, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if raw == nil {
		return def, fmt.Errorf("%w: top level is null, want an object", ErrCorrupt)
	}
	c := Default()
	if err := json.Unmarshal(data, &c); err != nil {
		return def, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	known := knownKeys()
	for k, v := range raw {
		if !known[k] {
			if c.Extra == nil {
				c.Extra = map[string]json.RawMessage{}
			}
			// Stored compact so the value does not depend on the file's layout.
			var buf bytes.Buffer
			if err := json.Compact(&buf, v); err != nil {
				return def, fmt.Errorf("%w: key %q: %w", ErrCorrupt, k, err)
			}
			c.Extra[k] = json.RawMessage(buf.Bytes())
		}
	}
	if c.Locations == nil {
		c.Locations = []Location{}
	}
	if c.RecentTargets == nil {
		c.RecentTargets = []RecentTarget{}
	}
	if problems := c.fix(def); len(problems) > 0 {
		return c, fmt.Errorf("%w: %s (reset to defaults)", ErrInvalid, strings.Join(problems, "; "))
	}
	return c, nil
}

// fix resets out-of-range fields to def and lists what it changed.
func (c *Config) fix(def Config) []string {
	var p []string
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
	tp := c.TargetPixel
	if !(finite(tp[0]) && finite(tp[1]) && tp[0] >= 0 && tp[1] >= 0 && tp[0] <= state.MaxPixel && tp[1] <= state.MaxPixel) {
		p = append(p, fmt.Sprintf("target_pixel %v out of [0, %d]", tp, state.MaxPixel))
		c.TargetPixel = def.TargetPixel
	}
	if !c.CameraExp.Auto && c.CameraExp.US <= 0 {
		p = append(p, fmt.Sprintf("camera_exp %d µs not positive", c.CameraExp.US))
		c.CameraExp = def.CameraExp
	}
	if !(c.CameraGain >= 0 && c.CameraGain <= 1000) {
		p = append(p, fmt.Sprintf("camera_gain %g out of [0, 1000]", c.CameraGain))
		c.CameraGain = def.CameraGain
	}
	// PiFinder renames the legacy v4_* builds on load.
	if strings.HasPrefix(c.ScreenDirection, "v4_") {
		c.ScreenDirection = "re" + c.ScreenDirection
	}
	if !contains(screenDirections, c.ScreenDirection) {
		p = append(p, fmt.Sprintf("screen_direction %q not one of %v", c.ScreenDirection, screenDirections))
		c.ScreenDirection = def.ScreenDirection
	}
	if _, _, err := parseSleep(c.SleepTimeout); err != nil {
		p = append(p, err.Error())
		c.SleepTimeout = def.SleepTimeout
	}
	if !(c.IMUThresholdScale > 0 && c.IMUThresholdScale <= 100) {
		p = append(p, fmt.Sprintf("imu_threshold_scale %g out of (0, 100]", c.IMUThresholdScale))
		c.IMUThresholdScale = def.IMUThresholdScale
	}
	if !(c.ScreenBrightness >= 0 && c.ScreenBrightness <= 255) {
		p = append(p, fmt.Sprintf("screen_brightness %d out of [0, 255]", c.ScreenBrightness))
		c.ScreenBrightness = def.ScreenBrightness
	}
	kept := c.Locations[:0:0]
	for i, l := range c.Locations {
		if !(l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 360 && finite(l.AltitudeM)) {
			p = append(p, fmt.Sprintf("locations[%d] %q: latitude/longitude (%g, %g) out of range, dropped", i, l.Name, l.Lat, l.Lon))
			continue
		}
		kept = append(kept, l)
	}
	c.Locations = kept
	p = append(p, c.fixTargets(def)...)
	return p
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Marshal encodes c as the file contents: one JSON object, indent 4, keys sorted.
func Marshal(c Config) ([]byte, error) {
	if c.Locations == nil {
		c.Locations = []Location{}
	}
	if c.RecentTargets == nil {
		c.RecentTargets = []RecentTarget{}
	}
	var first bytes.Buffer
	enc := json.NewEncoder(&first)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	b := first.Bytes()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	for k, v := range c.Extra {
		if _, ok := m[k]; !ok && json.Valid(v) {
			m[k] = v
		}
	}
	// Map keys come out sorted; no HTML escaping, so "&" stays "&".
	var out bytes.Buffer
	enc = json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return out.Bytes(), nil
}

// Load reads the config file at path, for a program that only reads the
// settings; the one writer of the file is a File (see Open). A missing file
// gives the defaults and no error. A corrupt file is renamed to
// path+".bad-<UTC timestamp>" and the defaults are returned with an error
// wrapping ErrCorrupt that names the backup. Out-of-range values give an
// error wrapping ErrInvalid together with the otherwise loaded config. Any
// other read error returns the defaults and the error. The returned Config
// is always usable. Errors read "config <path>: ...".
func Load(path string) (Config, error) {
	c, _, err := load(path)
	return c, err
}

// load is Load; writable is false when the file could be neither read nor
// set aside, so writing over it would lose it.
func load(path string) (c Config, writable bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), true, nil
	}
	if err != nil {
		// The path is in the prefix already; keep the operation and cause.
		return Default(), false, fmt.Errorf("config %s: %w", path, pathless(err, path))
	}
	c, err = Parse(data)
	if err == nil || !errors.Is(err, ErrCorrupt) {
		if err != nil {
			err = fmt.Errorf("config %s: %w", path, err)
		}
		return c, true, err
	}
	bad := backupName(path)
	if rerr := os.Rename(path, bad); rerr != nil {
		return c, false, fmt.Errorf("config %s: %w; could not move it aside: %w", path, err, rerr)
	}
	return c, true, fmt.Errorf("config %s: %w; moved to %s, using defaults", path, err, bad)
}

// backupName is where a corrupt file at path is kept: path+".bad-<UTC time>".
func backupName(path string) string {
	return path + ".bad-" + time.Now().UTC().Format("20060102T150405.000000000Z")
}
