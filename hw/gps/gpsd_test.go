package gps

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/gps/gpstest"
	"github.com/pifinder-go/pifinder/state"
)

// These tests run the worker against a real gpsd, fed by gpsfake with the
// NMEA logs in testdata/nmea (gpsd and gpsd-clients packages; see gpstest).

// realRig runs a store (its clock seeded with the year 2000, so that any
// GPS time is ahead of it) and the worker against addr.
func realRig(t *testing.T, addr string) (*state.Store, *syncBuffer) {
	t.Helper()
	init := state.Default()
	init.Clock = state.NewClock(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), false)
	ctx, cancel := context.WithCancelCause(context.Background())
	st := state.New(init)
	ownerDone := make(chan struct{})
	go func() { _ = st.Run(ctx); close(ownerDone) }()
	buf := &syncBuffer{}
	runErr := make(chan error, 1)
	go func() {
		runErr <- Run(ctx, Config{Addr: addr, Store: st, Log: zerolog.New(buf), MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	}()
	t.Cleanup(func() {
		cancel(errStop)
		if err := <-runErr; !errors.Is(err, errStop) {
			t.Errorf("Run returned %v", err)
		}
		<-ownerDone
	})
	return st, buf
}

// waitFor polls the state until ok holds; gpsfake plays in real time.
func waitFor(t *testing.T, st *state.Store, what string, log *syncBuffer, ok func(state.State) bool) state.State {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := st.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached in 20 s; state GPS %+v, site %+v; log:\n%s", what, s.GPS, s.Location, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func nmea(name string) string { return filepath.Join("..", "..", "testdata", "nmea", name) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestGpsdLogs(t *testing.T) {
	// The fix status and the site are separate updates: wait for both.
	fixed := func(s state.State) bool {
		return s.GPS.Mode == state.Fix3D && s.Location.Source == "GPS" && s.Location.LockType == 3
	}
	cases := []struct {
		log   string
		until func(state.State) bool
		check func(t *testing.T, s state.State, log *syncBuffer)
	}{
		// Wait for both reports (SKY and the no-fix TPV): which comes
		// first depends on timing (it differs under emulation).
		{"cold-start.nmea", func(s state.State) bool { return s.GPS.HasSats && s.GPS.SatsSeen == 7 && s.GPS.Mode == state.FixNone }, func(t *testing.T, s state.State, _ *syncBuffer) {
			if s.GPS.Mode != state.FixNone || s.GPS.SatsUsed != 0 || s.GPS.String() != "searching, 7 sats seen" {
				t.Errorf("cold start: %+v (%s)", s.GPS, s.GPS)
			}
			if s.Location.Source != "None" || s.Clock.Source() == state.TimeGPS {
				t.Errorf("cold start moved the site or the clock: %+v, %s", s.Location, s.Clock.Source())
			}
		}},
		{"fix-2d-3d.nmea", fixed, func(t *testing.T, s state.State, log *syncBuffer) {
			l := s.Location
			if !near(l.Lat, logLat) || !near(l.Lon, logLon) || l.AltitudeM != logAlt || l.LockType != 3 || !l.Lock {
				t.Errorf("3D fix: site %+v", l)
			}
			if s.GPS.SatsUsed != 9 || s.GPS.SatsSeen != 11 {
				t.Errorf("3D fix: satellites %+v", s.GPS)
			}
			now, _ := s.Clock.Now()
			if s.Clock.Source() != state.TimeGPS || now.Sub(logStart).Abs() > time.Hour {
				t.Errorf("3D fix: clock %v from %s", now, s.Clock.Source())
			}
			// gpsfake starts playing when gpsd has a client; a worker that
			// connects late (slow emulation) may meet the 3D part first.
			// The 2D rules (altitude kept) are the unit tests' (TestWorkerFeedsState).
			if log.count(`"mode":2`) == 0 {
				t.Logf("the 2-D part of the log was not seen (the worker connected late); log:\n%s", log)
			}
		}},
		{"lost-fix.nmea", func(s state.State) bool { return false }, nil}, // see TestGpsdLostFix
		{"rollover.nmea", fixed, func(t *testing.T, s state.State, _ *syncBuffer) {
			// gpsd 3.22 corrects the rollover itself; an older gpsd passes
			// the 2006 date on and the worker refuses it. Either way the
			// clock never reads 2006.
			if now, _ := s.Clock.Now(); now.Before(EarliestTime) && s.Clock.Source() == state.TimeGPS {
				t.Errorf("clock set to the rollover date %v", now)
			}
			if !near(s.Location.Lat, logLat) {
				t.Errorf("rollover fix's position not used: %+v", s.Location)
			}
		}},
		{"garbage.nmea", fixed, func(t *testing.T, s state.State, _ *syncBuffer) {
			if !near(s.Location.Lat, logLat) || s.Location.AltitudeM != logAlt {
				t.Errorf("garbage: site %+v", s.Location)
			}
		}},
	}
	for _, c := range cases {
		if c.check == nil {
			continue
		}
		t.Run(c.log, func(t *testing.T) {
			fake := gpstest.Gpsfake(t, nmea(c.log), gpstest.Options{})
			st, log := realRig(t, fake.Addr)
			s := waitFor(t, st, c.log, log, c.until)
			c.check(t, s, log)
		})
	}
}

func TestGpsdLostFix(t *testing.T) {
	fake := gpstest.Gpsfake(t, nmea("lost-fix.nmea"), gpstest.Options{})
	st, log := realRig(t, fake.Addr)
	waitFor(t, st, "first fix", log, func(s state.State) bool { return s.GPS.Mode == state.Fix3D })
	s := waitFor(t, st, "fix lost", log, func(s state.State) bool { return s.GPS.Mode == state.FixNone })
	if s.Location.Source != "GPS" || !near(s.Location.Lat, logLat) {
		t.Errorf("a lost fix must keep the site: %+v", s.Location)
	}
	waitFor(t, st, "fix found again", log, func(s state.State) bool { return s.GPS.Mode == state.Fix3D })
	if log.count("gps: fix lost") == 0 {
		t.Errorf("loss not logged:\n%s", log)
	}
}

// TestGpsdRestart kills gpsd under the worker and starts it again on the
// same port: the worker notices, says so in the state and reconnects.
func TestGpsdRestart(t *testing.T) {
	fake := gpstest.Gpsfake(t, nmea("fix-2d-3d.nmea"), gpstest.Options{})
	st, log := realRig(t, fake.Addr)
	waitFor(t, st, "fix", log, func(s state.State) bool { return s.GPS.Mode == state.Fix3D })
	fake.Stop()
	waitFor(t, st, "disconnected", log, func(s state.State) bool { return !s.GPS.Connected })
	gpstest.Gpsfake(t, nmea("garbage.nmea"), gpstest.Options{Port: fake.Port})
	waitFor(t, st, "fix after restart", log, func(s state.State) bool { return s.GPS.Connected && s.GPS.Mode == state.Fix3D })
	if log.count("gpsd connection lost") != 1 {
		t.Errorf("loss logged %d times:\n%s", log.count("gpsd connection lost"), log)
	}
}
