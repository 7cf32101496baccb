package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// fakeTuning holds settings in memory and counts the changes applied.
type fakeTuning struct {
	mu      sync.Mutex
	v       SettingsView
	patches []SettingsPatch
	err     error
}

func newFakeTuning() *fakeTuning {
	return &fakeTuning{v: SettingsView{
		SleepTimeout: "30s", Exposure: config.AutoExposure, Lens: "12mm", Mount: "altaz", ScreenBrightness: 128,
		Sensor: "imx296", FOVDeg: 10.2, Persisted: true,
		Choices: SettingsChoices{SleepTimeout: SleepTimeoutChoices, Lens: []string{"12mm", "16mm", "25mm"}, Mount: MountChoices},
	}}
}

func (f *fakeTuning) Settings() SettingsView {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.v
}

func (f *fakeTuning) ApplySettings(_ context.Context, p SettingsPatch) (SettingsView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return SettingsView{}, f.err
	}
	f.patches = append(f.patches, p)
	if p.SleepTimeout != nil {
		f.v.SleepTimeout = *p.SleepTimeout
	}
	if p.Exposure != nil {
		f.v.Exposure = *p.Exposure
	}
	if p.Lens != nil {
		f.v.Lens = *p.Lens
	}
	if p.Mount != nil {
		f.v.Mount = *p.Mount
	}
	if p.ScreenBrightness != nil {
		f.v.ScreenBrightness = *p.ScreenBrightness
	}
	return f.v, nil
}

func (f *fakeTuning) applied() int {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.patches)
}

func doHandler(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host, req.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:40000"
	req.Header.Set("X-API-Token", token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSettings(t *testing.T) {
	cases := []struct {
		name, method, body string
		code               int
		want               func(v *SettingsView) // the settings afterwards; nil: unchanged
		msg                string                // part of the error
	}{
		{"read", "GET", "", 200, nil, ""},
		{"sleep", "PATCH", `{"sleep_timeout": "2m"}`, 200, func(v *SettingsView) { v.SleepTimeout = "2m" }, ""},
		{"sleep off, any case", "PATCH", `{"sleep_timeout": "off"}`, 200, func(v *SettingsView) { v.SleepTimeout = "Off" }, ""},
		{"sleep zero", "PATCH", `{"sleep_timeout": "0s"}`, 400, nil, "sleep_timeout"},
		{"sleep junk", "PATCH", `{"sleep_timeout": "soon"}`, 400, nil, "sleep_timeout"},
		{"fixed exposure", "PATCH", `{"exposure": 400000}`, 200, func(v *SettingsView) { v.Exposure = config.Exposure{US: 400000} }, ""},
		{"auto exposure", "PATCH", `{"exposure": "auto"}`, 200, nil, ""},
		{"exposure zero", "PATCH", `{"exposure": 0}`, 400, nil, "exposure"},
		{"exposure an hour", "PATCH", `{"exposure": 3600000000}`, 400, nil, ""},
		{"exposure words", "PATCH", `{"exposure": "long"}`, 400, nil, "camera_exp"},
		{"lens", "PATCH", `{"lens": "25mm"}`, 200, func(v *SettingsView) { v.Lens = "25mm" }, ""},
		{"lens unknown", "PATCH", `{"lens": "50mm"}`, 400, nil, "12mm, 16mm, 25mm"},
		{"mount, another spelling", "PATCH", `{"mount": "EQ"}`, 200, func(v *SettingsView) { v.Mount = "equatorial" }, ""},
		{"mount unknown", "PATCH", `{"mount": "fork"}`, 400, nil, "mount"},
		{"brightness", "PATCH", `{"screen_brightness": 0}`, 200, func(v *SettingsView) { v.ScreenBrightness = 0 }, ""},
		{"brightness too high", "PATCH", `{"screen_brightness": 256}`, 400, nil, "0 to 255"},
		{"brightness fraction", "PATCH", `{"screen_brightness": 1.5}`, 400, nil, ""},
		{"several", "PATCH", `{"lens": "16mm", "mount": "altaz", "screen_brightness": 9}`, 200, func(v *SettingsView) { v.Lens, v.ScreenBrightness = "16mm", 9 }, ""},
		{"one bad of several changes nothing", "PATCH", `{"lens": "16mm", "screen_brightness": -1}`, 400, nil, ""},
		{"read-only sensor", "PATCH", `{"sensor": "imx477"}`, 400, nil, "read-only"},
		{"read-only fov", "PATCH", `{"fov_deg": 5}`, 400, nil, "read-only"},
		{"unknown field", "PATCH", `{"gain": 5}`, 400, nil, "unknown field"},
		{"nothing", "PATCH", `{}`, 400, nil, "nothing to change"},
		{"empty body", "PATCH", ``, 400, nil, "empty body"},
		{"too big", "PATCH", `{"lens": "` + strings.Repeat("x", 70<<10) + `"}`, 413, nil, ""},
		{"wrong method", "POST", `{"lens": "16mm"}`, 405, nil, ""},
		{"DELETE", "DELETE", ``, 405, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, state.Default())
			tun := newFakeTuning()
			before := tun.Settings()
			h := New(Config{Store: store, Token: token, Tuning: tun}).Handler()
			rec := doHandler(t, h, tc.method, "/api/settings", tc.body)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			want := before
			if tc.want != nil {
				tc.want(&want)
			}
			if diff := cmp.Diff(want, tun.Settings()); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
			if tc.code != 200 {
				if msg := errorOf(t, rec.Body.Bytes()); !strings.Contains(msg, tc.msg) {
					t.Errorf("error %q does not say %q", msg, tc.msg)
				}
				if tun.applied() != 0 {
					t.Errorf("refused request applied %d changes", tun.applied())
				}
				return
			}
			var got SettingsView
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSettingsWithoutTuning(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	h := New(Config{Store: store, Token: token}).Handler()
	for _, m := range []string{"GET", "PATCH"} {
		if rec := doHandler(t, h, m, "/api/settings", `{"lens": "16mm"}`); rec.Code != 404 {
			t.Errorf("%s without a Tuning: %d, want 404", m, rec.Code)
		}
	}
}

func TestSettingsApplyFails(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	tun := newFakeTuning()
	tun.err = errors.New("settings file: disk full")
	h := New(Config{Store: store, Token: token, Tuning: tun}).Handler()
	rec := doHandler(t, h, "PATCH", "/api/settings", `{"lens": "16mm"}`)
	if rec.Code != 503 || !strings.Contains(errorOf(t, rec.Body.Bytes()), "disk full") {
		t.Fatalf("%d %s, want 503 naming the cause", rec.Code, rec.Body)
	}
}

func TestPostSite(t *testing.T) {
	cases := []struct {
		name, body string
		code       int
		want       state.Location // when 200
	}{
		{"phone", `{"lat": 51.5, "lon": -0.12, "alt_m": 35, "source": "phone", "accuracy_m": 20}`, 200,
			state.Location{Lat: 51.5, Lon: -0.12, AltitudeM: 35, ErrorM: 20, Source: "WEB", Lock: true, LockType: 3}},
		{"manual", `{"lat": -33.9, "lon": 18.4, "source": "manual"}`, 200,
			state.Location{Lat: -33.9, Lon: 18.4, Source: "MANUAL", Lock: true, LockType: 3}},
		{"pole", `{"lat": 90, "lon": 360, "source": "manual"}`, 200, state.Location{Lat: 90, Lon: 360, Source: "MANUAL", Lock: true, LockType: 3}},
		{"no lon", `{"lat": 10, "source": "manual"}`, 400, state.Location{}},
		{"no source", `{"lat": 10, "lon": 10}`, 400, state.Location{}},
		{"gps is not for the page", `{"lat": 10, "lon": 10, "source": "GPS"}`, 400, state.Location{}},
		{"lat 91", `{"lat": 91, "lon": 10, "source": "manual"}`, 400, state.Location{}},
		{"lon -181", `{"lat": 1, "lon": -181, "source": "manual"}`, 400, state.Location{}},
		{"altitude in feet off Everest", `{"lat": 1, "lon": 1, "alt_m": 29032, "source": "manual"}`, 400, state.Location{}},
		{"negative accuracy", `{"lat": 1, "lon": 1, "source": "phone", "accuracy_m": -1}`, 400, state.Location{}},
		{"strings", `{"lat": "1", "lon": 1, "source": "manual"}`, 400, state.Location{}},
		{"unknown field", `{"lat": 1, "lon": 1, "source": "manual", "tz": "UTC"}`, 400, state.Location{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, state.Default())
			h := New(Config{Store: store, Token: token}).Handler()
			before, _ := store.Snapshot(context.Background())
			rec := doHandler(t, h, "POST", "/api/site", tc.body)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			after, _ := store.Snapshot(context.Background())
			if tc.code != 200 {
				if after.Version != before.Version {
					t.Error("refused site changed the state")
				}
				return
			}
			got := after.Location
			got.Timezone, got.LastGPSLock = "", ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("location (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPostTime(t *testing.T) {
	phone := time.Date(2026, 12, 4, 21, 30, 0, 0, time.UTC)
	cases := []struct {
		name   string
		clock  state.Clock // before
		body   string
		code   int
		taken  bool
		source string
	}{
		{"boot clock: taken", state.NewClock(phone.Add(-3*time.Hour), false), `{"unix_ms": ` + unixMS(phone) + `}`, 200, true, "APP"},
		{"manual clock kept", state.NewClock(phone.Add(-time.Hour), true), `{"unix_ms": ` + unixMS(phone) + `}`, 200, false, "MANUAL"},
		{"forced over a manual clock", state.NewClock(phone.Add(-time.Hour), true), `{"unix_ms": ` + unixMS(phone) + `, "force": true}`, 200, true, "MANUAL"},
		{"seconds, not milliseconds", state.Clock{}, `{"unix_ms": ` + unixMS(phone)[:10] + `}`, 400, false, ""},
		{"missing", state.Clock{}, `{"force": true}`, 400, false, ""},
		{"exponent form", state.Clock{}, `{"unix_ms": 1.5e12}`, 400, false, ""},
		{"not a number", state.Clock{}, `{"unix_ms": "now"}`, 400, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			initial := state.Default()
			initial.Clock = tc.clock
			store, _ := statetest.Run(t, initial)
			h := New(Config{Store: store, Token: token}).Handler()
			rec := doHandler(t, h, "POST", "/api/time", tc.body)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if tc.code != 200 {
				return
			}
			var got ClockReply
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Taken != tc.taken || got.Source != tc.source {
				t.Errorf("reply %+v, want taken %v source %s", got, tc.taken, tc.source)
			}
			st, _ := store.Snapshot(context.Background())
			now, _ := st.Clock.Now()
			if tc.taken && strings.Contains(tc.body, unixMS(phone)) && now.Sub(phone).Abs() > time.Second {
				t.Errorf("clock reads %v, want the phone's %v", now, phone)
			}
		})
	}
}

func unixMS(t time.Time) string { return strings.TrimSpace(string(mustJSON(t.UnixMilli()))) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// checkSettingsBody is FuzzMutatingBodies' check of PATCH /api/settings:
// a 200 only for a body checkPatch takes, and then the tuning changed.
func checkSettingsBody(tun *fakeTuning) func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	return func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
		var p SettingsPatch
		d := json.NewDecoder(strings.NewReader(body))
		d.DisallowUnknownFields()
		err := d.Decode(&p)
		if err == nil {
			if _, terr := d.Token(); terr != io.EOF {
				err = errors.New("trailing data")
			}
		}
		if err == nil && (p.empty() || p.Sensor != nil || p.FOVDeg != nil) {
			err = errors.New("nothing or read-only")
		}
		if err == nil {
			err = checkPatch(p, tun.Settings())
		}
		switch {
		case rec.Code == 200 && err != nil:
			t.Fatalf("settings %q accepted, but it is not valid: %v", body, err)
		case rec.Code == 400 || rec.Code == 413:
			if err == nil && len(body) < 60<<10 {
				t.Fatalf("settings %q refused (%d: %s), but it is valid", body, rec.Code, rec.Body)
			}
		case rec.Code != 200:
			t.Fatalf("settings %q: status %d: %s", body, rec.Code, rec.Body)
		}
		v := tun.Settings()
		if v.ScreenBrightness < 0 || v.ScreenBrightness > 255 || (!v.Exposure.Auto && v.Exposure.US < 1) {
			t.Fatalf("settings %q left %+v", body, v)
		}
	}
}

// checkSiteBody is FuzzMutatingBodies' check of POST /api/site.
func checkSiteBody(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	switch rec.Code {
	case 200:
		l := after.Location
		if !(l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 360 && l.AltitudeM >= -500 && l.AltitudeM <= 10000) ||
			(l.Source != "WEB" && l.Source != "MANUAL") {
			t.Fatalf("site %q accepted as %+v", body, l)
		}
	case 400, 413:
		if after.Location != before.Location {
			t.Fatalf("site %q refused but the location changed", body)
		}
	default:
		t.Fatalf("site %q: status %d: %s", body, rec.Code, rec.Body)
	}
}

// checkTimeBody is FuzzMutatingBodies' check of POST /api/time.
func checkTimeBody(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	switch rec.Code {
	case 200:
		now, ok := after.Clock.Now()
		if !ok || now.Year() < 2000 || now.Year() > 2200 {
			t.Fatalf("time %q accepted: clock %v", body, now)
		}
	case 400, 413:
		if after.Version != before.Version {
			t.Fatalf("time %q refused but the state changed", body)
		}
	default:
		t.Fatalf("time %q: status %d: %s", body, rec.Code, rec.Body)
	}
}

// The "status" event carries the site, the datetime, GPS and the IMU when
// one of them changes: a site from the page reaches every open stream.
func TestStatusEvent(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	base := serve(t, Config{Store: store, Token: token})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := openEvents(t, ctx, base+"/api/events")
	var first StatusEvent
	if err := json.Unmarshal([]byte(next(t, ch, EventStatus).data), &first); err != nil || first.Location.Source != "None" {
		t.Fatalf("first status %+v (%v)", first, err)
	}
	if code, b := do(t, "POST", base+"/api/site", `{"lat": 51.5, "lon": -0.12, "source": "phone"}`, "X-API-Token", token); code != 200 {
		t.Fatalf("site: %d %s", code, b)
	}
	var got StatusEvent
	if err := json.Unmarshal([]byte(next(t, ch, EventStatus).data), &got); err != nil {
		t.Fatal(err)
	}
	if got.Location.LatDeg != 51.5 || got.Location.Source != "WEB" {
		t.Errorf("status after the site: %+v", got.Location)
	}
	if code, b := do(t, "POST", base+"/api/time", `{"unix_ms": 1796420000000, "force": true}`, "X-API-Token", token); code != 200 {
		t.Fatalf("time: %d %s", code, b)
	}
	if err := json.Unmarshal([]byte(next(t, ch, EventStatus).data), &got); err != nil {
		t.Fatal(err)
	}
	if got.Time.Source != "MANUAL" || got.Time.UTC == nil || got.Time.UTC.UnixMilli()/1000 != 1796420000 {
		t.Errorf("status after the time: %+v", got.Time)
	}
}
