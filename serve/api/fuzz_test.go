package api

import (
	"context"
	"encoding/json"
	"image"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// FuzzMutatingBodies sends every body to every mutating endpoint (the
// router's own list, so a new endpoint is fuzzed too): no panic, only the
// documented statuses, JSON errors, out-of-range or unrepresentable RA/Dec
// refused with 400, the other forms of POST /api/align judged by
// checkPostAlign, and the state unchanged by any refused request.
func FuzzMutatingBodies(f *testing.F) {
	const fov = 10.2
	att := geom.Attitude{RA: 83.6331, Dec: 22.0145, Roll: 30}
	starRA, starDec := geom.Unproject(att, geom.Camera{W: 512, H: 512, FOV: fov}, 300.25, 200.5)
	for _, s := range []string{
		fmtSky(starRA, starDec),
		`{"ra_deg": 10, "dec_deg": 20}`,
		`{"ra_deg": 0, "dec_deg": -90}`,
		`{"ra_deg": -0, "dec_deg": 90}`,
		`{"ra_deg": 360, "dec_deg": 0}`,
		`{"ra_deg": 359.99999999999999, "dec_deg": 0}`,
		`{"ra_deg": -1e-300, "dec_deg": 0}`,
		`{"ra_deg": 1, "dec_deg": 90.0000000000001}`,
		`{"ra_deg": 1e400, "dec_deg": 0}`,
		`{"ra_deg": NaN, "dec_deg": 0}`,
		`{"ra_deg": Infinity, "dec_deg": 0}`,
		`{"ra_deg": "1", "dec_deg": 0}`,
		`{"ra_deg": null, "dec_deg": 0}`,
		`{"RA_DEG": 1, "Dec_Deg": 2}`,
		`{"ra_deg": 1, "ra_deg": 400, "dec_deg": 2}`,
		`{"ra_deg": 1, "dec_deg": 2}]`,
		`{"ra_deg": 1, "dec_deg": 2} x`,
		`[{"ra_deg": 1, "dec_deg": 2}]`,
		`{"ra_deg": {"x": 1}, "dec_deg": 2}`,
		`{"ra_deg": 1, "dec_deg": 2, "x": [1, 2, 3]}`,
		"{\"ra_deg\": 1, \"dec_deg\": 2\x00}",
		`{"ra_deg": 1e-400, "dec_deg": 1E2}`,
		// POST /api/align's other forms, and POST /api/session.
		`{"x": 300, "y": 200}`, `{"x": 0, "y": 0}`, `{"x": 512, "y": 512}`, `{"x": 512.0001, "y": 5}`,
		`{"x": -1, "y": 5}`, `{"x": 1e308, "y": 0}`, `{"x": 100}`, `{"y": 100}`, `{"x": "1", "y": 2}`,
		`{"target": true}`, `{"target": false}`, `{"target": 1}`, `{"target": null}`,
		`{"x": 300, "y": 200, "ra_deg": 1, "dec_deg": 2}`, `{"target": true, "x": 300, "y": 200}`,
		`{"target": true, "ra_deg": 1}`, `{"x": 300, "dec_deg": 2}`,
		`{"token": "t0ken"}`, `{"token": ""}`, `{"token": "t0ken", "x": 1}`,
		// PATCH /api/settings, POST /api/site and /api/time.
		`{"sleep_timeout": "2m"}`, `{"sleep_timeout": "Off"}`, `{"exposure": "auto"}`, `{"exposure": 20000}`, `{"exposure": -1}`,
		`{"lens": "16mm", "mount": "eq"}`, `{"screen_brightness": 255}`, `{"screen_brightness": 256}`, `{"sensor": "x"}`,
		`{"lat": 51.5, "lon": -0.12, "alt_m": 30, "source": "phone"}`, `{"lat": 91, "lon": 0, "source": "manual"}`,
		`{"unix_ms": 1796420000000}`, `{"unix_ms": 1796420000, "force": true}`,
		``, `{}`, `null`, `"x"`, `{`, strings.Repeat("[", 1000),
	} {
		f.Add(s)
	}
	store, _ := statetest.Run(f, solvedState(att.RA, att.Dec, att.Roll, fov))
	settings := &fakeSettings{}
	obs := seededLog(f)
	frame := alignFrame()
	tun := newFakeTuning()
	srv := New(Config{Store: store, Token: token, Settings: settings, AlignMaxAge: -1, ObsLog: obs, Frames: fakeFrames{frame}, Screen: &fakeScreen{}, Tuning: tun})
	extraChecks := map[string]func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State){
		"POST /api/align":     checkPostAlign(frame),
		"POST /api/keys":      checkPostKeys,
		"PATCH /api/settings": checkSettingsBody(tun),
		"POST /api/site":      checkSiteBody,
		"POST /api/time":      checkTimeBody,
	}
	var routes []endpoint
	for _, e := range srv.endpoints() {
		if mutating(e.method) {
			routes = append(routes, e)
		}
	}
	if len(routes) == 0 {
		f.Fatal("no mutating endpoints")
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, e := range routes {
			before, err := store.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			saves := settings.calls()
			req := httptest.NewRequest(e.method, testPath(e), strings.NewReader(body))
			req.Host, req.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:40000"
			req.Header.Set("X-API-Token", token)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			after, err := store.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// The target endpoints take other bodies (targets_fuzz_test.go).
			if check, ok := targetBodyChecks[e.method+" "+e.path]; ok {
				check(t, body, rec, before, after)
				continue
			}
			// And so do the log endpoints (log_test.go), the session's
			// (session_test.go), and the align.
			if check, ok := logBodyChecks[e.method+" "+e.path]; ok {
				check(t, body, rec, before, after)
				continue
			}
			if check, ok := sessionBodyChecks[e.method+" "+e.path]; ok {
				check(t, body, rec, before, after)
				continue
			}
			if check, ok := extraChecks[e.method+" "+e.path]; ok {
				check(t, body, rec, before, after)
				continue
			}
			switch rec.Code {
			case http.StatusOK:
				var v skyRequest
				if err := json.Unmarshal([]byte(body), &v); err != nil || v.RA == nil || v.Dec == nil || !inRange(*v.RA, *v.Dec) {
					t.Fatalf("%s %q accepted, but it is not an in-range position (%v)", e.path, body, err)
				}
				if after.Version == before.Version {
					t.Errorf("%s %q: 200 but the state did not change", e.path, body)
				}
				if after.HasTarget && (!inRange(after.Target.RA, after.Target.Dec)) ||
					!finite(after.TargetPixel.X, after.TargetPixel.Y) {
					t.Errorf("%s %q: state now %+v / %+v", e.path, body, after.Target, after.TargetPixel)
				}
				continue
			case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
			default:
				t.Fatalf("%s %q: status %d: %s", e.path, body, rec.Code, rec.Body)
			}
			var eb errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error == "" {
				t.Errorf("%s %q: %d without a JSON error: %q", e.path, body, rec.Code, rec.Body)
			}
			if after.Version != before.Version || settings.calls() != saves {
				t.Errorf("%s %q refused (%d) but the state changed (version %d → %d) or settings were saved", e.path, body, rec.Code, before.Version, after.Version)
			}
			// A well-formed body with a position out of range is a 400.
			var raw map[string]json.RawMessage
			var ra, dec float64
			if json.Unmarshal([]byte(body), &raw) == nil && len(raw) == 2 &&
				json.Unmarshal(raw["ra_deg"], &ra) == nil && json.Unmarshal(raw["dec_deg"], &dec) == nil &&
				!inRange(ra, dec) && rec.Code != http.StatusBadRequest {
				t.Errorf("%s %q: out of range but %d", e.path, body, rec.Code)
			}
		}
	})
}

// alignFrame is the frame of the align tests: a 512×512 image with
// detections, two of them 10 px apart.
func alignFrame() FrameView {
	return FrameView{
		Gray:  image.NewGray(image.Rect(0, 0, 512, 512)),
		Meta:  state.FrameMeta{Seq: 9, Width: 512, Height: 512},
		Stars: [][2]float64{{300.25, 200.5}, {100, 100}, {110, 100}, {math.NaN(), 50}, {500, 20}},
	}
}

// checkPostAlign judges one POST /api/align of the fuzz test against the
// frame the server has: 200 only for one well-formed form (a position in
// range, a pixel near a detection, or the target with a target set), the
// new pixel that of the form, 400 for a malformed body or a mix of forms,
// 409 only for a well-formed one.
func checkPostAlign(frame FrameView) func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	return func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
		t.Helper()
		var req alignRequest
		strict := strictJSON(body, &req)
		form, _ := req.form()
		wellFormed := strict && form != ""
		inside := form == "pixel" && *req.X >= 0 && *req.Y >= 0 && *req.X <= 512 && *req.Y <= 512
		switch rec.Code {
		case http.StatusOK:
			if !wellFormed {
				t.Fatalf("POST /api/align %q accepted, but it is not one form of the documented fields", body)
			}
			if after.Version == before.Version {
				t.Errorf("POST /api/align %q: 200 but the state did not change", body)
			}
			var rep alignReply
			if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil || rep.TargetPixel != (PixelView{Y: after.TargetPixel.Y, X: after.TargetPixel.X}) {
				t.Errorf("POST /api/align %q: reply %s, state %+v (%v)", body, rec.Body, after.TargetPixel, err)
			}
			switch form {
			case "sky":
				if !inRange(*req.RA, *req.Dec) {
					t.Errorf("%q: out of range but accepted", body)
				}
			case "target":
				if !before.HasTarget {
					t.Errorf("%q: accepted with no target", body)
				}
			case "pixel":
				near := false
				for _, s := range frame.Stars {
					near = near || s[0] == after.TargetPixel.X && s[1] == after.TargetPixel.Y && math.Hypot(s[0]-*req.X, s[1]-*req.Y) <= SnapRadius
				}
				if !near {
					t.Errorf("%q: target pixel %+v is not a detection near the pixel", body, after.TargetPixel)
				}
			}
			if !finite(after.TargetPixel.X, after.TargetPixel.Y) {
				t.Errorf("%q: target pixel %+v", body, after.TargetPixel)
			}
			return
		case http.StatusConflict:
			if !wellFormed {
				t.Errorf("POST /api/align %q: 409 for a malformed body", body)
			}
			if form == "pixel" {
				if _, err := snapToStar(frame, *req.X, *req.Y, SnapRadius); err == nil {
					t.Errorf("%q: 409 but a detection is near", body)
				}
			}
		case http.StatusBadRequest:
			if wellFormed && (form == "target" || form == "sky" && inRange(*req.RA, *req.Dec) || inside) {
				t.Errorf("POST /api/align %q: 400 for a well-formed body", body)
			}
		case http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("POST /api/align %q: status %d: %s", body, rec.Code, rec.Body)
		}
		checkRefused(t, "POST /api/align", body, rec, before, after)
	}
}

// strictJSON decodes body into v as the API does: one JSON object of
// known fields, nothing after it but white space.
func strictJSON(body string, v any) bool {
	d := json.NewDecoder(strings.NewReader(body))
	d.DisallowUnknownFields()
	if d.Decode(v) != nil {
		return false
	}
	_, err := d.Token()
	return err == io.EOF
}

func inRange(ra, dec float64) bool {
	return ra >= 0 && ra < 360 && dec >= -90 && dec <= 90 && !math.IsNaN(ra) && !math.IsNaN(dec)
}

// FuzzHost: the Host parser never panics, never lets a name other than
// localhost or a loopback literal through with no allowed hosts, and
// ignores the port.
func FuzzHost(f *testing.F) {
	for _, s := range []string{"localhost", "127.0.0.1:8080", "[::1]:80", "evil.example", "[fe80::1%25eth0]:1", "", ":", "[", "a:b:c", "LOCALHOST.", "127.0.0.1.", "0x7f.1", "[::ffff:127.0.0.1]"} {
		f.Add(s)
	}
	p, _ := newHostPolicy(nil)
	f.Fuzz(func(t *testing.T, h string) {
		name, ip, err := parseHost(h)
		if err != nil {
			if p.allowed(h, transport{ip: true}) {
				t.Fatalf("%q allowed but not parsed: %v", h, err)
			}
			return
		}
		if (name == "") == !ip.IsValid() {
			t.Fatalf("%q: name %q and ip %v", h, name, ip)
		}
		ok := p.allowed(h, transport{ip: true})
		if ok != (name == "localhost" || ip.IsLoopback()) {
			t.Fatalf("%q: allowed %v (name %q, ip %v)", h, ok, name, ip)
		}
		// The port does not matter (a name or literal with a port, again).
		hp := h
		if !strings.Contains(h, ":") || strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
			hp = h + ":8080"
			if p.allowed(hp, transport{ip: true}) != ok {
				t.Fatalf("%q and %q disagree", h, hp)
			}
		}
		// A configured name is allowed, in any case.
		if name != "" {
			q, bad := newHostPolicy([]string{strings.ToUpper(name)})
			if len(bad) != 0 || !q.allowed(h, transport{ip: true}) {
				t.Fatalf("%q not allowed with %q configured (%v)", h, name, bad)
			}
		}
	})
}
