package state

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestDateTimeRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, _ := start(t, Default())
		ctx := context.Background()
		snap := func() State {
			s, err := st.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if _, ok := snap().Clock.Now(); ok {
			t.Fatal("datetime known before any was set")
		}
		brussels, err := time.LoadLocation("Europe/Brussels")
		if err != nil {
			t.Skipf("no tz database: %v", err)
		}
		// 13:00 CEST is 11:00 UTC.
		first := time.Date(2024, 6, 28, 13, 0, 0, 0, brussels)
		must(t, st.Update(ctx, SetDateTime{Time: first}))
		if got, _ := snap().Clock.Now(); !got.Equal(first) || got.Location() != time.UTC {
			t.Fatalf("stored %v, want %v in UTC", got, first.UTC())
		}
		// Time moves on with the clock.
		time.Sleep(10 * time.Second)
		if got, _ := snap().Clock.Now(); !got.Equal(first.Add(10 * time.Second)) {
			t.Errorf("extrapolated %v, want +10s", got)
		}
		// GPS cannot move time backwards.
		must(t, st.Update(ctx, SetDateTime{Time: first.Add(-time.Hour)}))
		if got, _ := snap().Clock.Now(); !got.Equal(first.Add(10 * time.Second)) {
			t.Errorf("earlier GPS time taken: %v", got)
		}
		later := first.Add(time.Hour)
		must(t, st.Update(ctx, SetDateTime{Time: later}))
		if got, _ := snap().Clock.Now(); !got.Equal(later) {
			t.Errorf("later GPS time not taken: %v", got)
		}
		// Manual wins and blocks GPS until reset.
		manual := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		must(t, st.Update(ctx, SetDateTime{Time: manual, Force: true}))
		must(t, st.Update(ctx, SetDateTime{Time: manual.Add(time.Hour)}))
		if got, _ := snap().Clock.Now(); !got.Equal(manual) || !snap().Clock.Manual() {
			t.Errorf("manual time overridden: %v", got)
		}
		must(t, st.Update(ctx, ResetDateTime{}))
		if snap().Clock.Known() || snap().Clock.Manual() {
			t.Error("reset left a datetime")
		}
		must(t, st.Update(ctx, SetDateTime{Time: manual.Add(-time.Hour)}))
		if got, _ := snap().Clock.Now(); !got.Equal(manual.Add(-time.Hour)) {
			t.Errorf("after reset the first value must be taken, got %v", got)
		}
		// A naive time is taken as UTC.
		naive := time.Date(2024, 6, 28, 11, 0, 0, 0, time.UTC)
		must(t, st.Update(ctx, SetDateTime{Time: naive, Force: true}))
		if got, _ := snap().Clock.Now(); got.Hour() != 11 {
			t.Errorf("naive 11:00 stored as %v", got)
		}
	})
}

func TestLocationRules(t *testing.T) {
	st, _ := start(t, Default())
	ctx := context.Background()
	loc := func() Location {
		s, err := st.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s.Location
	}
	steps := []struct {
		name    string
		u       Update
		wantLat float64
		wantSrc string
	}{
		{"unlocked fix ignored", GPSFix{Location: Location{Lat: 10, Lon: 10, ErrorM: 50}}, 0, "None"},
		{"locked fix taken", GPSFix{Location: Location{Lat: 50.85, Lon: 4.35, ErrorM: 50, Lock: true, LockType: 3, Timezone: "Europe/Brussels"}}, 50.85, "GPS"},
		{"worse fix ignored", GPSFix{Location: Location{Lat: 51, Lon: 4, ErrorM: 80, Lock: true}}, 50.85, "GPS"},
		{"better fix taken", GPSFix{Location: Location{Lat: 50.9, Lon: 4.4, ErrorM: 10, Lock: true}}, 50.9, "GPS"},
		{"manual set", SetLocation{Location{Lat: 41.13, Lon: -120.97, AltitudeM: 1315, Source: "MANUAL", Timezone: "Not/AZone"}}, 41.13, "MANUAL"},
		{"manual not replaced by GPS", GPSFix{Location: Location{Lat: 1, Lon: 1, ErrorM: 1, Lock: true}}, 41.13, "MANUAL"},
		{"config site sticky", SetLocation{Location{Lat: 20, Source: "CONFIG:home"}}, 20, "CONFIG:home"},
		{"config not replaced by GPS", GPSFix{Location: Location{Lat: 2, Lon: 2, ErrorM: 1, Lock: true}}, 20, "CONFIG:home"},
	}
	for _, s := range steps {
		if err := st.Update(ctx, s.u); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := loc(); got.Lat != s.wantLat || got.Source != s.wantSrc {
			t.Errorf("%s: location %+v, want lat %v source %s", s.name, got, s.wantLat, s.wantSrc)
		}
	}
	if err := st.Update(ctx, SetLocation{Location{Lat: 91}}); !errors.Is(err, ErrRejected) {
		t.Errorf("lat 91 accepted: %v", err)
	}
	// An invalid zone falls back to UTC.
	if err := st.Update(ctx, SetLocation{Location{Lat: 41.13, Lon: -120.97, Timezone: "Not/AZone"}}); err != nil {
		t.Fatal(err)
	}
	if got := loc().Timezone; got != "UTC" {
		t.Errorf("zone %q, want UTC", got)
	}
}

func TestPointingOf(t *testing.T) {
	if PointingOf(1, 2, 3) != (Pointing{1, 2, 3, true}) {
		t.Error("valid pointing")
	}
	if nan := PointingOf(1, zero()/zero(), 3); nan.Valid {
		t.Error("NaN pointing valid")
	}
}

func zero() float64 { return 0 }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
