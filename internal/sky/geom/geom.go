package geom

import (
	"math"

	"gonum.org/v1/gonum/spatial/r3"
)

const deg = math.Pi / 180

// Attitude is a camera pointing in degrees: RA [0, 360), Dec [-90, 90],
// Roll [0, 360).
type Attitude struct {
	RA, Dec, Roll float64
}

// Rotation is a 3x3 rotation stored as its columns.
type Rotation [3]r3.Vec

// Apply returns R·v.
func (r Rotation) Apply(v r3.Vec) r3.Vec {
	return r3.Vec{
		X: r[0].X*v.X + r[1].X*v.Y + r[2].X*v.Z,
		Y: r[0].Y*v.X + r[1].Y*v.Y + r[2].Y*v.Z,
		Z: r[0].Z*v.X + r[1].Z*v.Y + r[2].Z*v.Z,
	}
}

// ApplyT returns Rᵀ·v (equatorial to camera frame for an attitude rotation).
func (r Rotation) ApplyT(v r3.Vec) r3.Vec {
	return r3.Vec{X: r3.Dot(r[0], v), Y: r3.Dot(r[1], v), Z: r3.Dot(r[2], v)}
}

// Vector returns the equatorial unit vector of (ra, dec) in degrees.
func Vector(raDeg, decDeg float64) r3.Vec {
	sr, cr := math.Sincos(raDeg * deg)
	sd, cd := math.Sincos(decDeg * deg)
	return r3.Vec{X: cd * cr, Y: cd * sr, Z: sd}
}

// RADec returns the (ra, dec) in degrees of a vector (need not be unit);
// RA in [0, 360).
func RADec(v r3.Vec) (raDeg, decDeg float64) {
	ra := math.Atan2(v.Y, v.X) / deg
	if ra < 0 {
		ra += 360
	}
	if ra >= 360 {
		ra -= 360
	}
	n := r3.Norm(v)
	if n == 0 {
		return 0, 0
	}
	return ra, math.Asin(math.Max(-1, math.Min(1, v.Z/n))) / deg
}

// Rotation returns the attitude's rotation (camera axes in equatorial coordinates).
func (a Attitude) Rotation() Rotation {
	sr, cr := math.Sincos(a.RA * deg)
	sd, cd := math.Sincos(a.Dec * deg)
	sp, cp := math.Sincos(a.Roll * deg)
	bore := r3.Vec{X: cd * cr, Y: cd * sr, Z: sd}
	north := r3.Vec{X: -sd * cr, Y: -sd * sr, Z: cd}
	east := r3.Vec{X: -sr, Y: cr, Z: 0}
	// roll = −atan2(up·east, up·north): up is north turned towards west by roll.
	up := r3.Add(r3.Scale(cp, north), r3.Scale(-sp, east))
	left := r3.Cross(up, bore)
	return Rotation{left, up, bore}
}

// AttitudeOf returns the attitude of a rotation whose columns are the camera
// axes in equatorial coordinates. The columns need not be exactly orthonormal.
func AttitudeOf(r Rotation) Attitude {
	ra, dec := RADec(r[2])
	sr, cr := math.Sincos(ra * deg)
	sd, cd := math.Sincos(dec * deg)
	north := r3.Vec{X: -sd * cr, Y: -sd * sr, Z: cd}
	east := r3.Vec{X: -sr, Y: cr, Z: 0}
	roll := -math.Atan2(r3.Dot(r[1], east), r3.Dot(r[1], north)) / deg
	return Attitude{RA: ra, Dec: dec, Roll: NormDeg(roll)}
}

// NormDeg wraps an angle in degrees to [0, 360).
func NormDeg(a float64) float64 {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	if a >= 360 {
		a -= 360
	}
	return a
}

// Camera is a pinhole camera: image size in pixels and horizontal field of view in degrees.
type Camera struct {
	W, H int
	FOV  float64
}

// Scale is s = 2·tan(FOV/2)/W: the tangent-plane length of one pixel.
func (c Camera) Scale() float64 { return 2 * math.Tan(c.FOV*deg/2) / float64(c.W) }

// PixelVector returns the unit camera-frame vector (left, up, boresight) of pixel (x, y).
func (c Camera) PixelVector(x, y float64) r3.Vec {
	s := c.Scale()
	return r3.Unit(r3.Vec{X: (float64(c.W)/2 - x) * s, Y: (float64(c.H)/2 - y) * s, Z: 1})
}

// VectorPixel returns the pixel of a camera-frame vector; ok is false when the
// vector points behind the camera (it may still land outside the frame).
func (c Camera) VectorPixel(v r3.Vec) (x, y float64, ok bool) {
	if v.Z <= 1e-12 {
		return 0, 0, false
	}
	s := c.Scale()
	return float64(c.W)/2 - v.X/v.Z/s, float64(c.H)/2 - v.Y/v.Z/s, true
}

// Inside reports whether (x, y) lies within the frame.
func (c Camera) Inside(x, y float64) bool {
	return x >= 0 && y >= 0 && x < float64(c.W) && y < float64(c.H)
}

// Project returns the pixel where (ra, dec) lands for a camera at attitude a.
func Project(a Attitude, c Camera, raDeg, decDeg float64) (x, y float64, ok bool) {
	return c.VectorPixel(a.Rotation().ApplyT(Vector(raDeg, decDeg)))
}

// Unproject returns the sky position (degrees) seen at pixel (x, y).
func Unproject(a Attitude, c Camera, x, y float64) (raDeg, decDeg float64) {
	return RADec(a.Rotation().Apply(c.PixelVector(x, y)))
}

// Separation returns the angle between two sky positions in degrees.
func Separation(ra1, dec1, ra2, dec2 float64) float64 {
	a, b := Vector(ra1, dec1), Vector(ra2, dec2)
	return math.Atan2(r3.Norm(r3.Cross(a, b)), r3.Dot(a, b)) / deg
}
