package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/state"
)

// TestViewWhereAndWhen: /api/state carries the site's source, the GPS
// status and the time source.
func TestViewWhereAndWhen(t *testing.T) {
	st := state.Default()
	st.Clock = state.NewClock(time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC), false)
	st.Location = state.Location{Lat: 50.85, Lon: 4.35, Source: state.LocationApp, Lock: true}
	st.GPS = state.GPSStatus{Connected: true, Mode: state.FixNone, SatsSeen: 7, HasSats: true}
	b, err := json.Marshal(View(st))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Location struct {
			Source string `json:"source"`
		} `json:"location"`
		Time struct {
			Source string `json:"source"`
		} `json:"time"`
		GPS struct {
			Connected bool   `json:"connected"`
			Mode      int    `json:"mode"`
			SatsSeen  *int   `json:"sats_seen"`
			Status    string `json:"status"`
		} `json:"gps"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Location.Source != "APP" || v.Time.Source != "SYSTEM-UNVERIFIED" || !v.GPS.Connected || v.GPS.Mode != 1 ||
		v.GPS.SatsSeen == nil || *v.GPS.SatsSeen != 7 || v.GPS.Status != "searching, 7 sats seen" {
		t.Errorf("view %s", b)
	}
	st.GPS = state.GPSStatus{}
	if b, _ := json.Marshal(View(st).GPS); string(b) != `{"connected":false,"mode":0,"sats_seen":null,"sats_used":null,"error_m":0,"status":"no gpsd"}` {
		t.Errorf("no gpsd: %s", b)
	}
}
