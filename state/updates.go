package state

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Update is a typed change to the state. The owner applies updates one at a
// time in the order they arrive. Slices inside an update belong to the state
// once sent: the sender must not modify them afterwards.
type Update interface {
	apply(s *State, now time.Time) error
}

// ErrRejected marks an update the owner refused (bad value); the state is unchanged.
var ErrRejected = errors.New("state: update rejected")

// SetPower sets awake or asleep; any other value is rejected. A change
// restarts the wait for the camera's next frame (see CameraWait).
type SetPower struct{ Power PowerState }

// MaxPixel bounds a target pixel's coordinates: the solve image is 512 px
// (camera.DefaultSize) and no solve image may be larger than 4096 px
// (camera.MaxSize), so a pixel beyond it is a mistake, not an alignment.
const MaxPixel = 4096

func (u SetPower) apply(s *State, now time.Time) error {
	if u.Power != Asleep && u.Power != Awake {
		return fmt.Errorf("%w: power state %d", ErrRejected, int(u.Power))
	}
	if u.Power != s.Power && !s.CameraWait.IsZero() {
		s.CameraWait = now
	}
	s.Power = u.Power
	return nil
}

// SetEstimate replaces the pointing estimate (the integrator's publication).
type SetEstimate struct{ Estimate Estimate }

func (u SetEstimate) apply(s *State, now time.Time) error {
	s.Estimate = u.Estimate
	s.guide(now) // the guidance of this very estimate (target.go)
	return nil
}

// SetIMU publishes the latest IMU sample.
type SetIMU struct{ Sample ImuSample }

func (u SetIMU) apply(s *State, _ time.Time) error {
	s.IMU, s.HasIMU = u.Sample, true
	s.Stats.IMUSamples++
	return nil
}

// SetFrame publishes the metadata of the newest captured frame and counts it.
type SetFrame struct {
	Meta    FrameMeta
	Dropped uint64 // frames dropped by the hand-off since the last SetFrame
}

func (u SetFrame) apply(s *State, now time.Time) error {
	s.Frame, s.CameraWait = u.Meta, now
	s.Stats.Frames++
	s.Stats.DroppedFrames += u.Dropped
	return nil
}

// CountSolve counts one solve attempt.
type CountSolve struct{ Success bool }

func (u CountSolve) apply(s *State, _ time.Time) error {
	if u.Success {
		s.Stats.Solves++
	} else {
		s.Stats.SolveFailures++
	}
	return nil
}

// SetTargetPixel sets the alignment pixel (Y, X) of the solve image.
type SetTargetPixel struct{ Pixel Pixel }

func (u SetTargetPixel) apply(s *State, _ time.Time) error {
	p := u.Pixel
	if !(p.X >= 0 && p.Y >= 0 && p.X <= MaxPixel && p.Y <= MaxPixel) {
		return fmt.Errorf("%w: target pixel (%g, %g)", ErrRejected, p.Y, p.X)
	}
	s.TargetPixel = p
	return nil
}

// SetCamera records the camera type and lens in use; the capture worker
// sends it as it starts, so the wait for its first frame starts too.
type SetCamera struct{ Type, Lens string }

func (u SetCamera) apply(s *State, now time.Time) error {
	s.CameraType, s.Lens, s.CameraWait = u.Type, u.Lens, now
	return nil
}

// SetTarget records a goto/push target from a consumer: a catalogue
// object or body (Target.Object), or plain J2000 RA/Dec, which an LX200
// goto within ResolveRadiusDeg of an object turns into that object. It
// becomes the first of the recent targets.
type SetTarget struct{ Target Target }

func (u SetTarget) apply(s *State, now time.Time) error {
	return s.setTarget(u.Target, now) // target.go: objects, LX200 resolution, recent list
}

// stickySource reports whether a location source must not be replaced by a GPS fix.
func stickySource(src string) bool {
	switch src {
	case "WEB", "MANUAL", "replay", LocationApp:
		return true
	}
	return strings.HasPrefix(src, "CONFIG:")
}

// GPSFix offers a GPS position. It replaces the location only when the
// current source is not WEB, MANUAL, APP, replay or CONFIG:*, the fix is
// locked, and it is at least as good as the current one (current error 0,
// or the new error smaller). A fix that is not taken is not an error.
// KeepAltitude marks a 2-D fix, which has no altitude: the site keeps the
// altitude of the last GPS fix, or 0 when the site was not from GPS.
type GPSFix struct {
	Location     Location
	KeepAltitude bool
}

func (u GPSFix) apply(s *State, _ time.Time) error {
	cur, fix := s.Location, u.Location
	if stickySource(cur.Source) || !fix.Lock {
		return nil
	}
	// A 3-D fix also replaces a GPS 2-D one of the same error: it adds the
	// altitude (PiFinder's rule alone would keep a 2-D site's altitude of
	// 0 for as long as the error stays the same).
	upgrade := cur.Source == "GPS" && fix.LockType > cur.LockType && fix.ErrorM <= cur.ErrorM
	if cur.ErrorM != 0 && !(fix.ErrorM < cur.ErrorM) && !upgrade {
		return nil
	}
	if fix.Source == "" {
		fix.Source = "GPS"
	}
	if u.KeepAltitude {
		fix.AltitudeM = 0
		if cur.Source == fix.Source {
			fix.AltitudeM = cur.AltitudeM
		}
	}
	fix.Timezone = resolveZone(fix.Timezone)
	s.Location = fix
	return nil
}

// SetLocation sets the location unconditionally (manual entry, web, config, replay).
type SetLocation struct{ Location Location }

func (u SetLocation) apply(s *State, _ time.Time) error {
	l := u.Location
	if !(l.Lat >= -90 && l.Lat <= 90 && l.Lon >= -180 && l.Lon <= 360) {
		return fmt.Errorf("%w: location (%g, %g)", ErrRejected, l.Lat, l.Lon)
	}
	l.Timezone = resolveZone(l.Timezone)
	s.Location = l
	return nil
}

// resolveZone keeps a valid IANA zone name and falls back to UTC.
func resolveZone(name string) string {
	if name == "" {
		return "UTC"
	}
	if _, err := time.LoadLocation(name); err != nil {
		return "UTC"
	}
	return name
}

// SetDateTime offers a datetime (normalised to UTC). Force (manual entry)
// always sets it and marks it manual. While manual, unforced values are
// ignored. Otherwise the first value is taken and later ones only if they are
// ahead of the current extrapolated time: GPS can only move time forward.
//
// Source says who offers it. TimeGPS follows the forward-only rule, and a
// GPS time at most GPSAgreement behind the clock confirms it (the source
// becomes GPS, the value stays). TimeApp (a planetarium app) sets the time
// either way unless GPS or a manual entry set it: the phone's clock is kept
// by its network, the boot clock of a Pi without a real-time clock is not.
// An empty Source is an unlabelled offer (forward only, read back as
// SYSTEM-UNVERIFIED).
type SetDateTime struct {
	Time   time.Time
	Force  bool
	Source TimeSource
}

func (u SetDateTime) apply(s *State, now time.Time) error {
	if u.Time.IsZero() {
		return fmt.Errorf("%w: zero datetime", ErrRejected)
	}
	t := u.Time.UTC()
	c := &s.Clock
	src := u.Source
	switch {
	case u.Force:
		c.manual, src = true, TimeManual
	case c.manual:
		return nil
	case src == TimeApp:
		if c.Source() == TimeGPS {
			return nil
		}
	case c.Known():
		if cur, _ := c.At(now); !t.After(cur) {
			if src == TimeGPS && !t.Before(cur.Add(-GPSAgreement)) {
				c.source = TimeGPS
			}
			return nil
		}
	}
	if src == TimeNone {
		src = TimeSystem
	}
	c.value, c.storedAt, c.source = t, now, src
	return nil
}

// ResetDateTime clears the datetime and the manual flag.
type ResetDateTime struct{}

func (ResetDateTime) apply(s *State, _ time.Time) error {
	s.Clock = Clock{}
	return nil
}
