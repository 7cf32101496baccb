package api

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// siteState is solvedState at Brussels with the clock on 2026-04-15 22:00 UTC.
func siteState(ra, dec float64) state.State {
	st := solvedState(ra, dec, 0, 10.2)
	st.Location = state.Location{Lat: 50.85, Lon: 4.35, Source: "MANUAL", Lock: true, Timezone: "UTC"}
	st.Clock = state.NewClock(time.Date(2026, 4, 15, 22, 0, 0, 0, time.UTC), true)
	return st
}

func TestPostTarget(t *testing.T) {
	m51, _ := targets.Default()
	tg, _ := m51.Lookup("M 51")
	mra, mdec, _ := tg.J2000()
	for _, tc := range []struct {
		name, body string
		code       int
		wantName   string // of the 200 reply
		errHas     string // of an error reply
	}{
		{"by name", `{"name": "M 51"}`, 200, tg.Name(), ""},
		{"by another spelling", `{"name": "  ngc5194 "}`, 200, tg.Name(), ""},
		{"a planet", `{"name": "jupiter"}`, 200, "Jupiter", ""},
		{"coordinates", `{"ra_deg": 10.5, "dec_deg": -20}`, 200, "RA 10.5000° Dec -20.0000°", ""},
		{"unknown name suggests", `{"name": "Whirl"}`, 404, "", "did you mean: M 51"},
		{"name and position", `{"name": "M 51", "ra_deg": 1, "dec_deg": 2}`, 400, "", "not both"},
		{"empty name", `{"name": " "}`, 400, "", "1 to 128 bytes"},
		{"RA only", `{"ra_deg": 1}`, 400, "", "required"},
		{"RA out of range", `{"ra_deg": 360, "dec_deg": 0}`, 400, "", "ra_deg 360"},
		{"Dec out of range", `{"ra_deg": 0, "dec_deg": -91}`, 400, "", "dec_deg -91"},
		{"unknown field", `{"nam": "M 51"}`, 400, "", "unknown field"},
		{"trailing data", `{"name": "M 51"} x`, 400, "", "trailing"},
		{"empty body", ``, 400, "", "empty body"},
		{"too large", `{"name": "` + strings.Repeat("x", 70<<10) + `"}`, 413, "", "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, siteState(mra-1, mdec-1))
			base := serve(t, Config{Store: store, Token: token})
			code, b := do(t, "POST", base+"/api/target", tc.body, "X-API-Token", token)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, b)
			}
			st, _ := store.Snapshot(context.Background())
			if tc.code != 200 {
				if e := errorOf(t, b); !strings.Contains(e, tc.errHas) {
					t.Errorf("error %q, want it to mention %q", e, tc.errHas)
				}
				if st.HasTarget {
					t.Errorf("refused, but the target is set")
				}
				return
			}
			var reply struct{ Target *TargetView }
			if err := json.Unmarshal(b, &reply); err != nil || reply.Target == nil {
				t.Fatalf("reply %s: %v", b, err)
			}
			v := reply.Target
			if v.Name != tc.wantName || v.Name != st.Target.Name || v.Source != "api" || v.Seq != 1 {
				t.Errorf("target %+v, state %q", v, st.Target.Name)
			}
			g := v.Guidance
			if g == nil || g.Mount != "altaz" || g.AzimuthDeg == nil || g.RADeg != nil {
				t.Fatalf("guidance %+v", g)
			}
			if want := geom.Separation(mra-1, mdec-1, st.Target.RA, st.Target.Dec); math.Abs(g.SeparationDeg-want) > 1e-9 {
				t.Errorf("separation %v, want %v", g.SeparationDeg, want)
			}
			// GET /api/state carries the same target.
			_, sb := do(t, "GET", base+"/api/state", "")
			var sv StateView
			if err := json.Unmarshal(sb, &sv); err != nil || sv.Target == nil || sv.Target.Name != tc.wantName || sv.Target.Guidance == nil {
				t.Errorf("state target %s (%v)", sb, err)
			}
		})
	}
}

func TestDeleteTargetAndRecent(t *testing.T) {
	store, _ := statetest.Run(t, siteState(200, 45))
	base := serve(t, Config{Store: store, Token: token})
	for _, body := range []string{`{"name": "M 51"}`, `{"name": "M 31"}`, `{"name": "M 51"}`} {
		if code, b := do(t, "POST", base+"/api/target", body, "X-API-Token", token); code != 200 {
			t.Fatalf("%s: %d %s", body, code, b)
		}
	}
	if code, b := do(t, "DELETE", base+"/api/target", `{"name": "M 51"}`, "X-API-Token", token); code != 400 {
		t.Errorf("DELETE with a body: %d %s", code, b)
	}
	if code, b := do(t, "DELETE", base+"/api/target", "", "X-API-Token", token); code != 200 || string(b) != "{\"target\":null}\n" {
		t.Errorf("DELETE: %d %s", code, b)
	}
	if code, _ := do(t, "DELETE", base+"/api/target", ""); code != 401 {
		t.Errorf("DELETE without the token: %d", code)
	}
	if code, _ := do(t, "GET", base+"/api/target", ""); code != 405 {
		t.Errorf("GET /api/target: %d, want 405", code)
	}
	_, b := do(t, "GET", base+"/api/targets/recent", "")
	var r struct{ Recent []TargetView }
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range r.Recent {
		names = append(names, v.Name)
	}
	if !strings.HasPrefix(strings.Join(names, "|"), "M 51 ") || !strings.HasSuffix(strings.Join(names, "|"), "|M 31 Andromeda Galaxy") || r.Recent[0].Kind != "galaxy" || r.Recent[0].Constellation != "CVn" {
		t.Errorf("recent %s", b)
	}
	st, _ := store.Snapshot(context.Background())
	if st.HasTarget {
		t.Error("target not cleared")
	}
}

func TestSearch(t *testing.T) {
	noSite := solvedState(10, 20, 0, 10)
	for _, tc := range []struct {
		name  string
		st    state.State
		query string
		code  int
		first string // first result's name
		check func(t *testing.T, res []ObjectView)
	}{
		{"m51", siteState(0, 0), "q=m51", 200, m51Label(), func(t *testing.T, res []ObjectView) {
			if !res[0].Exact || res[0].Kind != "galaxy" || res[0].Constellation != "CVn" || res[0].AltDeg == nil || math.IsNaN(float64(res[0].MajorArcmin)) {
				t.Errorf("%+v", res[0])
			}
		}},
		{"prefix with limit", siteState(0, 0), "q=ngc&limit=3", 200, "", func(t *testing.T, res []ObjectView) {
			if len(res) != 3 || res[0].Exact {
				t.Errorf("%d results, first %+v", len(res), res[0])
			}
		}},
		{"filters", siteState(0, 0), "type=galaxy,globular+cluster&mag=9&con=UMa&limit=50", 200, "", func(t *testing.T, res []ObjectView) {
			if len(res) == 0 {
				t.Fatal("nothing")
			}
			for _, r := range res {
				if r.Constellation != "UMa" || r.Kind != "galaxy" && r.Kind != "globular cluster" || !(float64(r.Mag) <= 9) {
					t.Errorf("%+v does not pass the filter", r)
				}
			}
		}},
		{"above the horizon", siteState(0, 0), "type=planet&above=1", 200, "", func(t *testing.T, res []ObjectView) {
			for _, r := range res {
				if r.AltDeg == nil || *r.AltDeg < -0.01 {
					t.Errorf("%s at %v", r.Name, r.AltDeg)
				}
			}
		}},
		{"no site for above", noSite, "q=m&above=1", 409, "", nil},
		{"bad type", siteState(0, 0), "type=spaceship", 400, "", nil},
		{"bad mag", siteState(0, 0), "mag=bright", 400, "", nil},
		{"bad limit", siteState(0, 0), "limit=0", 400, "", nil},
		{"bad above", siteState(0, 0), "above=yes", 400, "", nil},
		{"without site no alt", noSite, "q=vega", 200, "Vega", func(t *testing.T, res []ObjectView) {
			if res[0].AltDeg != nil {
				t.Errorf("alt %v without a site", *res[0].AltDeg)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, tc.st)
			base := serve(t, Config{Store: store})
			code, b := do(t, "GET", base+"/api/search?"+tc.query, "")
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, b)
			}
			if code != 200 {
				errorOf(t, b)
				return
			}
			var r struct{ Results []ObjectView }
			if err := json.Unmarshal(b, &r); err != nil || len(r.Results) == 0 {
				t.Fatalf("%s (%v)", b, err)
			}
			if tc.first != "" && r.Results[0].Name != tc.first {
				t.Errorf("first %q, want %q", r.Results[0].Name, tc.first)
			}
			if tc.check != nil {
				tc.check(t, r.Results)
			}
		})
	}
}

func TestNearby(t *testing.T) {
	cat, _ := targets.Default()
	m51, _ := cat.Lookup("M 51")
	ra, dec, _ := m51.J2000()
	store, _ := statetest.Run(t, siteState(ra+0.1, dec))
	base := serve(t, Config{Store: store})
	code, b := do(t, "GET", base+"/api/nearby?radius=0.5", "")
	var r struct{ Nearby []ObjectView }
	if err := json.Unmarshal(b, &r); code != 200 || err != nil || len(r.Nearby) == 0 {
		t.Fatalf("%d %s", code, b)
	}
	if !strings.HasPrefix(r.Nearby[0].Name, "M 51") || r.Nearby[0].SeparationDeg == nil || *r.Nearby[0].SeparationDeg > 0.1 {
		t.Errorf("nearest %+v", r.Nearby[0])
	}
	for i, n := range r.Nearby {
		if *n.SeparationDeg > 0.5 || i > 0 && *n.SeparationDeg < *r.Nearby[i-1].SeparationDeg {
			t.Errorf("%d: %s at %v, not sorted within 0.5°", i, n.Name, *n.SeparationDeg)
		}
	}
	for _, q := range []string{"radius=0", "radius=200", "radius=x", "order=random"} {
		if code, _ := do(t, "GET", base+"/api/nearby?"+q, ""); code != 400 {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
	empty, _ := statetest.Run(t, state.Default())
	base2 := serve(t, Config{Store: empty})
	if code, _ := do(t, "GET", base2+"/api/nearby", ""); code != 409 {
		t.Errorf("no pointing: %d, want 409", code)
	}
}

// The event stream carries the target: null at first, then the target
// with its guidance when one is set, and the guidance of new estimates.
func TestTargetEvents(t *testing.T) {
	store, _ := statetest.Run(t, siteState(200, 45))
	base := serve(t, Config{Store: store})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := openEvents(t, ctx, base+"/api/events")
	if ev := next(t, ch, EventTarget); ev.data != "null" {
		t.Errorf("first target event %q", ev.data)
	}
	bg := context.Background()
	cat, _ := targets.Default()
	m51, _ := cat.Lookup("M 51")
	if err := store.Update(bg, state.SetTarget{Target: state.Target{Object: m51, Source: "api"}}); err != nil {
		t.Fatal(err)
	}
	var v TargetView
	if ev := next(t, ch, EventTarget); json.Unmarshal([]byte(ev.data), &v) != nil || v.Name != m51.Name() || v.Guidance == nil {
		t.Fatalf("target event %q", ev.data)
	}
	first := v.Guidance.SeparationDeg
	ra, dec, _ := m51.J2000()
	if err := store.Update(bg, state.SetEstimate{Estimate: solvedState(ra, dec, 0, 10.2).Estimate}); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, ch, EventTarget); json.Unmarshal([]byte(ev.data), &v) != nil || v.Guidance == nil || v.Guidance.SeparationDeg > 1e-6 || !v.Guidance.InField || first < 1 {
		t.Errorf("after reaching it: %q (first separation %v)", ev.data, first)
	}
	if err := store.Update(bg, state.ClearTarget{}); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, ch, EventTarget); ev.data != "null" {
		t.Errorf("after clearing: %q", ev.data)
	}
	cancel()
	for range ch {
	}
}

func m51Label() string {
	cat, _ := targets.Default()
	tg, _ := cat.Lookup("M 51")
	return tg.Name()
}
