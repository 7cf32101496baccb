package state

import (
	"fmt"
	"math"
	"time"
)

// TimeSource says who set the shared datetime. The summary line and the
// API show it, because a Pi has no real-time clock: until GPS or an app sets
// the time, the system clock it boots with may be hours off.
type TimeSource string

// Time sources. TimeNone is the source of an unknown datetime.
const (
	TimeNone   TimeSource = ""
	TimeSystem TimeSource = "SYSTEM-UNVERIFIED" // the system clock at start, or an unlabelled offer
	TimeGPS    TimeSource = "GPS"
	TimeApp    TimeSource = "APP" // a planetarium app over LX200 (:SL/:SC)
	TimeManual TimeSource = "MANUAL"
)

// LocationApp is the location source of a site sent by a planetarium app
// (LX200 :St/:Sg). Like a manual site, a GPS fix does not replace it.
const LocationApp = "APP"

// GPSAgreement is how far behind the shared clock a GPS time may be and
// still confirm it. gpsd reports the time of the fix, which reaches us a
// few hundred milliseconds after the instant it names, so on a machine
// whose clock is already right (NTP) every GPS time is slightly behind:
// the forward-only rule would never take one, and the time would read
// SYSTEM-UNVERIFIED for ever although GPS agrees with it.
const GPSAgreement = 2 * time.Second

// GPS fix modes, numbered as gpsd's TPV "mode" (gpsd_json(5)).
const (
	FixUnknown = 0 // no report yet
	FixNone    = 1 // the receiver reports, but has no fix
	Fix2D      = 2
	Fix3D      = 3
)

// GPSStatus is what the GPS receiver (through gpsd) last said: the fix mode
// and the satellites, whether or not its position was taken as the site.
type GPSStatus struct {
	Connected bool // connected to gpsd and watching
	Mode      int  // FixUnknown, FixNone, Fix2D or Fix3D
	SatsSeen  int
	SatsUsed  int
	HasSats   bool    // a SKY report has been seen
	ErrorM    float64 // horizontal error estimate of the last fix (eph); 0 when unknown
	Updated   time.Time
}

// String reads like the status line of a GPS menu: "no gpsd",
// "searching, 7 sats seen", "3D fix, 9 used, ±4 m".
func (g GPSStatus) String() string {
	if !g.Connected {
		return "no gpsd"
	}
	switch g.Mode {
	case Fix2D, Fix3D:
		s := fmt.Sprintf("%dD fix", g.Mode)
		if g.HasSats {
			s += fmt.Sprintf(", %d used", g.SatsUsed)
		}
		if g.ErrorM > 0 {
			s += fmt.Sprintf(", ±%.0f m", g.ErrorM)
		}
		return s
	}
	if g.HasSats {
		return fmt.Sprintf("searching, %d sats seen", g.SatsSeen)
	}
	return "searching"
}

// SetGPSStatus publishes the receiver's status (fix mode, satellites).
type SetGPSStatus struct{ Status GPSStatus }

func (u SetGPSStatus) apply(s *State, _ time.Time) error {
	g := u.Status
	if g.Mode < FixUnknown || g.Mode > Fix3D || g.SatsSeen < 0 || g.SatsUsed < 0 ||
		math.IsNaN(g.ErrorM) || math.IsInf(g.ErrorM, 0) || g.ErrorM < 0 {
		return fmt.Errorf("%w: GPS status %+v", ErrRejected, g)
	}
	s.GPS = g
	return nil
}

// SetAppSite sets the latitude and/or the longitude of the site as a
// planetarium app sends them, one LX200 command at a time (:St, then :Sg).
// The other coordinate and the altitude are kept; the source becomes
// LocationApp and the site is locked. It replaces any site but a replayed
// session's (whose site is the recording's): the app's site comes from the
// user's phone, set by hand or by its own GPS, and the user chose to send it.
type SetAppSite struct {
	Lat, Lon       float64 // degrees, east positive
	HasLat, HasLon bool
}

func (u SetAppSite) apply(s *State, _ time.Time) error {
	if !u.HasLat && !u.HasLon {
		return fmt.Errorf("%w: app site with neither latitude nor longitude", ErrRejected)
	}
	if u.HasLat && !(u.Lat >= -90 && u.Lat <= 90) || u.HasLon && !(u.Lon >= -180 && u.Lon <= 360) {
		return fmt.Errorf("%w: app site (%g, %g)", ErrRejected, u.Lat, u.Lon)
	}
	if s.Location.Source == "replay" {
		return nil
	}
	l := s.Location
	if u.HasLat {
		l.Lat = u.Lat
	}
	if u.HasLon {
		l.Lon = u.Lon
	}
	l.Source, l.Lock, l.LockType, l.ErrorM = LocationApp, true, 0, 0
	l.Timezone = resolveZone(l.Timezone)
	s.Location = l
	return nil
}

// ResetLocation forgets the site (as at boot: 0,0 unlocked, source None),
// so that the next GPS fix is taken whatever set the site before.
type ResetLocation struct{}

func (ResetLocation) apply(s *State, _ time.Time) error {
	s.Location = Default().Location
	return nil
}
