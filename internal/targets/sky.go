package targets

import (
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/constellation"
)

const (
	d2r = math.Pi / 180
	r2d = 180 / math.Pi
	// siderealRate is the rate of sidereal time in degrees per SI second
	// (1.00273790935 turns per solar day).
	siderealRate = 360 * 1.00273790935 / 86400
)

// horizon is the J2000 → local-horizon transform for one site and instant,
// built once so a catalogue-wide altitude filter costs a few
// multiplications per object: the precession-nutation matrix of astro.JNow
// (its columns found by converting the three axes) and the local apparent
// sidereal time. It leaves out aberration (≤ 20″) and refraction, which a
// filter or the shape of a rise/set curve does not need.
type horizon struct {
	m        [3][3]float64 // J2000 → true equator of date
	last     float64       // local apparent sidereal time, degrees
	sin, cos float64       // of the latitude
}

func newHorizon(site astro.Observer, t time.Time) horizon {
	var h horizon
	axes := [3][2]float64{{0, 0}, {90, 0}, {0, 90}}
	for j, a := range axes {
		ra, dec := astro.JNow(a[0], a[1], t)
		v := unitVec(ra, dec)
		for i := range 3 {
			h.m[i][j] = v[i]
		}
	}
	h.last = astro.LocalSiderealTime(site.LonDeg, t)
	h.sin, h.cos = math.Sincos(site.LatDeg * d2r)
	return h
}

func unitVec(raDeg, decDeg float64) [3]float64 {
	sr, cr := math.Sincos(raDeg * d2r)
	sd, cd := math.Sincos(decDeg * d2r)
	return [3]float64{cd * cr, cd * sr, sd}
}

// ofDate returns the true-of-date unit vector of a J2000 unit vector.
func (h *horizon) ofDate(v [3]float64) [3]float64 {
	return [3]float64{
		h.m[0][0]*v[0] + h.m[0][1]*v[1] + h.m[0][2]*v[2],
		h.m[1][0]*v[0] + h.m[1][1]*v[1] + h.m[1][2]*v[2],
		h.m[2][0]*v[0] + h.m[2][1]*v[1] + h.m[2][2]*v[2],
	}
}

// hourAngleDec returns the hour angle (degrees, (−180, 180]) and the
// declination of date of a J2000 unit vector dt seconds after the instant.
func (h *horizon) hourAngleDec(v [3]float64, dt float64) (ha, dec float64) {
	p := h.ofDate(v)
	ra := math.Atan2(p[1], p[0]) * r2d
	return wrap180(h.last + dt*siderealRate - ra), math.Asin(math.Max(-1, math.Min(1, p[2]))) * r2d
}

// alt returns the geometric altitude in degrees for hour angle ha and
// declination dec of date.
func (h *horizon) alt(ha, dec float64) float64 {
	sd, cd := math.Sincos(dec * d2r)
	return math.Asin(math.Max(-1, math.Min(1, h.sin*sd+h.cos*cd*math.Cos(ha*d2r)))) * r2d
}

// minAltOver returns the lowest altitude a fixed direction reaches in the
// next span seconds. Altitude falls monotonically from upper to lower
// culmination and rises back, so the minimum over an interval is at one
// of its ends unless the interval holds the lower culmination (hour angle
// 180°).
func (h *horizon) minAltOver(v [3]float64, span float64) float64 {
	ha, dec := h.hourAngleDec(v, 0)
	a0 := h.alt(ha, dec)
	dh := span * siderealRate
	a1 := h.alt(ha+dh, dec)
	m := math.Min(a0, a1)
	if ha < 180 && ha+dh >= 180 {
		m = math.Min(m, h.alt(180, dec))
	}
	return m
}

func constellationOf(v [3]float64) string {
	ra := math.Atan2(v[1], v[0]) * r2d
	return constellation.At(normDeg(ra), math.Asin(math.Max(-1, math.Min(1, v[2])))*r2d)
}
