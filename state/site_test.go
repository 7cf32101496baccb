package state

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestTimeSources runs one clock through the rules of SetDateTime's Source:
// system boot time, GPS forward-only with the agreement window, the app
// while GPS has not spoken, manual above all.
func TestTimeSources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boot := time.Date(2026, 3, 15, 20, 0, 0, 0, time.UTC)
		init := Default()
		init.Clock = NewClock(boot, false)
		st, _ := start(t, init)
		ctx := context.Background()
		steps := []struct {
			name    string
			u       SetDateTime
			want    time.Time
			wantSrc TimeSource
		}{
			{"boot", SetDateTime{Time: boot.Add(-time.Hour)}, boot, TimeSystem},
			{"app sets the time back", SetDateTime{Time: boot.Add(-time.Hour), Source: TimeApp}, boot.Add(-time.Hour), TimeApp},
			{"app again, forward", SetDateTime{Time: boot.Add(time.Minute), Source: TimeApp}, boot.Add(time.Minute), TimeApp},
			{"gps behind beyond agreement ignored", SetDateTime{Time: boot.Add(time.Minute - 3*time.Second), Source: TimeGPS}, boot.Add(time.Minute), TimeApp},
			{"gps just behind confirms", SetDateTime{Time: boot.Add(time.Minute - time.Second), Source: TimeGPS}, boot.Add(time.Minute), TimeGPS},
			{"app cannot replace gps", SetDateTime{Time: boot.Add(-time.Hour), Source: TimeApp}, boot.Add(time.Minute), TimeGPS},
			{"gps forward taken", SetDateTime{Time: boot.Add(time.Hour), Source: TimeGPS}, boot.Add(time.Hour), TimeGPS},
			{"manual wins", SetDateTime{Time: boot, Force: true}, boot, TimeManual},
			{"gps ignored while manual", SetDateTime{Time: boot.Add(2 * time.Hour), Source: TimeGPS}, boot, TimeManual},
			{"app ignored while manual", SetDateTime{Time: boot.Add(2 * time.Hour), Source: TimeApp}, boot, TimeManual},
		}
		for _, s := range steps {
			must(t, st.Update(ctx, s.u))
			snap, err := st.Snapshot(ctx)
			must(t, err)
			got, _ := snap.Clock.Now()
			if !got.Equal(s.want) || snap.Clock.Source() != s.wantSrc {
				t.Errorf("%s: clock %v from %q, want %v from %q", s.name, got, snap.Clock.Source(), s.want, s.wantSrc)
			}
		}
		must(t, st.Update(ctx, ResetDateTime{}))
		snap, _ := st.Snapshot(ctx)
		if snap.Clock.Source() != TimeNone {
			t.Errorf("reset clock reads source %q", snap.Clock.Source())
		}
		must(t, st.Update(ctx, SetDateTime{Time: boot, Source: TimeGPS}))
		snap, _ = st.Snapshot(ctx)
		if snap.Clock.Source() != TimeGPS {
			t.Errorf("first GPS time after reset: source %q", snap.Clock.Source())
		}
	})
}

func TestAppSiteAndGPS(t *testing.T) {
	st, _ := start(t, Default())
	ctx := context.Background()
	loc := func() Location {
		s, err := st.Snapshot(ctx)
		must(t, err)
		return s.Location
	}
	steps := []struct {
		name              string
		u                 Update
		lat, lon, alt     float64
		src               string
		wantErr, wantLock bool
	}{
		{"3D fix", GPSFix{Location: Location{Lat: 50.85, Lon: 4.35, AltitudeM: 100, ErrorM: 20, Lock: true, LockType: 3}}, 50.85, 4.35, 100, "GPS", false, true},
		{"2D fix keeps the altitude", GPSFix{Location: Location{Lat: 50.86, Lon: 4.36, ErrorM: 10, Lock: true, LockType: 2}, KeepAltitude: true}, 50.86, 4.36, 100, "GPS", false, true},
		{"3D fix of the same error upgrades the 2D one", GPSFix{Location: Location{Lat: 50.87, Lon: 4.37, AltitudeM: 90, ErrorM: 10, Lock: true, LockType: 3}}, 50.87, 4.37, 90, "GPS", false, true},
		{"2D fix of the same error does not replace the 3D one", GPSFix{Location: Location{Lat: 50.88, Lon: 4.38, ErrorM: 10, Lock: true, LockType: 2}, KeepAltitude: true}, 50.87, 4.37, 90, "GPS", false, true},
		{"app latitude", SetAppSite{Lat: 48.5, HasLat: true}, 48.5, 4.37, 90, LocationApp, false, true},
		{"app longitude", SetAppSite{Lon: -1.5, HasLon: true}, 48.5, -1.5, 90, LocationApp, false, true},
		{"gps does not replace the app", GPSFix{Location: Location{Lat: 1, Lon: 1, ErrorM: 1, Lock: true, LockType: 3}}, 48.5, -1.5, 90, LocationApp, false, true},
		{"app latitude out of range", SetAppSite{Lat: 90.5, HasLat: true}, 48.5, -1.5, 90, LocationApp, true, true},
		{"app with nothing", SetAppSite{}, 48.5, -1.5, 90, LocationApp, true, true},
		{"reset", ResetLocation{}, 0, 0, 0, "None", false, false},
		{"2D fix after reset has altitude 0", GPSFix{Location: Location{Lat: 10, Lon: 20, AltitudeM: 55, ErrorM: 5, Lock: true, LockType: 2}, KeepAltitude: true}, 10, 20, 0, "GPS", false, true},
	}
	for _, s := range steps {
		err := st.Update(ctx, s.u)
		if s.wantErr != errors.Is(err, ErrRejected) {
			t.Fatalf("%s: error %v, want rejected %v", s.name, err, s.wantErr)
		}
		if got := loc(); got.Lat != s.lat || got.Lon != s.lon || got.AltitudeM != s.alt || got.Source != s.src || got.Lock != s.wantLock {
			t.Errorf("%s: location %+v, want %v,%v,%v from %s lock %v", s.name, got, s.lat, s.lon, s.alt, s.src, s.wantLock)
		}
	}
	// A replayed session's site is the recording's.
	must(t, st.Update(ctx, SetLocation{Location{Lat: 5, Source: "replay"}}))
	must(t, st.Update(ctx, SetAppSite{Lat: 6, HasLat: true}))
	if got := loc(); got.Lat != 5 || got.Source != "replay" {
		t.Errorf("app replaced a replay site: %+v", got)
	}
}

func TestGPSStatus(t *testing.T) {
	cases := []struct {
		g    GPSStatus
		want string
	}{
		{GPSStatus{}, "no gpsd"},
		{GPSStatus{Connected: true}, "searching"},
		{GPSStatus{Connected: true, Mode: FixNone, SatsSeen: 7, HasSats: true}, "searching, 7 sats seen"},
		{GPSStatus{Connected: true, Mode: Fix2D, SatsSeen: 7, SatsUsed: 4, HasSats: true}, "2D fix, 4 used"},
		{GPSStatus{Connected: true, Mode: Fix3D, SatsSeen: 12, SatsUsed: 9, HasSats: true, ErrorM: 4.2}, "3D fix, 9 used, ±4 m"},
	}
	for _, c := range cases {
		if got := c.g.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.g, got, c.want)
		}
	}
	st, _ := start(t, Default())
	ctx := context.Background()
	for _, bad := range []GPSStatus{{Mode: 4}, {Mode: -1}, {SatsSeen: -1}, {ErrorM: -1}} {
		if err := st.Update(ctx, SetGPSStatus{bad}); !errors.Is(err, ErrRejected) {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	good := GPSStatus{Connected: true, Mode: Fix3D, SatsSeen: 9, SatsUsed: 8, HasSats: true}
	must(t, st.Update(ctx, SetGPSStatus{good}))
	if s, _ := st.Snapshot(ctx); s.GPS != good {
		t.Errorf("status %+v, want %+v", s.GPS, good)
	}
}
