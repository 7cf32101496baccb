package api

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

func TestChartSVG(t *testing.T) {
	orion := solvedState(83.8, -5.4, 30, 10.2)
	withTarget := orion
	withTarget.HasTarget, withTarget.Target = true, state.Target{RA: 83.82, Dec: -5.39, Name: "M 42 <Orion Nebula>"}
	cases := []struct {
		name  string
		st    state.State
		query string
		code  int
		has   []string // in the SVG
	}{
		{"no pointing", state.Default(), "", 503, nil},
		{"night", orion, "", 200, []string{"<svg", "Ori"}},
		{"day, north up, wide", orion, "?theme=day&north_up=1&fov=60&mag=5", 200, []string{"<svg", "Ori"}},
		{"target label escaped", withTarget, "", 200, []string{"M 42 &lt;Orion Nebula&gt;"}},
		{"fov too wide", orion, "?fov=180", 400, nil},
		{"fov not a number", orion, "?fov=NaN", 400, nil},
		{"mag junk", orion, "?mag=bright", 400, nil},
		{"theme unknown", orion, "?theme=blue", 400, nil},
		{"north_up junk", orion, "?north_up=yes", 400, nil},
		{"size too big", orion, "?size=100000", 400, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, tc.st)
			h := New(Config{Store: store}).Handler()
			rec := doHandler(t, h, "GET", "/api/chart.svg"+tc.query, "")
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if tc.code != 200 {
				if errorOf(t, rec.Body.Bytes()) == "" {
					t.Error("no JSON error")
				}
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("Content-Type %q", ct)
			}
			body := rec.Body.String()
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Errorf("SVG lacks %q", s)
				}
			}
			d := xml.NewDecoder(strings.NewReader(body))
			for {
				if _, err := d.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("SVG is not XML: %v", err)
				}
			}
			if len(body) > 100<<10 {
				t.Errorf("SVG of %d bytes; the page loads one per second", len(body))
			}
		})
	}
}
