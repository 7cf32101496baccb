package state

import (
	"fmt"
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
)

// Push-to guidance lives in the state owner. It is computed in the apply
// of every SetEstimate (and of SetTarget, ClearTarget and SetMount), so
// every snapshot carries guidance made from exactly the estimate, target,
// site and clock it holds: a reader can never see an estimate with the
// previous estimate's guidance. The cost is small for the owner: Guide
// takes about 8 µs for an Alt/Az mount (internal/targets benchmarks), and
// a body's position (the Moon's costs about 55 µs) is refreshed at most
// once a second of the shared clock, not with every estimate. A worker
// subscribed to the state could compute it instead, but its result would
// lag the estimate by a round trip and publish a second state per
// estimate.

// ResolveRadiusDeg is how close an LX200 goto must come to a catalogue
// object (or body) to be taken as that object. Planetarium apps send the
// position of the object the user picked, converted to the equator of
// date and rounded by the protocol (1 s of RA, 1′ of Dec in the short
// format, Meade's LX200 command set), so a few arcminutes suffice; 0.2°
// leaves room for an app's own catalogue position while rarely catching a
// second object.
const ResolveRadiusDeg = 0.2

// MaxRecent is how many recent targets the state keeps.
const MaxRecent = 10

// BodyRefresh is how often, on the shared clock, the position of a
// solar-system target is recomputed. The Moon, the fastest, moves about
// 0.5″ of sky a second; the guidance needs arcminutes.
const BodyRefresh = time.Second

// SourceLX200 is the Target.Source of an LX200 goto.
const SourceLX200 = "lx200"

// Guidance is the push-to guidance of the current estimate: how to move
// the telescope so that the aligned axis (the eyepiece) reaches the
// target. Valid is false when there is no target or no aligned estimate.
type Guidance struct {
	targets.Guidance
	Valid bool
	// NoSite is set for an Alt/Az mount while no site is known: the
	// guidance is then given in RA and Dec (Mount says Equatorial), which
	// need no site.
	NoSite bool
	// Time is the shared-clock instant it was computed for; EstimateTime
	// the estimate's; TargetSeq the target's Seq.
	Time         time.Time
	EstimateTime time.Time
	TargetSeq    uint64
}

// ClearTarget forgets the current target (the recent list stays).
type ClearTarget struct{}

func (ClearTarget) apply(s *State, _ time.Time) error {
	s.Target, s.HasTarget = Target{Seq: s.Target.Seq}, false
	s.Guidance = Guidance{}
	return nil
}

// SetMount sets the mount type the guidance is given for.
type SetMount struct{ Mount targets.Mount }

func (u SetMount) apply(s *State, now time.Time) error {
	if u.Mount != targets.AltAz && u.Mount != targets.Equatorial {
		return fmt.Errorf("%w: mount type %d", ErrRejected, u.Mount)
	}
	s.Mount = u.Mount
	s.guide(now)
	return nil
}

// setTarget applies SetTarget. A target with an Object takes its position
// from it (a body's at the shared clock's time); plain coordinates are
// checked and become a coordinates target.
func (s *State) setTarget(t Target, now time.Time) error {
	at, site, _ := s.Sky(now)
	if t.Object.Valid() {
		ra, dec, err := t.Object.Position(at, site)
		if err != nil {
			return fmt.Errorf("%w: target %s: %w", ErrRejected, t.Object.Name(), err)
		}
		t.RA, t.Dec, t.posAt = ra, dec, at
	} else {
		if !(t.Dec >= -90 && t.Dec <= 90) || !(t.RA >= 0 && t.RA < 360) {
			return fmt.Errorf("%w: target (%g, %g)", ErrRejected, t.RA, t.Dec)
		}
		c, err := targets.Coordinates(t.RA, t.Dec)
		if err != nil {
			return fmt.Errorf("%w: target (%g, %g): %w", ErrRejected, t.RA, t.Dec, err)
		}
		t.Object = c
	}
	if t.Name == "" {
		t.Name = t.Object.Name()
	}
	if t.Time.IsZero() {
		t.Time = now
	}
	t.Seq = s.Target.Seq + 1
	s.Target, s.HasTarget = t, true
	s.Recent = pushRecent(s.Recent, t)
	s.guide(now)
	return nil
}

// ResolveTarget names the target of SetTarget number Seq: a goto sent as
// plain coordinates (an LX200 app's) that lies within ResolveRadiusDeg of
// Object becomes that object: it gets a name and, for a body, follows its
// motion (a fixed object keeps the coordinates sent). The pipeline finds the object outside the owner (building
// the catalogue takes tens of milliseconds and several megabytes, which
// neither the owner nor a session without gotos should pay). It is
// rejected when the target has changed since, or is not plain
// coordinates, or Object is farther than ResolveRadiusDeg.
type ResolveTarget struct {
	Seq    uint64
	Object targets.Target
}

func (u ResolveTarget) apply(s *State, now time.Time) error {
	t := s.Target
	if !s.HasTarget || t.Seq != u.Seq || t.Object.Object() != nil || !t.Object.Fixed() || !u.Object.Valid() {
		return fmt.Errorf("%w: target %d is not the coordinates to resolve", ErrRejected, u.Seq)
	}
	at, site, _ := s.Sky(now)
	ra, dec, err := u.Object.Position(at, site)
	if err != nil || geom.Separation(ra, dec, t.RA, t.Dec) > ResolveRadiusDeg {
		return fmt.Errorf("%w: %s is not within %g° of target %d", ErrRejected, u.Object.Name(), ResolveRadiusDeg, u.Seq)
	}
	t.Object, t.Name = u.Object, u.Object.Name()
	if !u.Object.Fixed() {
		// A body moves: from now on its own position, refreshed by guide.
		// A fixed object keeps the coordinates the app sent, which come
		// from its own (often more precise) catalogue and are what the
		// user chose; the name is what resolving adds.
		t.RA, t.Dec, t.posAt = ra, dec, at
	}
	s.Target = t
	if len(s.Recent) > 0 && s.Recent[0].Seq == t.Seq {
		s.Recent = pushRecent(s.Recent[1:], t)
	}
	s.guide(now)
	return nil
}

// pushRecent returns a new list with t first and any earlier entry of the
// same name dropped, at most MaxRecent long. It never modifies list, which
// earlier snapshots share.
func pushRecent(list []Target, t Target) []Target {
	out := make([]Target, 0, min(len(list)+1, MaxRecent))
	out = append(out, t)
	for _, r := range list {
		if len(out) == MaxRecent {
			break
		}
		if r.Name != t.Name {
			out = append(out, r)
		}
	}
	return out
}

// Sky returns what sky positions depend on at the local instant now: the
// shared clock's time (the system clock's when no datetime is known) and
// the site; known is false when no site has been set (the site is then
// 0°, 0°, which leaves a body's position off by its parallax, up to about
// 1° for the Moon).
func (s State) Sky(now time.Time) (at time.Time, site astro.Observer, known bool) {
	at, ok := s.Clock.At(now)
	if !ok {
		at = now.UTC()
	}
	l := s.Location
	site = astro.Observer{LatDeg: l.Lat, LonDeg: l.Lon, HeightM: l.AltitudeM}
	return at, site, l.Source != "" && l.Source != "None"
}

// guide recomputes the guidance for the current estimate and target.
func (s *State) guide(now time.Time) {
	s.Guidance = Guidance{}
	e := s.Estimate
	a := e.Aligned.Estimate
	if !s.HasTarget || !a.Valid {
		return
	}
	at, site, siteKnown := s.Sky(now)
	t := &s.Target
	if !t.Object.Fixed() && t.Object.Valid() {
		if d := at.Sub(t.posAt); t.posAt.IsZero() || d >= BodyRefresh || d <= -BodyRefresh {
			if ra, dec, err := t.Object.Position(at, site); err == nil {
				t.RA, t.Dec, t.posAt = ra, dec, at
			}
		}
	}
	mount := s.Mount
	noSite := mount == targets.AltAz && !siteKnown
	if noSite {
		mount = targets.Equatorial
	}
	in := targets.GuideInput{
		Aligned:  geom.Attitude{RA: a.RA, Dec: a.Dec, Roll: a.Roll},
		TargetRA: t.RA, TargetDec: t.Dec,
		Site: site, Time: at, Mount: mount,
	}
	// The target's pixel needs the camera's own attitude and the solve
	// image's field, as the alignment does (serve/api AlignPixel).
	if c := e.Camera.Estimate; c.Valid && e.Diag.FOV > 0 && e.Diag.FOV < 180 {
		w, h := s.Frame.Width, s.Frame.Height
		if w <= 0 || h <= 0 {
			w, h = solveImageSize, solveImageSize
		}
		in.Camera = geom.Attitude{RA: c.RA, Dec: c.Dec, Roll: c.Roll}
		in.Frame = geom.Camera{W: w, H: h, FOV: e.Diag.FOV}
	}
	g, err := targets.Guide(in)
	if err != nil || math.IsNaN(g.SeparationDeg) {
		return // an estimate out of range: no guidance rather than a wrong one
	}
	s.Guidance = Guidance{Guidance: g, Valid: true, NoSite: noSite, Time: at, EstimateTime: e.EstimateTime, TargetSeq: t.Seq}
}

// solveImageSize is the side of the solve image when the frame metadata
// gives no size (camera.DefaultSize).
const solveImageSize = 512
