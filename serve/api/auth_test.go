package api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/state/statetest"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state/config"
)

// fakeSettings counts saves and fails them with err when set.
type fakeSettings struct {
	mu  sync.Mutex
	err error
	n   int
	c   config.Config
}

func (f *fakeSettings) Update(fn func(*config.Config)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.err != nil {
		return f.err
	}
	fn(&f.c)
	return nil
}

func (f *fakeSettings) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// TestMutatingEndpointsNeedToken runs the token checks on every mutating
// endpoint of the router's own list: no token configured → 403, a missing
// or wrong token or session → 401 (and nothing changes), the right one by
// either header or a valid session cookie → success; by cookie, a
// cross-site request → 403, while a header token works from anywhere. A
// new mutating endpoint fails here until it has a request that succeeds
// in okBodies. (The login and logout need no token: session_test.go.)
func TestMutatingEndpointsNeedToken(t *testing.T) {
	const fov = 10.2
	att := geom.Attitude{RA: 83.6331, Dec: 22.0145, Roll: 30}
	starRA, starDec := geom.Unproject(att, geom.Camera{W: 512, H: 512, FOV: fov}, 300.25, 200.5)
	okBodies := map[string]string{
		"POST /api/align": fmtSky(starRA, starDec),
		"POST /api/goto":  `{"ra_deg": 10, "dec_deg": 20}`,
		// targets_test.go
		"POST /api/target":   `{"name": "M 51"}`,
		"DELETE /api/target": ``,
		// log_test.go: the log holds entry 1 and list 1 (seededLog).
		"POST /api/log":          `{"name": "M 51", "notes": "x"}`,
		"PATCH /api/log/{id}":    `{"notes": "seen"}`,
		"DELETE /api/log/{id}":   ``,
		"POST /api/lists":        "name\nM 31\n",
		"DELETE /api/lists/{id}": ``,
		// settings_test.go
		"PATCH /api/settings": `{"lens": "16mm"}`,
		"POST /api/site":      `{"lat": 51.5, "lon": -0.12, "source": "phone"}`,
		"POST /api/time":      `{"unix_ms": 1796420000000, "force": true}`,
	}

	var mut []endpoint
	listed := map[string]bool{}
	for _, e := range New(Config{}).endpoints() {
		listed[e.method+" "+e.path] = true
		if k := e.method + " " + e.path; mutating(e.method) && !selfAuthorised[k] && !loopbackWhenNoToken[k] {
			mut = append(mut, e)
		}
	}
	if len(mut) < 2 {
		t.Fatalf("only %d mutating endpoints listed; align and goto at least", len(mut))
	}
	for k := range okBodies {
		if !listed[k] {
			t.Errorf("okBodies has %s, which is not an endpoint", k)
		}
	}

	now := time.Now()
	cookie := "pifinder_session=" + mintFor(t, token, now.Add(time.Hour))
	expired := "pifinder_session=" + mintFor(t, token, now.Add(-time.Second))
	otherToken := "pifinder_session=" + mintFor(t, "another token", now.Add(time.Hour))
	tampered := []byte(cookie)
	tampered[len(tampered)-5] ^= 1
	cases := []struct {
		name       string
		configured string // the server's token
		hdr        []string
		code       int
		msg        string // what the refusal says, when not the default
	}{
		{"no token configured", "", nil, 403, ""},
		{"no token configured, token sent", "", []string{"Authorization", "Bearer " + token}, 403, ""},
		{"no token configured, cookie sent", "", []string{"Cookie", cookie}, 403, ""},
		{"cookie", token, []string{"Cookie", cookie}, 200, ""},
		{"cookie, same-origin", token, []string{"Cookie", cookie, "Sec-Fetch-Site", "same-origin"}, 200, ""},
		{"cookie, same Origin", token, []string{"Cookie", cookie, "Origin", "http://HOST"}, 200, ""},
		{"cookie, cross-site", token, []string{"Cookie", cookie, "Sec-Fetch-Site", "cross-site"}, 403, "cross-site request refused"},
		{"cookie, same-site (another port)", token, []string{"Cookie", cookie, "Sec-Fetch-Site", "same-site"}, 403, "cross-site request refused"},
		{"cookie, Origin of another host", token, []string{"Cookie", cookie, "Origin", "http://evil.example"}, 403, "cross-site request refused"},
		{"cookie among others", token, []string{"Cookie", "a=b; pifinder_session=junk; " + cookie}, 200, ""},
		{"expired cookie", token, []string{"Cookie", expired}, 401, ""},
		{"tampered cookie", token, []string{"Cookie", string(tampered)}, 401, ""},
		{"cookie of another token", token, []string{"Cookie", otherToken}, 401, ""},
		{"cookie with a wrong header token", token, []string{"Cookie", cookie, "X-API-Token", "nope"}, 401, ""},
		{"bearer, cross-site", token, []string{"Authorization", "Bearer " + token, "Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example"}, 200, ""},
		{"missing", token, nil, 401, ""},
		{"wrong bearer", token, []string{"Authorization", "Bearer nope"}, 401, ""},
		{"wrong X-API-Token", token, []string{"X-API-Token", "nope"}, 401, ""},
		{"empty bearer", token, []string{"Authorization", "Bearer "}, 401, ""},
		{"other scheme", token, []string{"Authorization", "Basic " + token}, 401, ""},
		{"prefix of the token", token, []string{"X-API-Token", token[:3]}, 401, ""},
		{"token plus more", token, []string{"X-API-Token", token + "x"}, 401, ""},
		{"wrong X-API-Token beats right bearer", token, []string{"X-API-Token", "nope", "Authorization", "Bearer " + token}, 401, ""},
		{"bearer", token, []string{"Authorization", "Bearer " + token}, 200, ""},
		{"bearer, lower-case scheme", token, []string{"Authorization", "bearer " + token}, 200, ""},
		{"X-API-Token", token, []string{"X-API-Token", token}, 200, ""},
	}
	for _, e := range mut {
		key := e.method + " " + e.path
		body, ok := okBodies[key]
		if !ok {
			t.Errorf("%s has no token tests: add a request that succeeds to okBodies", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					store, _ := statetest.Run(t, solvedState(att.RA, att.Dec, att.Roll, fov))
					settings := &fakeSettings{}
					obs := seededLog(t)
					tun := newFakeTuning()
					base := serve(t, Config{Store: store, Token: tc.configured, Settings: settings, ObsLog: obs, Tuning: tun})
					logBefore := logPrint(t, obs)
					before, err := store.Snapshot(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					req, _ := http.NewRequest(e.method, base+testPath(e), strings.NewReader(body))
					for i := 0; i+1 < len(tc.hdr); i += 2 {
						req.Header.Set(tc.hdr[i], strings.ReplaceAll(tc.hdr[i+1], "HOST", req.URL.Host))
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tc.code && (tc.code != 200 || resp.StatusCode != 201) {
						t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.code, b)
					}
					after, err := store.Snapshot(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					logChanged := logPrint(t, obs) != logBefore || tun.applied() != 0
					switch tc.code {
					case 200:
						if after.Version == before.Version && !logChanged {
							t.Errorf("accepted request changed nothing")
						}
						return
					case 401:
						if !strings.Contains(errorOf(t, b), "token") || resp.Header.Get("WWW-Authenticate") == "" {
							t.Errorf("401 without a token hint or WWW-Authenticate: %s %v", b, resp.Header)
						}
					case 403:
						if tc.msg != "" {
							if got := errorOf(t, b); got != tc.msg {
								t.Errorf("403 says %q, want %q", got, tc.msg)
							}
						} else if !strings.Contains(errorOf(t, b), "--api-token") {
							t.Errorf("403 does not say how to enable: %s", b)
						}
					}
					if after.Version != before.Version || settings.calls() != 0 || logChanged {
						t.Errorf("refused request changed the state (version %d → %d) or saved settings (%d)", before.Version, after.Version, settings.calls())
					}
				})
			}
		})
	}
}

// TestReadEndpointsNeedNoToken: reading never asks for the token, even
// when one is configured.
func TestReadEndpointsNeedNoToken(t *testing.T) {
	store, _ := statetest.Run(t, solvedState(10, 20, 0, 10))
	base := serve(t, Config{Store: store, Token: token})
	for _, e := range New(Config{}).endpoints() {
		if mutating(e.method) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, e.method, base+e.path, nil)
		resp, err := http.DefaultClient.Do(req) // returns at the headers, also for the event stream
		if err != nil {
			cancel()
			t.Fatalf("%s %s: %v", e.method, e.path, err)
		}
		resp.Body.Close()
		cancel()
		if resp.StatusCode == 401 || resp.StatusCode == 403 {
			t.Errorf("%s %s: %d without a token", e.method, e.path, resp.StatusCode)
		}
	}
}
