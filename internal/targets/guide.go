package targets

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// Mount is how the telescope moves.
type Mount uint8

const (
	// AltAz mounts turn in azimuth and altitude (Dobsonians).
	AltAz Mount = iota
	// Equatorial mounts turn in right ascension and declination.
	Equatorial
)

// String returns "altaz" or "equatorial", the spelling ParseMount takes.
func (m Mount) String() string {
	if m == Equatorial {
		return "equatorial"
	}
	return "altaz"
}

// ParseMount reads a mount type setting ("altaz", "alt/az", "dobsonian",
// "equatorial", "eq", "gem").
func ParseMount(s string) (Mount, error) {
	switch Normalize(s) {
	case "altaz", "az", "dobsonian", "dob":
		return AltAz, nil
	case "equatorial", "eq", "gem", "eqmount":
		return Equatorial, nil
	}
	return 0, fmt.Errorf("targets: unknown mount type %q (want altaz or equatorial)", s)
}

// GuideInput is what guidance needs, all J2000 degrees on the plate
// solver's frame.
type GuideInput struct {
	// Aligned is the eyepiece axis (the aligned target pixel's sky
	// position) with the camera roll (geom's convention: celestial north
	// from image-up, counter-clockwise positive).
	Aligned geom.Attitude
	// TargetRA, TargetDec: where to go (Target.Position at Time).
	TargetRA, TargetDec float64
	Site                astro.Observer
	Time                time.Time
	Mount               Mount
	// Camera and Frame place the target on the solve image when Frame.W
	// and Frame.FOV are set: Camera is the image centre's attitude, Frame
	// the image size (512×512 for the solver) and field of view.
	Camera geom.Attitude
	Frame  geom.Camera
}

// Guidance says how to move the telescope to put the target in the
// eyepiece.
type Guidance struct {
	// SeparationDeg is the angle from the eyepiece axis to the target.
	SeparationDeg float64
	Mount         Mount
	// Alt/Az mounts: AzimuthDeg is the azimuth turn the shorter way round,
	// positive to the right (clockwise seen from above, towards increasing
	// azimuth), in (−180, 180]; AltitudeDeg is positive up. The
	// altitudes and azimuths themselves are geometric (no refraction).
	AzimuthDeg, AltitudeDeg float64
	PointingAlt, PointingAz float64
	TargetAlt, TargetAz     float64
	// Equatorial mounts: RADeg is the turn of the RA axis the shorter way,
	// positive east (towards increasing RA), in (−180, 180]; DecDeg is
	// positive north. Both on the true equator of date, the axes a polar
	// aligned mount turns about.
	RADeg, DecDeg float64
	// FrameAngleDeg is the direction from the eyepiece axis to the target
	// as drawn on the camera image: degrees counter-clockwise from image
	// up (90 = towards image left). FrameDX, FrameDY are the same as a
	// unit vector in pixel axes (x right, y down). Zero at separation 0.
	FrameAngleDeg    float64
	FrameDX, FrameDY float64
	// InField is true when the target falls inside the solve image;
	// PixelX, PixelY are then its pixel (the solver's convention: origin
	// at the top-left corner of the top-left pixel).
	InField        bool
	PixelX, PixelY float64
}

// ErrGuideInput is returned for guidance input out of range.
var ErrGuideInput = errors.New("targets: bad guidance input")

func finite(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// Guide computes the guidance from the eyepiece axis to the target. It is
// a pure function for the 30 Hz pointing updates: for an Alt/Az mount two
// astro.AltAz calls dominate (see the benchmarks).
func Guide(in GuideInput) (Guidance, error) {
	a := in.Aligned
	if !finite(a.RA, a.Dec, a.Roll, in.TargetRA, in.TargetDec) || math.Abs(a.Dec) > 90 || math.Abs(in.TargetDec) > 90 {
		return Guidance{}, fmt.Errorf("%w: pointing (%v, %v, roll %v), target (%v, %v)", ErrGuideInput, a.RA, a.Dec, a.Roll, in.TargetRA, in.TargetDec)
	}
	if in.Mount > Equatorial {
		return Guidance{}, fmt.Errorf("%w: mount %d", ErrGuideInput, in.Mount)
	}
	g := Guidance{Mount: in.Mount}
	pv, tv := geom.Vector(a.RA, a.Dec), geom.Vector(in.TargetRA, in.TargetDec)
	g.SeparationDeg = sepVec([3]float64{pv.X, pv.Y, pv.Z}, [3]float64{tv.X, tv.Y, tv.Z})

	// The target in the eyepiece-centred camera frame (left, up, boresight):
	// its (left, up) components give the direction of the great circle
	// leaving the axis, at any separation.
	c := a.Rotation().ApplyT(tv)
	if h := math.Hypot(c.X, c.Y); h > 1e-15 {
		g.FrameAngleDeg = normDeg(math.Atan2(c.X, c.Y) * r2d)
		g.FrameDX, g.FrameDY = -c.X/h, -c.Y/h
	}

	switch in.Mount {
	case AltAz:
		if !(math.Abs(in.Site.LatDeg) <= 90) || !finite(in.Site.LonDeg, in.Site.HeightM) {
			return Guidance{}, fmt.Errorf("%w: site %+v", ErrGuideInput, in.Site)
		}
		g.PointingAlt, g.PointingAz = astro.AltAz(a.RA, a.Dec, in.Site, in.Time, astro.Weather{})
		g.TargetAlt, g.TargetAz = astro.AltAz(in.TargetRA, in.TargetDec, in.Site, in.Time, astro.Weather{})
		g.AzimuthDeg = wrap180(g.TargetAz - g.PointingAz)
		g.AltitudeDeg = g.TargetAlt - g.PointingAlt
	case Equatorial:
		pr, pd := astro.JNow(a.RA, a.Dec, in.Time)
		tr, td := astro.JNow(in.TargetRA, in.TargetDec, in.Time)
		g.RADeg = wrap180(tr - pr)
		g.DecDeg = td - pd
	}

	if in.Frame.W > 0 && in.Frame.H > 0 && in.Frame.FOV > 0 && in.Frame.FOV < 180 && finite(in.Camera.RA, in.Camera.Dec, in.Camera.Roll) {
		if x, y, ok := geom.Project(in.Camera, in.Frame, in.TargetRA, in.TargetDec); ok && in.Frame.Inside(x, y) {
			g.InField, g.PixelX, g.PixelY = true, x, y
		}
	}
	return g, nil
}

// Directions names the moves for a user: for Alt/Az "right"/"left" and
// "up"/"down"; for equatorial "east"/"west" and "north"/"south". A move
// smaller than 0.005° is "".
func (g Guidance) Directions() (first, second string) {
	pick := func(v float64, pos, neg string) string {
		switch {
		case v >= 0.005:
			return pos
		case v <= -0.005:
			return neg
		}
		return ""
	}
	if g.Mount == Equatorial {
		return pick(g.RADeg, "east", "west"), pick(g.DecDeg, "north", "south")
	}
	return pick(g.AzimuthDeg, "right", "left"), pick(g.AltitudeDeg, "up", "down")
}
