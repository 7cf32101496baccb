package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// mintFor returns a session cookie value of token valid until expiry.
func mintFor(t testing.TB, tok string, expiry time.Time) string {
	t.Helper()
	v, err := newSessions(tok).mint(expiry)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sessionReply decodes a GET/POST/DELETE /api/session reply.
func sessionReply(t *testing.T, b []byte) sessionView {
	t.Helper()
	var v sessionView
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not a session reply: %q (%v)", b, err)
	}
	return v
}

// request is one request of the session tests; HOST in a header is the
// server's host:port.
func request(t *testing.T, method, url, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], strings.ReplaceAll(hdr[i+1], "HOST", req.URL.Host))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func sessionOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	return nil
}

// TestSessionLogin: POST /api/session with the token sets the documented
// cookie; the refusals (wrong token, no token configured, bad bodies,
// cross-site) set none.
func TestSessionLogin(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	base := serve(t, Config{Store: store, Token: token})
	disabled := serve(t, Config{Store: store})
	for _, tc := range []struct {
		name string
		base string
		body string
		hdr  []string
		code int
		msg  string
	}{
		{"ok", base, `{"token": "` + token + `"}`, nil, 200, ""},
		{"ok, same-origin", base, `{"token": "` + token + `"}`, []string{"Sec-Fetch-Site", "same-origin", "Origin", "http://HOST"}, 200, ""},
		{"ok, typed in the address bar", base, `{"token": "` + token + `"}`, []string{"Sec-Fetch-Site", "none"}, 200, ""},
		{"wrong token", base, `{"token": "nope"}`, nil, 401, "wrong API token"},
		{"empty token", base, `{"token": ""}`, nil, 401, "wrong API token"},
		{"prefix of the token", base, `{"token": "` + token[:2] + `"}`, nil, 401, "wrong API token"},
		{"header token is not a login", base, `{"token": "nope"}`, []string{"X-API-Token", token}, 401, "wrong API token"},
		{"no token configured", disabled, `{"token": "` + token + `"}`, nil, 403, "--api-token"},
		{"no token configured, bad body", disabled, `x`, nil, 403, "--api-token"},
		{"no token field", base, `{}`, nil, 400, `"token" is required`},
		{"null token", base, `{"token": null}`, nil, 400, `"token" is required`},
		{"token not a string", base, `{"token": 5}`, nil, 400, "bad JSON"},
		{"unknown field", base, `{"token": "` + token + `", "user": "me"}`, nil, 400, "unknown field"},
		{"empty body", base, ``, nil, 400, "empty body"},
		{"trailing data", base, `{"token": "` + token + `"} {}`, nil, 400, "trailing"},
		{"oversized", base, `{"token": "` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "larger than"},
		{"cross-site", base, `{"token": "` + token + `"}`, []string{"Sec-Fetch-Site", "cross-site"}, 403, errCrossSite},
		{"same-site, another port", base, `{"token": "` + token + `"}`, []string{"Sec-Fetch-Site", "same-site"}, 403, errCrossSite},
		{"old browser, Origin of another site", base, `{"token": "` + token + `"}`, []string{"Origin", "http://evil.example"}, 403, errCrossSite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := request(t, "POST", tc.base+"/api/session", tc.body, tc.hdr...)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.code, b)
			}
			c := sessionOf(resp)
			if tc.code != 200 {
				if got := errorOf(t, b); !strings.Contains(got, tc.msg) {
					t.Errorf("error %q does not say %q", got, tc.msg)
				}
				if c != nil {
					t.Errorf("a refused login set a cookie: %v", c)
				}
				if tc.code == 401 && resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				return
			}
			if v := sessionReply(t, b); v != (sessionView{Authenticated: true, MutationsEnabled: true}) {
				t.Errorf("reply %+v", v)
			}
			if c == nil {
				t.Fatalf("no %s cookie: %v", SessionCookie, resp.Header.Values("Set-Cookie"))
			}
			if c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 2592000 || c.Secure {
				t.Errorf("cookie attributes %+v", c)
			}
			raw := resp.Header.Get("Set-Cookie")
			for _, want := range []string{"pifinder_session=", "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=2592000"} {
				if !strings.Contains(raw, want) {
					t.Errorf("Set-Cookie %q lacks %q", raw, want)
				}
			}
			if !newSessions(token).valid(c.Value, time.Now()) {
				t.Errorf("the cookie %q does not verify", c.Value)
			}
		})
	}
}

// TestSessionUse: the cookie of a login acts as the token on a mutating
// endpoint from the page's own origin, is refused cross-site, survives a
// restart, and dies with a change of the token; GET /api/session says
// which; DELETE /api/session drops it.
func TestSessionUse(t *testing.T) {
	store, _ := statetest.Run(t, solvedState(10, 20, 0, 10))
	base := serve(t, Config{Store: store, Token: token})
	restarted := serve(t, Config{Store: store, Token: token})
	changed := serve(t, Config{Store: store, Token: "a new token"})
	disabled := serve(t, Config{Store: store})
	resp, b := request(t, "POST", base+"/api/session", `{"token": "`+token+`"}`)
	c := sessionOf(resp)
	if resp.StatusCode != 200 || c == nil {
		t.Fatalf("login: %d %s", resp.StatusCode, b)
	}
	cookie := c.String()
	expired := SessionCookie + "=" + mintFor(t, token, time.Now().Add(-time.Second))
	goto1 := `{"ra_deg": 10, "dec_deg": 20}`
	for _, tc := range []struct {
		name         string
		base         string
		hdr          []string
		session      sessionView // GET /api/session
		gotoCode     int         // POST /api/goto
		gotoErrorHas string
	}{
		{"no cookie", base, nil, sessionView{false, true}, 401, "token"},
		{"cookie", base, []string{"Cookie", cookie}, sessionView{true, true}, 200, ""},
		{"cookie, same-origin fetch", base, []string{"Cookie", cookie, "Sec-Fetch-Site", "same-origin", "Origin", "http://HOST"}, sessionView{true, true}, 200, ""},
		{"cookie, cross-site", base, []string{"Cookie", cookie, "Sec-Fetch-Site", "cross-site"}, sessionView{true, true}, 403, errCrossSite},
		{"cookie, Origin of another host", base, []string{"Cookie", cookie, "Origin", "http://evil.example:8080"}, sessionView{true, true}, 403, errCrossSite},
		{"header token, cross-site", base, []string{"X-API-Token", token, "Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example"}, sessionView{true, true}, 200, ""},
		{"expired cookie", base, []string{"Cookie", expired}, sessionView{false, true}, 401, "token"},
		{"after a restart", restarted, []string{"Cookie", cookie}, sessionView{true, true}, 200, ""},
		{"after a change of the token", changed, []string{"Cookie", cookie}, sessionView{false, true}, 401, "token"},
		{"no token configured any more", disabled, []string{"Cookie", cookie}, sessionView{false, false}, 403, "--api-token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := request(t, "GET", tc.base+"/api/session", "", tc.hdr...)
			if resp.StatusCode != 200 {
				t.Fatalf("GET /api/session: %d %s", resp.StatusCode, b)
			}
			if v := sessionReply(t, b); v != tc.session {
				t.Errorf("GET /api/session %+v, want %+v", v, tc.session)
			}
			resp, b = request(t, "POST", tc.base+"/api/goto", goto1, tc.hdr...)
			if resp.StatusCode != tc.gotoCode {
				t.Fatalf("POST /api/goto: %d, want %d: %s", resp.StatusCode, tc.gotoCode, b)
			}
			if tc.gotoErrorHas != "" && !strings.Contains(errorOf(t, b), tc.gotoErrorHas) {
				t.Errorf("POST /api/goto error %s, want %q", b, tc.gotoErrorHas)
			}
		})
	}

	// Logout: the cookie is cleared (Max-Age=0), whatever the session.
	for _, tc := range []struct {
		name string
		hdr  []string
		body string
		code int
	}{
		{"with the cookie", []string{"Cookie", cookie}, "", 200},
		{"without", nil, "", 200},
		{"cross-site", []string{"Cookie", cookie, "Sec-Fetch-Site", "cross-site"}, "", 403},
		{"with a body", []string{"Cookie", cookie}, `{"token": "x"}`, 400},
		{"oversized body", []string{"Cookie", cookie}, strings.Repeat(" ", 70<<10), 413},
	} {
		t.Run("logout "+tc.name, func(t *testing.T) {
			resp, b := request(t, "DELETE", base+"/api/session", tc.body, tc.hdr...)
			if resp.StatusCode != tc.code {
				t.Fatalf("DELETE /api/session: %d, want %d: %s", resp.StatusCode, tc.code, b)
			}
			c := sessionOf(resp)
			if tc.code != 200 {
				errorOf(t, b)
				if c != nil {
					t.Errorf("refused logout cleared the cookie: %v", c)
				}
				return
			}
			if v := sessionReply(t, b); v != (sessionView{false, true}) {
				t.Errorf("reply %+v", v)
			}
			raw := resp.Header.Get("Set-Cookie")
			if c == nil || c.Value != "" || c.MaxAge != -1 || !strings.Contains(raw, "Max-Age=0") || !strings.Contains(raw, "Path=/") {
				t.Errorf("logout Set-Cookie %q", raw)
			}
		})
	}

	// The routes' other methods are 405.
	for _, m := range []string{"PUT", "PATCH"} {
		resp, b := request(t, m, base+"/api/session", "")
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "DELETE, GET, HEAD, POST" {
			t.Errorf("%s /api/session: %d Allow %q %s", m, resp.StatusCode, resp.Header.Get("Allow"), b)
		}
	}
}

// TestSessionExpiry: a cookie lasts SessionMaxAge (30 days) from the
// login, on the fake clock of a synctest bubble.
func TestSessionExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := New(Config{Token: token, Log: zerolog.Nop()})
		do := func(method, body, cookie string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, "/api/session", strings.NewReader(body))
			req.Host, req.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:40000"
			if cookie != "" {
				req.Header.Set("Cookie", SessionCookie+"="+cookie)
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			return rec
		}
		rec := do("POST", `{"token": "`+token+`"}`, "")
		var cookie string
		for _, c := range rec.Result().Cookies() {
			cookie = c.Value
		}
		if rec.Code != 200 || cookie == "" {
			t.Fatalf("login %d %s", rec.Code, rec.Body)
		}
		authenticated := func() bool {
			rec := do("GET", "", cookie)
			var v sessionView
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != 200 {
				t.Fatalf("GET /api/session %d %s", rec.Code, rec.Body)
			}
			return v.Authenticated
		}
		if !authenticated() {
			t.Fatal("fresh cookie refused")
		}
		time.Sleep(SessionMaxAge - time.Second)
		if !authenticated() {
			t.Error("cookie refused a second before it expires")
		}
		time.Sleep(time.Second)
		if authenticated() {
			t.Error("cookie accepted at its expiry")
		}
	})
}

// TestSessionValid: the cookie check refuses anything but an unexpired
// cookie of this token, byte for byte.
func TestSessionValid(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := newSessions(token)
	good := mintFor(t, token, now.Add(time.Hour))
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x10
		return base64.RawURLEncoding.EncodeToString(b)
	}
	// resign re-signs a payload with the right key: a cookie whose MAC is
	// good, so only the expiry decides.
	resign := func(exp uint64) string {
		b := bytes.Clone(raw[:8+sessionNonceLen])
		for i := range 8 {
			b[i] = byte(exp >> (56 - 8*i))
		}
		return base64.RawURLEncoding.EncodeToString(append(b, s.mac(b)...))
	}
	for _, tc := range []struct {
		name string
		v    string
		ok   bool
	}{
		{"good", good, true},
		{"another good one", mintFor(t, token, now.Add(SessionMaxAge)), true},
		{"expired", mintFor(t, token, now.Add(-time.Second)), false},
		{"expiring now", mintFor(t, token, now), false},
		{"another token's", mintFor(t, token+"x", now.Add(time.Hour)), false},
		{"empty", "", false},
		{"short", good[:len(good)-1], false},
		{"long", good + "A", false},
		{"padded base64", base64.URLEncoding.EncodeToString(raw), false},
		{"not base64", strings.Repeat("!", len(good)), false},
		{"expiry changed", flip(7), false},
		{"nonce changed", flip(8 + 3), false},
		{"MAC changed", flip(len(raw) - 1), false},
		{"re-signed, far future", resign(uint64(now.Add(100 * 365 * 24 * time.Hour).Unix())), true},
		{"re-signed, past", resign(uint64(now.Add(-time.Hour).Unix())), false},
		{"re-signed, expiry past 2^63 s", resign(1<<63 | uint64(now.Add(time.Hour).Unix())), false},
	} {
		if got := s.valid(tc.v, now); got != tc.ok {
			t.Errorf("%s: valid(%q) = %v, want %v", tc.name, tc.v, got, tc.ok)
		}
	}
	if newSessions("").valid(good, now) {
		t.Error("a server without a token accepted a cookie")
	}
	if a, b := mintFor(t, token, now), mintFor(t, token, now); a == b {
		t.Error("two cookies of the same second are equal: no nonce")
	}
}

// TestRemoteReads: every read of the router's list from another machine
// is open by default (token or not), and with PrivateReads needs the
// token or a session (except /healthz and GET /api/session); the page
// needs no token in either mode.
func TestRemoteReads(t *testing.T) {
	store, _ := statetest.Run(t, solvedState(10, 20, 0, 10))
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page "+r.URL.Path) })
	cookie := SessionCookie + "=" + mintFor(t, token, time.Now().Add(time.Hour))
	open := New(Config{Store: store, Token: token, Page: page})
	private := New(Config{Store: store, Token: token, PrivateReads: true, Page: page})
	privateNoToken := New(Config{Store: store, PrivateReads: true, Page: page})
	get := func(srv *Server, path string, hdr ...string) *httptest.ResponseRecorder {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctx = context.WithValue(ctx, http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 8080})
		req := httptest.NewRequestWithContext(ctx, "GET", path, nil)
		req.Host, req.RemoteAddr = "192.168.1.20:8080", "192.168.1.50:40000"
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		if path == "/api/events" {
			cancel() // only the status matters
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	refused := func(c int) bool { return c == 401 || c == 403 }
	var reads int
	for _, e := range open.endpoints() {
		if mutating(e.method) {
			continue
		}
		reads++
		p := testPath(e)
		t.Run(p, func(t *testing.T) {
			if c := get(open, p).Code; refused(c) {
				t.Errorf("open: %d without a token", c)
			}
			always := openToOtherMachines[e.path]
			for _, m := range []struct {
				name string
				srv  *Server
				want int // without a token, unless always open
			}{{"private", private, 401}, {"private, no token configured", privateNoToken, 403}} {
				c := get(m.srv, p).Code
				if always && refused(c) || !always && c != m.want {
					t.Errorf("%s: %d without a token (always open: %v)", m.name, c, always)
				}
			}
			for _, hdr := range [][]string{{"X-API-Token", token}, {"Authorization", "Bearer " + token}, {"Cookie", cookie},
				{"Cookie", cookie, "Sec-Fetch-Site", "cross-site"}} { // a safe method passes the cross-site check
				if c := get(private, p, hdr...).Code; refused(c) {
					t.Errorf("private with %v: %d", hdr, c)
				}
			}
		})
	}
	if reads < 5 {
		t.Fatalf("only %d reads listed", reads)
	}
	for _, srv := range []*Server{open, private, privateNoToken} {
		for _, p := range []string{"/", "/assets/app.js", "/assets/css/night.css"} {
			if rec := get(srv, p); rec.Code != 200 || rec.Body.String() != "page "+p {
				t.Errorf("GET %s: %d %q", p, rec.Code, rec.Body)
			}
		}
	}
}

// TestPage: GET / and /assets/... go to Config.Page (HEAD too), other
// methods are 405 and other paths 404 in JSON; with no Page they are 404;
// the Host check applies to the page too.
func TestPage(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "page "+r.URL.Path)
	})
	with := serve(t, Config{Store: store, Token: token, Page: page})
	without := serve(t, Config{Store: store, Token: token})
	for _, tc := range []struct {
		base, method, path string
		code               int
		body               string // for 200: the page's reply
	}{
		{with, "GET", "/", 200, "page /"},
		{with, "HEAD", "/", 200, ""},
		{with, "GET", "/assets/app.js", 200, "page /assets/app.js"},
		{with, "GET", "/assets/", 200, "page /assets/"},
		{with, "GET", "/index.html", 404, ""},
		{with, "GET", "/asset/app.js", 404, ""},
		{with, "POST", "/", 405, ""},
		{with, "DELETE", "/assets/app.js", 405, ""},
		{without, "GET", "/", 404, ""},
		{without, "GET", "/assets/app.js", 404, ""},
	} {
		resp, b := request(t, tc.method, tc.base+tc.path, "")
		if resp.StatusCode != tc.code {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, resp.StatusCode, tc.code, b)
			continue
		}
		if tc.code == 200 {
			if string(b) != tc.body {
				t.Errorf("%s %s: %q, want %q", tc.method, tc.path, b, tc.body)
			}
			continue
		}
		errorOf(t, b)
		if tc.code == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", tc.method, tc.path, resp.Header.Get("Allow"))
		}
	}
	req, _ := http.NewRequest("GET", with+"/", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 421 {
		t.Errorf("GET / with Host evil.example: %d", resp.StatusCode)
	}
}

// sessionBodyChecks judge one request to a session endpoint in
// FuzzMutatingBodies (which sends the token in a header, not a login):
// never a change of the state, a cookie exactly when logging in with the
// token or out.
var sessionBodyChecks = map[string]func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State){
	"POST /api/session":   checkPostSession,
	"DELETE /api/session": checkDeleteSession,
}

func checkPostSession(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	t.Helper()
	var req struct {
		Token *string `json:"token"`
	}
	good := strictJSON(body, &req) && req.Token != nil && *req.Token == token
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		cookie = c
	}
	switch rec.Code {
	case http.StatusOK:
		if !good {
			t.Fatalf("POST /api/session %q: logged in without the token", body)
		}
		if cookie == nil || !newSessions(token).valid(cookie.Value, time.Now()) {
			t.Errorf("POST /api/session %q: 200 without a valid cookie (%v)", body, cookie)
		}
	case http.StatusUnauthorized, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		if good {
			t.Errorf("POST /api/session %q: %d for the right token", body, rec.Code)
		}
		if cookie != nil {
			t.Errorf("POST /api/session %q: %d but a cookie %v", body, rec.Code, cookie)
		}
		checkRefused(t, "POST /api/session", body, rec, before, after)
	default:
		t.Fatalf("POST /api/session %q: status %d: %s", body, rec.Code, rec.Body)
	}
	if after.Version != before.Version {
		t.Errorf("POST /api/session %q changed the state", body)
	}
}

func checkDeleteSession(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	t.Helper()
	empty := len(bytes.TrimSpace([]byte(body))) == 0
	switch rec.Code {
	case http.StatusOK:
		if !empty {
			t.Fatalf("DELETE /api/session with body %q accepted", body)
		}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		if empty {
			t.Errorf("DELETE /api/session without a body refused: %d", rec.Code)
		}
		checkRefused(t, "DELETE /api/session", body, rec, before, after)
	default:
		t.Fatalf("DELETE /api/session %q: status %d: %s", body, rec.Code, rec.Body)
	}
	if after.Version != before.Version {
		t.Errorf("DELETE /api/session %q changed the state", body)
	}
}

// FuzzSessionBody logs in with every body, from the page's origin or from
// another site: a session (a cookie that then authenticates GET
// /api/session) exactly for one JSON object {"token": <the token>} sent
// same-origin; every refusal a JSON error and no cookie.
func FuzzSessionBody(f *testing.F) {
	for _, s := range []string{
		`{"token": "t0ken"}`, `{"token":"t0ken"}  `, `{"token": "t0ken "}`, `{"token": "T0KEN"}`, `{"token": "t0ke"}`,
		`{"token": "t0ken\u0000"}`, `{"token": "t\u0030ken"}`, `{"token": ""}`, `{"token": null}`, `{"token": 1}`,
		`{"token": ["t0ken"]}`, `{"token": "t0ken", "token": "x"}`, `{"token": "x", "token": "t0ken"}`, `{"TOKEN": "t0ken"}`,
		`{"token": "t0ken"} {}`, `{"token": "t0ken"}]`, `[{"token": "t0ken"}]`, `{"token": "t0ken", "x": 1}`,
		``, `{}`, `null`, `{`, "{\"token\": \"t0ken\"\x00}", strings.Repeat("{", 1000),
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	srv := New(Config{Token: token, Log: zerolog.Nop()})
	send := func(method, body string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/api/session", strings.NewReader(body))
		req.Host, req.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:40000"
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	f.Fuzz(func(t *testing.T, body string, crossSite bool) {
		site := "same-origin"
		if crossSite {
			site = "cross-site"
		}
		rec := send("POST", body, "Sec-Fetch-Site", site)
		if crossSite {
			if rec.Code != http.StatusForbidden || errorOf(t, rec.Body.Bytes()) != errCrossSite || len(rec.Result().Cookies()) != 0 {
				t.Fatalf("cross-site login %q: %d %s %v", body, rec.Code, rec.Body, rec.Result().Cookies())
			}
			return
		}
		checkPostSession(t, body, rec, state.State{}, state.State{})
		if rec.Code != http.StatusOK {
			return
		}
		if v := sessionReply(t, rec.Body.Bytes()); v != (sessionView{true, true}) {
			t.Errorf("login reply %+v", v)
		}
		c := rec.Result().Cookies()[0]
		got := send("GET", "", "Cookie", c.String())
		if v := sessionReply(t, got.Body.Bytes()); !v.Authenticated {
			t.Errorf("the login's cookie is not a session: %s", got.Body)
		}
	})
}

// FuzzSessionCookie: the cookie check never panics and accepts nothing
// but the cookies it minted, byte for byte.
func FuzzSessionCookie(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	s := newSessions(token)
	// A fixed nonce: the fuzzing workers must agree on the good cookie.
	payload := binary.BigEndian.AppendUint64(nil, uint64(now.Add(time.Hour).Unix()))
	payload = append(payload, make([]byte, sessionNonceLen)...)
	good := base64.RawURLEncoding.EncodeToString(append(payload, s.mac(payload)...))
	if !s.valid(good, now) {
		f.Fatal("the seed cookie does not verify")
	}
	for _, s := range []string{good, good[:10], good + "A", strings.ToUpper(good), "", "=", strings.Repeat("A", len(good)), strings.Repeat("_", len(good))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if s.valid(v, now) != (v == good) {
			t.Fatalf("valid(%q) = %v", v, !(v == good))
		}
	})
}

// Example_session logs in as the web page does, then acts by the cookie
// alone, then logs out.
func Example_session() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := state.New(state.Default())
	go store.Run(ctx)
	srv := httptest.NewServer(New(Config{Store: store, Token: "s3cret", Log: zerolog.Nop()}).Handler())
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar} // a browser keeps the cookie the same way
	post := func(method, path, body string) string {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := client.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Status + " " + strings.TrimSpace(string(b))
	}
	fmt.Println(post("POST", "/api/session", `{"token": "s3cret"}`))
	fmt.Println(post("POST", "/api/goto", `{"ra_deg": 83.82, "dec_deg": -5.39}`)[:6])
	fmt.Println(post("DELETE", "/api/session", ``))
	fmt.Println(post("POST", "/api/goto", `{"ra_deg": 83.82, "dec_deg": -5.39}`)[:6])
	// Output:
	// 200 OK {"authenticated":true,"mutations_enabled":true}
	// 200 OK
	// 200 OK {"authenticated":false,"mutations_enabled":true}
	// 401 Un
}
