package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// Tuning is the owner of the settings a user changes while observing: GET
// and PATCH /api/settings read and change them through it. The pipeline
// implements it (it applies each change to the running workers and saves it
// in the settings file); nil answers 404.
type Tuning interface {
	// Settings returns the current values.
	Settings() SettingsView
	// ApplySettings checks every field of p, then applies and persists
	// them, and returns the new values. A change it refuses is an error
	// wrapping ErrBadSetting (a 400, nothing changed).
	ApplySettings(ctx context.Context, p SettingsPatch) (SettingsView, error)
}

// ErrBadSetting marks a refused value of PATCH /api/settings.
var ErrBadSetting = errors.New("bad setting")

// SettingsView is the JSON of GET /api/settings.
type SettingsView struct {
	SleepTimeout     string          `json:"sleep_timeout"` // "30s", "2m", "Off"
	Exposure         config.Exposure `json:"exposure"`      // "auto" or microseconds
	Lens             string          `json:"lens"`
	Mount            string          `json:"mount"` // "altaz" or "equatorial"
	ScreenBrightness int             `json:"screen_brightness"`
	// Read-only: the camera's sensor and the field its lens gives.
	Sensor string  `json:"sensor"`
	FOVDeg float64 `json:"fov_deg"`
	// Persisted is false when there is no settings file: changes last
	// until the next start only.
	Persisted bool `json:"persisted"`
	// Choices are the values the page offers for each field.
	Choices SettingsChoices `json:"choices"`
}

// SettingsChoices lists the accepted values of the fields that have a list.
type SettingsChoices struct {
	SleepTimeout []string `json:"sleep_timeout"`
	Lens         []string `json:"lens"`
	Mount        []string `json:"mount"`
}

// SettingsPatch is the body of PATCH /api/settings: the fields to change.
// Sensor and fov_deg are read-only and refused.
type SettingsPatch struct {
	SleepTimeout     *string          `json:"sleep_timeout,omitempty"`
	Exposure         *config.Exposure `json:"exposure,omitempty"`
	Lens             *string          `json:"lens,omitempty"`
	Mount            *string          `json:"mount,omitempty"`
	ScreenBrightness *int             `json:"screen_brightness,omitempty"`
	Sensor           *string          `json:"sensor,omitempty"`
	FOVDeg           *float64         `json:"fov_deg,omitempty"`
}

const settingsHelp = `want any of {"sleep_timeout": "30s"|"Off", "exposure": "auto"|<µs>, "lens": ..., "mount": "altaz"|"equatorial", "screen_brightness": <0..255>}`

// empty reports whether p changes nothing.
func (p SettingsPatch) empty() bool {
	return p.SleepTimeout == nil && p.Exposure == nil && p.Lens == nil && p.Mount == nil && p.ScreenBrightness == nil &&
		p.Sensor == nil && p.FOVDeg == nil
}

func (s *Server) settingsEndpoints() []endpoint {
	return []endpoint{
		{http.MethodGet, "/api/settings", s.getSettings},
		{http.MethodPatch, "/api/settings", s.patchSettings},
		{http.MethodPost, "/api/site", s.postSite},
		{http.MethodPost, "/api/time", s.postTime},
	}
}

func (s *Server) tuning(w http.ResponseWriter) (Tuning, bool) {
	if s.cfg.Tuning == nil {
		writeError(w, http.StatusNotFound, "no live settings on this server")
		return nil, false
	}
	return s.cfg.Tuning, true
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	t, ok := s.tuning(w)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, t.Settings())
}

func (s *Server) patchSettings(w http.ResponseWriter, r *http.Request) {
	t, ok := s.tuning(w)
	if !ok {
		return
	}
	var p SettingsPatch
	if !s.decodeJSON(w, r, &p, settingsHelp) {
		return
	}
	switch {
	case p.Sensor != nil || p.FOVDeg != nil:
		writeError(w, http.StatusBadRequest, "sensor and fov_deg are read-only (the sensor is the camera's; the field follows the lens)")
		return
	case p.empty():
		writeError(w, http.StatusBadRequest, "nothing to change: "+settingsHelp)
		return
	}
	if err := checkPatch(p, t.Settings()); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	v, err := t.ApplySettings(r.Context(), p)
	switch {
	case errors.Is(err, ErrBadSetting):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "settings not changed: "+err.Error())
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

// siteBody is POST /api/site: the observer's site from the phone's
// geolocation ("phone") or typed by the user ("manual").
type siteBody struct {
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
	AltM   float64  `json:"alt_m"`
	Source string   `json:"source"`
	// AccuracyM is the phone's estimate of its error (Geolocation's
	// coords.accuracy), shown with the site.
	AccuracyM float64 `json:"accuracy_m"`
}

const siteHelp = `want {"lat": <-90..90>, "lon": <-180..360>, "alt_m": <m>, "source": "phone"|"manual"}`

// Location sources of POST /api/site: a phone's geolocation is "WEB" (the
// source PiFinder's web interface sets), a typed site "MANUAL". Like an
// app's site, neither is replaced by a GPS fix.
var siteSources = map[string]string{"phone": "WEB", "manual": "MANUAL"}

// SiteView is the reply of POST /api/site.
type SiteView struct {
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	AltM   float64 `json:"alt_m"`
	ErrorM float64 `json:"error_m"`
	Source string  `json:"source"`
}

func (s *Server) postSite(w http.ResponseWriter, r *http.Request) {
	var b siteBody
	if !s.decodeJSON(w, r, &b, siteHelp) {
		return
	}
	src, known := siteSources[b.Source]
	switch {
	case b.Lat == nil || b.Lon == nil:
		writeError(w, http.StatusBadRequest, "lat and lon are required: "+siteHelp)
		return
	case !known:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("source %q: %s", b.Source, siteHelp))
		return
	case !(*b.Lat >= -90 && *b.Lat <= 90) || !(*b.Lon >= -180 && *b.Lon <= 360):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("site (%g, %g) out of range: %s", *b.Lat, *b.Lon, siteHelp))
		return
	case !(b.AltM >= -500 && b.AltM <= 10000):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("alt_m %g outside -500 to 10000 m", b.AltM))
		return
	case !(b.AccuracyM >= 0 && b.AccuracyM < 1e7):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("accuracy_m %g: want metres, 0 when unknown", b.AccuracyM))
		return
	}
	st, err := s.cfg.Store.Snapshot(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state unavailable: "+err.Error())
		return
	}
	loc := state.Location{
		Lat: *b.Lat, Lon: *b.Lon, AltitudeM: b.AltM, ErrorM: b.AccuracyM, Source: src, Lock: true, LockType: 3,
		Timezone: st.Location.Timezone, LastGPSLock: st.Location.LastGPSLock,
	}
	if err := s.cfg.Store.Update(r.Context(), state.SetLocation{Location: loc}); err != nil {
		writeError(w, http.StatusServiceUnavailable, "site not set: "+err.Error())
		return
	}
	s.cfg.Log.Info().Float64("lat", loc.Lat).Float64("lon", loc.Lon).Float64("alt_m", loc.AltitudeM).Str("source", src).Msg("http api: site set")
	writeJSON(w, http.StatusOK, SiteView{Lat: loc.Lat, Lon: loc.Lon, AltM: loc.AltitudeM, ErrorM: loc.ErrorM, Source: src})
}

// timeBody is POST /api/time: the phone's clock. Force makes it a manual
// entry, kept even against GPS; without it the phone's time is taken as an
// app's (it replaces the Pi's unverified boot clock, not GPS time).
type timeBody struct {
	UnixMS *int64 `json:"unix_ms"`
	Force  bool   `json:"force"`
}

// ClockReply is the reply of POST /api/time: the shared clock afterwards.
type ClockReply struct {
	Time   string `json:"time"` // RFC 3339, UTC, milliseconds
	Source string `json:"source"`
	// Taken is false when the clock kept its value (GPS or a manual entry
	// set it; send "force": true to override).
	Taken bool `json:"taken"`
}

// timeWindow bounds the times POST /api/time accepts: a phone's clock is
// right to seconds; a value outside 2000-2200 is a unit mistake (seconds
// for milliseconds).
var timeWindow = [2]int64{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()}

func (s *Server) postTime(w http.ResponseWriter, r *http.Request) {
	var b timeBody
	if !s.decodeJSON(w, r, &b, `want {"unix_ms": <milliseconds since 1970>, "force": false}`) {
		return
	}
	if b.UnixMS == nil || *b.UnixMS < timeWindow[0] || *b.UnixMS >= timeWindow[1] {
		writeError(w, http.StatusBadRequest, `unix_ms: want milliseconds since 1970 (JavaScript's Date.now()) between 2000 and 2200`)
		return
	}
	t := time.UnixMilli(*b.UnixMS).UTC()
	u := state.SetDateTime{Time: t, Source: state.TimeApp}
	if b.Force {
		u = state.SetDateTime{Time: t, Force: true, Source: state.TimeManual}
	}
	sent := time.Now()
	if err := s.cfg.Store.Update(r.Context(), u); err != nil {
		writeError(w, http.StatusServiceUnavailable, "time not set: "+err.Error())
		return
	}
	st, err := s.cfg.Store.Snapshot(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state unavailable: "+err.Error())
		return
	}
	now, _ := st.Clock.Now()
	// Taken: the clock now reads the phone's time (give or take the
	// request's own latency).
	taken := math.Abs(float64(now.Sub(t)-time.Since(sent))) < float64(time.Second)
	s.cfg.Log.Info().Time("time", t).Bool("force", b.Force).Bool("taken", taken).Str("source", string(st.Clock.Source())).Msg("http api: time offered")
	writeJSON(w, http.StatusOK, ClockReply{Time: now.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Source: string(st.Clock.Source()), Taken: taken})
}

// checkPatch refuses the values a Tuning would: choices not offered, a
// brightness outside 0..255, an exposure outside 1 µs..a minute. It
// normalises the sleep timeout's and the mount's spelling in place.
func checkPatch(p SettingsPatch, cur SettingsView) error {
	if p.SleepTimeout != nil {
		v, err := NormalizeSleepTimeout(*p.SleepTimeout)
		if err != nil {
			return err
		}
		*p.SleepTimeout = v
	}
	if e := p.Exposure; e != nil && !e.Auto && (e.US < 1 || e.US > camera.MaxExposureUS) {
		return fmt.Errorf("%w: exposure %d µs: want \"auto\" or 1 to %d microseconds", ErrBadSetting, e.US, camera.MaxExposureUS)
	}
	if p.Lens != nil && !slices.Contains(cur.Choices.Lens, *p.Lens) {
		return fmt.Errorf("%w: lens %q: want one of %s", ErrBadSetting, *p.Lens, strings.Join(cur.Choices.Lens, ", "))
	}
	if p.Mount != nil {
		m, err := targets.ParseMount(*p.Mount)
		if err != nil {
			return fmt.Errorf("%w: mount %q: want altaz or equatorial", ErrBadSetting, *p.Mount)
		}
		*p.Mount = m.String()
	}
	if b := p.ScreenBrightness; b != nil && (*b < 0 || *b > 255) {
		return fmt.Errorf("%w: screen_brightness %d: want 0 to 255", ErrBadSetting, *b)
	}
	return nil
}

// MountChoices are the mount types of the guidance.
var MountChoices = []string{targets.AltAz.String(), targets.Equatorial.String()}

// SleepTimeoutChoices are the sleep timeouts the page offers (PiFinder's
// menu); PATCH takes any positive duration or "Off".
var SleepTimeoutChoices = []string{"Off", "10s", "30s", "1m", "2m", "5m", "10m", "30m"}

// NormalizeSleepTimeout checks a sleep timeout and returns its canonical
// spelling ("Off" or a Go duration).
func NormalizeSleepTimeout(s string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(s), "off") {
		return "Off", nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < time.Second || d > 24*time.Hour {
		return "", fmt.Errorf("%w: sleep_timeout %q: want \"Off\" or a duration from 1s to 24h like \"30s\"", ErrBadSetting, s)
	}
	return strings.TrimSpace(s), nil
}
