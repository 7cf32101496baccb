package targets

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/constellation"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/sky/planets"
)

// Target is what the observer wants in the eyepiece: a catalogue object, a
// solar-system body (whose position depends on time and site), or plain
// J2000 coordinates. The zero value is not a target; use the constructors.
// A Target is a small value, safe to copy and to keep in state.
type Target struct {
	obj    *objects.Object
	body   planets.Body
	isBody bool
	ra     float64
	dec    float64
	valid  bool
}

// ObjectTarget returns the target of a catalogue object (o must stay
// alive and unchanged; the objects of objects.All do).
func ObjectTarget(o *objects.Object) Target {
	return Target{obj: o, ra: o.RA, dec: o.Dec, valid: true}
}

// BodyTarget returns the target of a solar-system body.
func BodyTarget(b planets.Body) Target { return Target{body: b, isBody: true, valid: b.Valid()} }

// ErrCoordinates is returned for coordinates out of range.
var ErrCoordinates = errors.New("targets: coordinates out of range")

// Coordinates returns a target at J2000 RA/Dec in degrees (RA in any turn,
// wrapped to [0, 360); Dec in [−90, 90]).
func Coordinates(raDeg, decDeg float64) (Target, error) {
	if math.IsNaN(raDeg) || math.IsInf(raDeg, 0) || !(math.Abs(decDeg) <= 90) {
		return Target{}, fmt.Errorf("%w: RA %v, Dec %v", ErrCoordinates, raDeg, decDeg)
	}
	return Target{ra: normDeg(raDeg), dec: decDeg, valid: true}, nil
}

// Valid reports whether t was made by a constructor.
func (t Target) Valid() bool { return t.valid }

// Object returns the catalogue object, or nil for a body or coordinates.
func (t Target) Object() *objects.Object { return t.obj }

// Body returns the solar-system body and whether t is one.
func (t Target) Body() (planets.Body, bool) { return t.body, t.isBody }

// Fixed reports whether the target has a fixed J2000 position (everything
// but the Sun, Moon and planets).
func (t Target) Fixed() bool { return t.valid && !t.isBody }

// Name returns the label to show: "M 31 Andromeda Galaxy", "Vega",
// "Jupiter", or "RA 10.6847° Dec +41.2690°" for coordinates.
func (t Target) Name() string {
	switch {
	case t.obj != nil:
		return t.obj.Label()
	case t.isBody:
		return t.body.String()
	case t.valid:
		return fmt.Sprintf("RA %.4f° Dec %+.4f°", t.ra, t.dec)
	}
	return ""
}

// Kind returns the object's kind, objects.SolarSystem for a body and
// objects.Unknown for coordinates.
func (t Target) Kind() objects.Kind {
	switch {
	case t.obj != nil:
		return t.obj.Kind
	case t.isBody:
		return objects.SolarSystem
	}
	return objects.Unknown
}

// Mag returns the catalogue magnitude, NaN when unknown (bodies and
// coordinates included).
func (t Target) Mag() float64 {
	if t.obj != nil {
		return t.obj.Mag
	}
	return math.NaN()
}

// J2000 returns the fixed position in degrees; ok is false for a body.
func (t Target) J2000() (raDeg, decDeg float64, ok bool) {
	return t.ra, t.dec, t.Fixed()
}

// ErrNoTarget is returned by methods of an invalid Target.
var ErrNoTarget = errors.New("targets: no target")

// Position returns where to point for the target at the UTC instant at
// from the site, in J2000 degrees on the plate solver's frame. A fixed
// target returns its catalogue position. A body returns its astrometric
// topocentric place (light time and parallax, no aberration): plate
// solves match aberrated star images to catalogue positions, so the
// solver's frame already carries the annual aberration the body shares
// with the stars around it.
func (t Target) Position(at time.Time, site astro.Observer) (raDeg, decDeg float64, err error) {
	switch {
	case !t.valid:
		return 0, 0, ErrNoTarget
	case !t.isBody:
		return t.ra, t.dec, nil
	}
	p, err := planets.At(t.body, at, site)
	if err != nil {
		return 0, 0, fmt.Errorf("targets: %v: %w", t.body, err)
	}
	return p.AstrometricRA, p.AstrometricDec, nil
}

// Constellation returns the IAU abbreviation of the constellation the
// target is in at the instant (a body moves; the instant is ignored for a
// fixed target).
func (t Target) Constellation(at time.Time, site astro.Observer) (string, error) {
	if t.obj != nil {
		return t.obj.Constellation, nil
	}
	ra, dec, err := t.Position(at, site)
	if err != nil {
		return "", err
	}
	return constellation.At(ra, dec), nil
}

func normDeg(a float64) float64 {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	if a >= 360 {
		a -= 360
	}
	return a
}

// wrap180 wraps an angle difference to (−180, 180].
func wrap180(d float64) float64 {
	d = math.Mod(d, 360)
	if d > 180 {
		d -= 360
	} else if d <= -180 {
		d += 360
	}
	return d
}
