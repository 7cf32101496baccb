package pipeline

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// TestSummaryCamera: the summary line says whether the camera delivers,
// so a stalled camera is not read as a live CAM solve (issue 14).
func TestSummaryCamera(t *testing.T) {
	now := time.Now()
	live := state.Default()
	live.CameraType, live.CameraWait = "replay", now.Add(-time.Second)
	live.Estimate.Source = state.SourceCamera
	stalled := live
	stalled.CameraWait = now.Add(-74 * time.Second)
	none := stalled
	none.CameraType = "none"
	cases := []struct {
		name      string
		s         state.State
		camera    string
		stalledS  any
		wantField bool
	}{
		{"frames arriving", live, "ok", nil, false},
		{"stalled for 74 s", stalled, "stalled", 74.0, true},
		{"no camera", none, "none", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			logSummary(zerolog.New(&buf), tc.s, state.Stats{}, now, 5*time.Second)
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("%v: %s", err, buf.String())
			}
			got, has := line["camera_stalled_s"]
			if line["camera"] != tc.camera || has != tc.wantField || got != tc.stalledS || line["source"] != "CAM" {
				t.Fatalf("camera %v, camera_stalled_s %v, source %v; want camera %q, camera_stalled_s %v, source CAM:\n%s",
					line["camera"], got, line["source"], tc.camera, tc.stalledS, buf.String())
			}
		})
	}
}
