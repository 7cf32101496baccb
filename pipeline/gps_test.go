package pipeline

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// TestSummaryWhereAndWhen: the summary line carries the site, its source,
// the GPS status and the time source.
func TestSummaryWhereAndWhen(t *testing.T) {
	now := time.Now()
	boot := state.Default()
	boot.Clock = state.NewClock(now, false)
	fixed := boot
	fixed.Location = state.Location{Lat: 50.85, Lon: 4.35, AltitudeM: 76, Source: "GPS", Lock: true, LockType: 3}
	fixed.GPS = state.GPSStatus{Connected: true, Mode: state.Fix3D, SatsSeen: 11, SatsUsed: 9, HasSats: true, ErrorM: 4}
	cases := []struct {
		name string
		s    state.State
		want map[string]any
	}{
		{"boot", boot, map[string]any{"location_source": "None", "lat_deg": 0.0, "gps": "no gpsd", "time_source": "SYSTEM-UNVERIFIED"}},
		{"3D fix", fixed, map[string]any{"location_source": "GPS", "lat_deg": 50.85, "lon_deg": 4.35, "alt_m": 76.0, "gps": "3D fix, 9 used, ±4 m", "time_source": "SYSTEM-UNVERIFIED"}},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		logSummary(zerolog.New(&buf), c.s, state.Stats{}, now, 5*time.Second)
		var line map[string]any
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, buf.String())
		}
		for k, v := range c.want {
			if line[k] != v {
				t.Errorf("%s: %s = %v, want %v", c.name, k, line[k], v)
			}
		}
	}
}
