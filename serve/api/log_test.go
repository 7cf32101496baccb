package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/obslog"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// seededLog is a fresh observing log holding entry 1 (M 13) and list 1
// (one target), closed when the test ends.
func seededLog(tb testing.TB) *obslog.Log {
	tb.Helper()
	l, err := obslog.Open(filepath.Join(tb.TempDir(), "obs.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	ctx := context.Background()
	if _, err := l.Add(ctx, obslog.Entry{
		Time:   time.Date(2025, 6, 28, 4, 30, 0, 0, time.UTC),
		Target: obslog.Target{Name: "M 13", Designations: []string{"M 13", "NGC 6205"}, RA: 250.423, Dec: 36.461, HasPosition: true},
		Notes:  "core resolved",
	}); err != nil {
		tb.Fatal(err)
	}
	if _, err := l.ImportList(ctx, strings.NewReader("name\nM 57\n"), "summer"); err != nil {
		tb.Fatal(err)
	}
	return l
}

// logPrint is everything the log holds, to tell whether a request changed it.
func logPrint(tb testing.TB, l *obslog.Log) string {
	tb.Helper()
	var b bytes.Buffer
	ctx := context.Background()
	if err := l.ExportCSV(ctx, &b, obslog.Filter{}); err != nil {
		tb.Fatal(err)
	}
	ls, err := l.Lists(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(&b, "%+v", ls)
	return b.String()
}

// testPath is an endpoint's path with {id} as 1 and the list import named.
func testPath(e endpoint) string {
	p := strings.ReplaceAll(e.path, "{id}", "1")
	if e.method == http.MethodPost && p == "/api/lists" {
		p += "?name=fuzzed"
	}
	return p
}

// logBodyChecks judge one request to a mutating log endpoint in
// FuzzMutatingBodies: only the documented statuses, JSON errors, a JSON
// body accepted only when it is one object of the documented fields, and
// never a change of the state.
var logBodyChecks = map[string]func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State){
	"POST /api/log":          checkLogBody("POST /api/log", true, http.StatusCreated, http.StatusConflict),
	"PATCH /api/log/{id}":    checkLogBody("PATCH /api/log/1", false, http.StatusOK, http.StatusNotFound),
	"DELETE /api/log/{id}":   checkNoBody("DELETE /api/log/1"),
	"DELETE /api/lists/{id}": checkNoBody("DELETE /api/lists/1"),
	"POST /api/lists":        checkListBody,
}

func strictLog(body string) (logRequest, bool) {
	var req logRequest
	d := json.NewDecoder(strings.NewReader(body))
	d.DisallowUnknownFields()
	if d.Decode(&req) != nil {
		return req, false
	}
	_, err := d.Token()
	return req, err != nil // io.EOF: nothing after the object
}

func checkLogBody(what string, emptyOK bool, ok int, other ...int) func(*testing.T, string, *httptest.ResponseRecorder, state.State, state.State) {
	return func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
		t.Helper()
		empty := len(bytes.TrimSpace([]byte(body))) == 0
		req, strict := strictLog(body)
		switch {
		case rec.Code == ok:
			if !(empty && emptyOK) && !strict {
				t.Fatalf("%s %q accepted, but it is not one JSON object of the documented fields", what, body)
			}
			if !emptyOK && req.Notes == nil {
				t.Fatalf("%s %q accepted without notes", what, body)
			}
			if after.Version != before.Version {
				t.Errorf("%s %q changed the state", what, body)
			}
		case rec.Code == http.StatusBadRequest, rec.Code == http.StatusRequestEntityTooLarge, contains(other, rec.Code):
			checkRefused(t, what, body, rec, before, after)
		default:
			t.Fatalf("%s %q: status %d: %s", what, body, rec.Code, rec.Body)
		}
	}
}

func contains(codes []int, c int) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

func checkNoBody(what string) func(*testing.T, string, *httptest.ResponseRecorder, state.State, state.State) {
	return func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
		t.Helper()
		empty := len(bytes.TrimSpace([]byte(body))) == 0
		switch rec.Code {
		case http.StatusOK:
			if !empty {
				t.Fatalf("%s with body %q accepted", what, body)
			}
		case http.StatusNotFound: // deleted by an earlier input
			checkRefused(t, what, body, rec, before, after)
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if empty {
				t.Errorf("%s without a body refused: %d", what, rec.Code)
			}
			checkRefused(t, what, body, rec, before, after)
		default:
			t.Fatalf("%s %q: status %d: %s", what, body, rec.Code, rec.Body)
		}
	}
}

func checkListBody(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	t.Helper()
	_, perr := obslog.ParseList(strings.NewReader(body), "fuzzed")
	switch rec.Code {
	case http.StatusCreated:
		if perr != nil {
			t.Fatalf("POST /api/lists %q accepted, but ParseList says %v", body, perr)
		}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		if perr == nil {
			t.Errorf("POST /api/lists %q refused (%d: %s), but it parses", body, rec.Code, rec.Body)
		}
		checkRefused(t, "POST /api/lists", body, rec, before, after)
	default:
		t.Fatalf("POST /api/lists %q: status %d: %s", body, rec.Code, rec.Body)
	}
}

// logReply is the part of an entry reply the tests read.
type logReply struct {
	Entry LogEntryView `json:"entry"`
}

func TestPostLog(t *testing.T) {
	cat, _ := targets.Default()
	m51, _ := cat.Lookup("M 51")
	mra, mdec, _ := m51.J2000()
	clock := time.Date(2026, 4, 15, 22, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, body string
		target     bool // the state has a target (M 51, by name)
		noSolve    bool // the state has no pointing estimate
		code       int
		wantName   string
		wantPos    bool
		errHas     string
	}{
		{"current target, no body", ``, true, false, 201, m51.Name(), true, ""},
		{"current target, notes", `{"notes": "spiral arms\nat 150x"}`, true, false, 201, m51.Name(), true, ""},
		{"named catalogue object", `{"name": "m13"}`, false, false, 201, "M 13", true, ""},
		{"named planet", `{"name": "Jupiter"}`, false, false, 201, "Jupiter", true, ""},
		{"name not in the catalogue", `{"name": "C/2025 A1"}`, false, false, 201, "C/2025 A1", false, ""},
		{"no solve yet", `{}`, true, true, 201, m51.Name(), true, ""},
		{"no target, no name", `{"notes": "x"}`, false, false, 409, "", false, "no target"},
		{"empty name", `{"name": "  "}`, true, false, 400, "", false, "name must be"},
		{"control character in notes", `{"notes": "a\u0007b"}`, true, false, 400, "", false, "control character"},
		{"notes too long", `{"notes": "` + strings.Repeat("x", obslog.MaxNotesBytes+1) + `"}`, true, false, 400, "", false, "at most"},
		{"unknown field", `{"note": "x"}`, true, false, 400, "", false, "unknown field"},
		{"trailing data", `{} {}`, true, false, 400, "", false, "trailing"},
		{"not an object", `[1]`, true, false, 400, "", false, "bad JSON"},
		{"too large", `{"notes": "` + strings.Repeat("x", 70<<10) + `"}`, true, false, 413, "", false, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := siteState(mra-1, mdec-1)
			st.Location.Lon = 355.65 // east of 0..360 is west of -180..180
			if tc.noSolve {
				st.Estimate = state.Estimate{}
			}
			store, _ := statetest.Run(t, st)
			if tc.target {
				if err := store.Update(context.Background(), state.SetTarget{Target: state.Target{Object: m51, Source: "api"}}); err != nil {
					t.Fatal(err)
				}
			}
			obs := seededLog(t)
			base := serve(t, Config{Store: store, Token: token, ObsLog: obs})
			before, _ := obs.Count(context.Background(), obslog.Filter{})
			code, b := do(t, "POST", base+"/api/log", tc.body, "X-API-Token", token)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, b)
			}
			n, _ := obs.Count(context.Background(), obslog.Filter{})
			if code != 201 {
				if e := errorOf(t, b); !strings.Contains(e, tc.errHas) {
					t.Errorf("error %q, want %q", e, tc.errHas)
				}
				if n != before {
					t.Errorf("refused, but the log has %d entries (was %d)", n, before)
				}
				return
			}
			var r logReply
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			e := r.Entry
			stored, err := obs.Get(context.Background(), e.ID)
			if err != nil || n != before+1 {
				t.Fatalf("entry %d not stored (%v), %d entries", e.ID, err, n)
			}
			if !strings.HasPrefix(e.Target.Name, tc.wantName) || stored.Target.Name != e.Target.Name {
				t.Errorf("target %q (stored %q), want %q", e.Target.Name, stored.Target.Name, tc.wantName)
			}
			if (e.Target.RA != nil) != tc.wantPos {
				t.Errorf("target position %v, want %v", e.Target.RA != nil, tc.wantPos)
			}
			if tc.target && (*e.Target.RA != mra || *e.Target.Dec != mdec || !contains2(e.Target.Designations, "NGC 5194")) {
				t.Errorf("target %+v, want M 51 at %v %v with its designations", e.Target, mra, mdec)
			}
			if d := e.Time.Sub(clock); d < 0 || d > time.Minute {
				t.Errorf("time %v, want the state's clock %v", e.Time, clock)
			}
			if s := e.Site; s == nil || s.Lat != 50.85 || math.Abs(s.Lon-(355.65-360)) > 1e-9 || s.Source != "MANUAL" {
				t.Errorf("site %+v", e.Site)
			}
			if tc.noSolve {
				if e.Pointing != nil || e.Stars != 0 {
					t.Errorf("no estimate, but pointing %+v stars %d", e.Pointing, e.Stars)
				}
			} else if p := e.Pointing; p == nil || p.RA != mra-1 || p.Dec != mdec-1 || p.Source != "CAM" || e.Stars != 17 {
				t.Errorf("pointing %+v stars %d, want the aligned estimate and 17 matches", e.Pointing, e.Stars)
			}
			var req logRequest
			_ = json.Unmarshal([]byte(tc.body), &req)
			if req.Notes != nil && e.Notes != *req.Notes {
				t.Errorf("notes %q", e.Notes)
			}
		})
	}
}

func contains2(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestLogEndpoints(t *testing.T) {
	store, _ := statetest.Run(t, siteState(10, 20))
	obs := seededLog(t)
	base := serve(t, Config{Store: store, Token: token, ObsLog: obs})
	tok := []string{"X-API-Token", token}
	ctx := context.Background()
	for _, name := range []string{"M 31", "M 42", "Mars"} {
		if code, b := do(t, "POST", base+"/api/log", `{"name": "`+name+`"}`, tok...); code != 201 {
			t.Fatalf("log %s: %d %s", name, code, b)
		}
	}
	type req struct {
		method, path, body string
		code               int
		has                string // in the reply
	}
	for _, tc := range []req{
		{"GET", "/api/log", "", 200, `"total":4`},
		{"GET", "/api/log?limit=2&offset=1", "", 200, `"limit":2,"offset":1`},
		{"GET", "/api/log?target=m31", "", 200, `"total":1`},
		{"GET", "/api/log?since=2026-01-01", "", 200, `"total":3`},
		{"GET", "/api/log?until=2026-01-01T00:00:00Z&order=oldest", "", 200, `"total":1`},
		{"GET", "/api/log?limit=1", "", 200, `"name":"Mars"`},
		{"GET", "/api/log?limit=1&order=oldest", "", 200, `"name":"M 13` + "\""},
		{"GET", "/api/log?limit=0", "", 400, "limit"},
		{"GET", "/api/log?limit=1001", "", 400, "1 to 1000"},
		{"GET", "/api/log?offset=-1", "", 400, "offset"},
		{"GET", "/api/log?since=yesterday", "", 400, "RFC 3339"},
		{"GET", "/api/log?order=random", "", 400, "order"},
		{"GET", "/api/log?target=" + strings.Repeat("x", 201), "", 400, "target longer"},
		{"GET", "/api/log/1", "", 200, `"name":"M 13"`},
		{"GET", "/api/log/999", "", 404, "not found"},
		{"GET", "/api/log/abc", "", 400, "positive integer"},
		{"GET", "/api/log/0", "", 400, "positive integer"},
		{"PATCH", "/api/log/1", `{"notes": "seen again"}`, 200, `"notes":"seen again"`},
		{"PATCH", "/api/log/1", `{}`, 400, "notes"},
		{"PATCH", "/api/log/1", `{"notes": "\u0000"}`, 400, "control character"},
		{"PATCH", "/api/log/1", `{"name": "x"}`, 400, "unknown field"},
		{"PATCH", "/api/log/999", `{"notes": "x"}`, 404, "not found"},
		{"DELETE", "/api/log/2", `x`, 400, "takes no body"},
		{"DELETE", "/api/log/2", ``, 200, `"deleted":2`},
		{"DELETE", "/api/log/2", ``, 404, "not found"},
		{"PUT", "/api/log/1", `{}`, 405, "not allowed"},
		{"PUT", "/api/lists", ``, 405, "not allowed"},
		{"POST", "/api/lists", "name\nM 31\n", 400, "name the list"},
		{"POST", "/api/lists?name=bad", "name,ra,dec\nM 42,25:00:00,0\n", 400, "line 2"},
		{"POST", "/api/lists?name=empty", "", 400, "no targets"},
		{"POST", "/api/lists?name=big", "name\n" + strings.Repeat("M 31\n", obslog.MaxListBytes/5+1), 413, "larger than"},
		{"POST", "/api/lists?name=winter", "name,ra,dec\nM 42,05:35:17.3,-05:23:28\nngc224,,\nxyzzy,,\nJupiter,,\n", 201, `"items":4`},
		{"GET", "/api/lists", "", 200, `"name":"winter"`},
		{"GET", "/api/lists/999", "", 404, "not found"},
		{"DELETE", "/api/lists/1", ``, 200, `"deleted":1`},
		{"DELETE", "/api/lists/1", ``, 404, "not found"},
	} {
		code, b := do(t, tc.method, base+tc.path, tc.body, tok...)
		if code != tc.code || !strings.Contains(string(b), tc.has) {
			t.Errorf("%s %s: %d %.300s, want %d with %q", tc.method, tc.path, code, b, tc.code, tc.has)
		}
	}
	if e, _ := obs.Get(ctx, 1); e.Notes != "seen again" {
		t.Errorf("PATCH did not store the notes: %q", e.Notes)
	}

	// The imported list, resolved against the catalogue.
	ls, _ := obs.Lists(ctx)
	if len(ls) != 1 || ls[0].Name != "winter" {
		t.Fatalf("lists %+v", ls)
	}
	code, b := do(t, "GET", fmt.Sprintf("%s/api/lists/%d", base, ls[0].ID), "")
	var lr struct {
		List ListView `json:"list"`
	}
	if err := json.Unmarshal(b, &lr); code != 200 || err != nil {
		t.Fatalf("%d %s %v", code, b, err)
	}
	items := lr.List.ItemsList
	if len(items) != 4 || lr.List.Format != "csv" || lr.List.Items != 4 {
		t.Fatalf("list %+v", lr.List)
	}
	cat, _ := targets.Default()
	m31, _ := cat.Lookup("M 31")
	ra31, _, _ := m31.J2000()
	for i, want := range []struct {
		resolved, pos bool
		ra            float64
	}{{false, true, 83.8221}, {true, true, ra31}, {false, false, 0}, {true, true, -1}} {
		it := items[i]
		if it.Resolved != want.resolved || (it.RA != nil) != want.pos {
			t.Errorf("item %d %+v: resolved %v, position %v; want %v %v", i, it, it.Resolved, it.RA != nil, want.resolved, want.pos)
			continue
		}
		if want.pos && want.ra >= 0 && (*it.RA-want.ra > 1e-3 || want.ra-*it.RA > 1e-3) {
			t.Errorf("item %d RA %v, want %v", i, *it.RA, want.ra)
		}
	}
	if items[1].CatalogueName != m31.Name() || items[2].CatalogueName != "" {
		t.Errorf("catalogue names %q %q", items[1].CatalogueName, items[2].CatalogueName)
	}
}

func TestLogExports(t *testing.T) {
	store, _ := statetest.Run(t, siteState(10, 20))
	obs := seededLog(t)
	base := serve(t, Config{Store: store, Token: token, ObsLog: obs})
	if code, b := do(t, "POST", base+"/api/log", `{"name": "M 31", "notes": "dust lane"}`, "X-API-Token", token); code != 201 {
		t.Fatalf("%d %s", code, b)
	}
	for _, tc := range []struct {
		path, ctype, file string
		has               []string // in order
	}{
		{"/api/log/export.csv", "text/csv", "observations.csv", []string{"id,time_utc,target", "1,2025-06-28T04:30:00Z,M 13", ",dust lane"}},
		{"/api/log/export.csv?order=newest", "text/csv", "observations.csv", []string{"id,time_utc", "dust lane", "M 13"}},
		{"/api/log/export.csv?target=ngc6205", "text/csv", "observations.csv", []string{"M 13"}},
		{"/api/log/export.skylist", "text/plain", "observations.skylist", []string{"SkySafariObservingListVersion=3.0", "CatalogNumber=M 13", "Comment=dust lane"}},
	} {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="`+tc.file+`"` {
			t.Errorf("%s: %d %v", tc.path, resp.StatusCode, resp.Header)
		}
		out := buf.String()
		for _, s := range tc.has {
			i := strings.Index(out, s)
			if i < 0 {
				t.Errorf("%s: no %q in\n%s", tc.path, s, out)
				break
			}
			out = out[i+len(s):]
		}
		if strings.Contains(tc.path, "target=") && strings.Contains(buf.String(), "M 31") {
			t.Errorf("%s: the filter let M 31 through", tc.path)
		}
	}
	if code, b := do(t, "GET", base+"/api/log/export.csv?since=never", ""); code != 400 || !strings.Contains(errorOf(t, b), "since") {
		t.Errorf("bad filter: %d %s", code, b)
	}
}

// TestLogOff: without a log every log endpoint says so (503), after the
// token check for the mutating ones.
func TestLogOff(t *testing.T) {
	store, _ := statetest.Run(t, siteState(10, 20))
	srv := New(Config{Store: store, Token: token})
	base := serve(t, Config{Store: store, Token: token})
	n := 0
	for _, e := range srv.logEndpoints() {
		body := ""
		if e.method == http.MethodPatch {
			body = `{"notes": "x"}`
		}
		code, b := do(t, e.method, base+testPath(e), body, "X-API-Token", token)
		if code != 503 || !strings.Contains(errorOf(t, b), "--obslog") {
			t.Errorf("%s %s: %d %s", e.method, e.path, code, b)
		}
		n++
	}
	if n < 11 {
		t.Errorf("only %d log endpoints", n)
	}
}

// TestLogOpenedLazily: OpenObsLog runs at the first request that needs
// the log, not at New; a failure is a 503 and is tried again.
func TestLogOpenedLazily(t *testing.T) {
	store, _ := statetest.Run(t, siteState(10, 20))
	var calls atomic.Int32
	var fail atomic.Bool
	fail.Store(true)
	path := filepath.Join(t.TempDir(), "lazy.db")
	var opened *obslog.Log
	t.Cleanup(func() {
		if opened != nil {
			opened.Close()
		}
	})
	open := func() (*obslog.Log, error) {
		calls.Add(1)
		if fail.Load() {
			return nil, errors.New("disk on fire")
		}
		l, err := obslog.Open(path)
		opened = l
		return l, err
	}
	base := serve(t, Config{Store: store, Token: token, OpenObsLog: open})
	if calls.Load() != 0 {
		t.Fatal("opened at New")
	}
	if code, b := do(t, "GET", base+"/api/state", ""); code != 200 || calls.Load() != 0 {
		t.Fatalf("state read opened the log: %d %s", code, b)
	}
	if code, b := do(t, "GET", base+"/api/log", ""); code != 503 || !strings.Contains(errorOf(t, b), "disk on fire") {
		t.Fatalf("failed open: %d %s", code, b)
	}
	fail.Store(false)
	for range 3 {
		if code, b := do(t, "GET", base+"/api/log", ""); code != 200 {
			t.Fatalf("after recovery: %d %s", code, b)
		}
	}
	if c := calls.Load(); c != 2 {
		t.Errorf("opener called %d times, want 2 (one failure, one success)", c)
	}
}

// FuzzLogBody sends bodies to POST /api/log and PATCH /api/log/1 and as a
// list to POST /api/lists, with the checks of FuzzMutatingBodies.
func FuzzLogBody(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `{"notes": "x"}`, `{"name": "M 31"}`, `{"name": "M 31", "notes": "a\nb"}`, `{"name": ""}`,
		`{"name": null}`, `{"notes": 1}`, `{"notes": "\u0000"}`, `{"notes": "\ud800"}`, `{"x": 1}`, `{} []`, `[]`,
		`{"name": "` + strings.Repeat("n", 201) + `"}`, "name\nM 31\n", "SkySafariObservingListVersion=3.0\n",
		"ra,dec\n10,20\n", "name,ra,dec\nx,25:00:00,0\n",
	} {
		f.Add(s)
	}
	st := siteState(10, 20)
	store, _ := statetest.Run(f, st)
	obs := seededLog(f)
	srv := New(Config{Store: store, Token: token, ObsLog: obs})
	f.Fuzz(func(t *testing.T, body string) {
		for _, e := range srv.logEndpoints() {
			check, ok := logBodyChecks[e.method+" "+e.path]
			if !ok || e.method == http.MethodDelete {
				continue
			}
			before, _ := store.Snapshot(context.Background())
			req := httptest.NewRequest(e.method, testPath(e), strings.NewReader(body))
			req.Host, req.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:40000"
			req.Header.Set("X-API-Token", token)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			after, _ := store.Snapshot(context.Background())
			check(t, body, rec, before, after)
		}
	})
}
