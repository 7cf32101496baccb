package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// targetBodyChecks judge one request to a target endpoint in the fuzz
// tests (FuzzMutatingBodies sends every body to every mutating endpoint):
// only the documented statuses, JSON errors, and the state changed exactly
// when the request was accepted.
var targetBodyChecks = map[string]func(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State){
	"POST /api/target":   checkPostTarget,
	"DELETE /api/target": checkDeleteTarget,
}

func checkRefused(t *testing.T, what, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error == "" {
		t.Errorf("%s %q: %d without a JSON error: %q", what, body, rec.Code, rec.Body)
	}
	if after.Version != before.Version {
		t.Errorf("%s %q refused (%d) but the state changed", what, body, rec.Code)
	}
}

func checkPostTarget(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	t.Helper()
	var req targetRequest
	d := json.NewDecoder(strings.NewReader(body))
	d.DisallowUnknownFields()
	strict := d.Decode(&req) == nil && !d.More()
	cat, _ := targets.Default()
	switch rec.Code {
	case http.StatusOK:
		switch {
		case !strict:
			t.Fatalf("POST /api/target %q accepted, but it is not one JSON object of the documented fields", body)
		case req.Name != nil:
			if req.RA != nil || req.Dec != nil {
				t.Fatalf("%q accepted with both a name and a position", body)
			}
			if _, ok := cat.Lookup(strings.TrimSpace(*req.Name)); !ok {
				t.Fatalf("%q accepted, but the catalogue has no such name", body)
			}
		case req.RA == nil || req.Dec == nil || !inRange(*req.RA, *req.Dec):
			t.Fatalf("%q accepted, but it is not an in-range position", body)
		}
		if after.Version == before.Version || !after.HasTarget || after.Target.Name == "" || !inRange(after.Target.RA, after.Target.Dec) {
			t.Errorf("%q: 200 but the state is %+v", body, after.Target)
		}
		var reply struct {
			Target *TargetView `json:"target"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil || reply.Target == nil || reply.Target.Name != after.Target.Name {
			t.Errorf("%q: reply %s (%v)", body, rec.Body, err)
		}
	case http.StatusNotFound:
		if !strict || req.Name == nil {
			t.Errorf("%q: 404 for a body without a name", body)
		}
		checkRefused(t, "POST /api/target", body, rec, before, after)
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		checkRefused(t, "POST /api/target", body, rec, before, after)
	default:
		t.Fatalf("POST /api/target %q: status %d: %s", body, rec.Code, rec.Body)
	}
}

func checkDeleteTarget(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	t.Helper()
	empty := len(bytes.TrimSpace([]byte(body))) == 0
	switch rec.Code {
	case http.StatusOK:
		if !empty {
			t.Fatalf("DELETE /api/target with body %q accepted", body)
		}
		if after.HasTarget || after.Version == before.Version {
			t.Errorf("DELETE: 200 but the target is %v (version %d → %d)", after.HasTarget, before.Version, after.Version)
		}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		if empty {
			t.Errorf("DELETE without a body refused: %d", rec.Code)
		}
		checkRefused(t, "DELETE /api/target", body, rec, before, after)
	default:
		t.Fatalf("DELETE /api/target %q: status %d: %s", body, rec.Code, rec.Body)
	}
}

// FuzzTargetBody sends name and position bodies to POST /api/target, then
// (every other input) clears the target again.
func FuzzTargetBody(f *testing.F) {
	for _, s := range []string{
		`{"name": "M 51"}`, `{"name": "m51"}`, `{"name": " Jupiter "}`, `{"name": "alpha Lyr"}`, `{"name": "α Lyr"}`,
		`{"name": "Whirlpool"}`, `{"name": "xyzzy"}`, `{"name": ""}`, `{"name": "   "}`, `{"name": null}`, `{"name": 51}`,
		`{"name": "M 51", "ra_deg": 1, "dec_deg": 2}`, `{"name": "M 51", "dec_deg": 2}`, `{"ra_deg": 202.47, "dec_deg": 47.2}`,
		`{"ra_deg": 360, "dec_deg": 0}`, `{"ra_deg": 1}`, `{"name": "M 51"} {}`, `{"name": "M 51", "x": 1}`,
		`{"name": "` + strings.Repeat("m", 200) + `"}`, `{"name": "\u0000"}`, `{"name": "M\ud800"}`, ``, `{}`, `[]`,
	} {
		f.Add(s)
	}
	store, _ := statetest.Run(f, solvedState(202.0, 47.0, 10, 10.2))
	srv := New(Config{Store: store, Token: token})
	send := func(t *testing.T, method, body string) {
		before, err := store.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(method, "/api/target", strings.NewReader(body))
		req.Host, req.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:40000"
		req.Header.Set("X-API-Token", token)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		after, err := store.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		targetBodyChecks[method+" /api/target"](t, body, rec, before, after)
	}
	f.Fuzz(func(t *testing.T, body string) {
		send(t, http.MethodPost, body)
		if len(body)%2 == 0 {
			send(t, http.MethodDelete, "")
		}
	})
}
