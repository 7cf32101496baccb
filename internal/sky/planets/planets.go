package planets

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
)

//go:generate go run ./gen -vsop ../../../../shared/catalog/objects/vsop87b-truncated.csv -elp ../../../../shared/catalog/objects/elpmpp02-truncated.csv -w1 ../../../../shared/catalog/objects/elpmpp02-W1.json -o planets.bin

//go:embed planets.bin
var tableData []byte

// Body is a solar-system body this package can place.
type Body uint8

// The bodies, Sun and Moon first, then the planets outwards (Earth is not a
// target, so it has no Body value).
const (
	Sun Body = iota
	Moon
	Mercury
	Venus
	Mars
	Jupiter
	Saturn
	Uranus
	Neptune
	numBodies
)

var bodyNames = [numBodies]string{"Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"}

// String returns the English name ("Jupiter").
func (b Body) String() string {
	if b < numBodies {
		return bodyNames[b]
	}
	return fmt.Sprintf("Body(%d)", uint8(b))
}

// Valid reports whether b is one of the defined bodies.
func (b Body) Valid() bool { return b < numBodies }

// All returns every body, Sun first.
func All() []Body {
	out := make([]Body, numBodies)
	for i := range out {
		out[i] = Body(i)
	}
	return out
}

// Parse returns the body with the given English name, case-insensitively
// ("jupiter", "MOON").
func Parse(name string) (Body, bool) {
	n := strings.TrimSpace(name)
	for i, s := range bodyNames {
		if strings.EqualFold(n, s) {
			return Body(i), true
		}
	}
	return 0, false
}

// vsopIndex maps a Body to its planet number in the VSOP87 table
// (0 Mercury .. 7 Neptune, Earth 2); −1 for the Sun and Moon.
var vsopIndex = [numBodies]int{-1, -1, 0, 1, 3, 4, 5, 6, 7}

const earthIndex = 2

// series is Σ A·cos(B + C·t) (VSOP87) or Σ A·sin(φ0 + φ1T + … + φ4T⁴)
// (ELP/MPP02), multiplied by t^power; terms are stored flat.
type series struct {
	power int
	terms []float64
}

type tables struct {
	vsop [8][3][]series // planet, variable (L, B, R)
	w1   [5]float64
	elp  [3][]series
}

var loadTables = sync.OnceValues(func() (*tables, error) { return decodeTables(tableData) })

var errFormat = errors.New("planets: bad table format")

func decodeTables(b []byte) (*tables, error) {
	r := reader{b: b}
	if string(r.next(4)) != "PFPL" || r.byte() != 1 {
		return nil, fmt.Errorf("%w: bad magic or version", errFormat)
	}
	tb := &tables{}
	n := int(r.u16())
	for range n {
		p, v, pw := int(r.byte()), int(r.byte()), int(r.byte())
		cnt := int(r.u16())
		if r.err != nil || p > 7 || v > 2 || pw > 9 || cnt == 0 {
			return nil, fmt.Errorf("%w: VSOP87 series header", errFormat)
		}
		tb.vsop[p][v] = append(tb.vsop[p][v], series{power: pw, terms: r.floats(3 * cnt)})
	}
	for i := range tb.w1 {
		tb.w1[i] = r.float()
	}
	n = int(r.u16())
	for range n {
		v, pw := int(r.byte()), int(r.byte())
		cnt := int(r.u16())
		if r.err != nil || v > 2 || pw > 9 || cnt == 0 {
			return nil, fmt.Errorf("%w: ELP series header", errFormat)
		}
		tb.elp[v] = append(tb.elp[v], series{power: pw, terms: r.floats(6 * cnt)})
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %v", errFormat, r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errFormat, len(r.b))
	}
	for p := range tb.vsop {
		for v := range tb.vsop[p] {
			if len(tb.vsop[p][v]) == 0 {
				return nil, fmt.Errorf("%w: planet %d variable %d has no terms", errFormat, p, v)
			}
		}
	}
	return tb, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) next(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.err = errors.New("truncated")
		r.b = nil
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) byte() byte  { return r.next(1)[0] }
func (r *reader) u16() uint16 { return binary.LittleEndian.Uint16(r.next(2)) }
func (r *reader) float() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(r.next(8)))
}

func (r *reader) floats(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = r.float()
		if math.IsNaN(out[i]) || math.IsInf(out[i], 0) {
			r.err = errors.New("non-finite coefficient")
		}
	}
	return out
}

// evalVSOP returns Σ_p t^p Σ A cos(B + C t).
func evalVSOP(ss []series, t float64) float64 {
	var sum float64
	for _, s := range ss {
		var v float64
		for i := 0; i+2 < len(s.terms); i += 3 {
			v += s.terms[i] * math.Cos(s.terms[i+1]+s.terms[i+2]*t)
		}
		sum += v * math.Pow(t, float64(s.power))
	}
	return sum
}

// evalELP returns Σ_p T^p Σ A sin(φ0 + φ1T + φ2T² + φ3T³ + φ4T⁴).
func evalELP(ss []series, t float64) float64 {
	t2 := t * t
	t3, t4 := t2*t, t2*t2
	var sum float64
	for _, s := range ss {
		var v float64
		for i := 0; i+5 < len(s.terms); i += 6 {
			a := s.terms[i+1] + s.terms[i+2]*t + s.terms[i+3]*t2 + s.terms[i+4]*t3 + s.terms[i+5]*t4
			v += s.terms[i] * math.Sin(a)
		}
		sum += v * math.Pow(t, float64(s.power))
	}
	return sum
}

type vec [3]float64

func (a vec) sub(b vec) vec       { return vec{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func (a vec) scale(k float64) vec { return vec{a[0] * k, a[1] * k, a[2] * k} }
func (a vec) dot(b vec) float64   { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func (a vec) norm() float64       { return math.Sqrt(a.dot(a)) }

func spherical(l, b, r float64) vec {
	sl, cl := math.Sincos(l)
	sb, cb := math.Sincos(b)
	return vec{r * cb * cl, r * cb * sl, r * sb}
}

// eclToEq rotates from the dynamical ecliptic and equinox J2000 of VSOP87
// to the FK5 (≈ ICRS, to 0.02″) equator, with the matrix given in the
// VSOP87 distribution's README (Bretagnon & Francou 1988).
func eclToEq(v vec) vec {
	return vec{
		v[0] + 0.000000440360*v[1] - 0.000000190919*v[2],
		-0.000000479966*v[0] + 0.917482137087*v[1] - 0.397776982902*v[2],
		0.397776982902*v[1] + 0.917482137087*v[2],
	}
}

// helio returns the heliocentric J2000 equatorial position (au) of VSOP87
// planet p at t Julian millennia of TDB from J2000.
func (tb *tables) helio(p int, t float64) vec {
	s := &tb.vsop[p]
	return eclToEq(spherical(evalVSOP(s[0], t), evalVSOP(s[1], t), evalVSOP(s[2], t)))
}

const (
	auKm       = 149597870.7
	lightDayAU = 173.1446326846693 // c in au/day
	daysJM     = 365250.0
	daysJC     = 36525.0
	jd2000     = 2451545.0
)

// Laskar's P/Q polynomials that take ELP/MPP02 from the mean ecliptic of
// date to the J2000 ecliptic (Chapront & Francou 2003, as used by the ELP
// code of astronomia and of AA+ "EclipticRectangularCoordinatesJ2000").
var (
	laskarP = [5]float64{1.0180391e-5, 4.7020439e-7, -5.417367e-10, -2.507948e-12, 4.63486e-15}
	laskarQ = [5]float64{-1.13469002e-4, 1.2372674e-7, 1.265417e-9, -1.371808e-12, -3.20334e-15}
)

func poly(c [5]float64, t float64) float64 {
	return c[0] + t*(c[1]+t*(c[2]+t*(c[3]+t*c[4])))
}

// moonGeo returns the Moon's geocentric J2000 equatorial position in au at
// T Julian centuries of TDB from J2000.
func (tb *tables) moonGeo(t float64) vec {
	l := poly(tb.w1, t) + evalELP(tb.elp[0], t)*math.Pi/(180*3600)
	b := evalELP(tb.elp[1], t) * math.Pi / (180 * 3600)
	r := evalELP(tb.elp[2], t) / auKm
	x := spherical(l, b, r)
	pw, qw := poly(laskarP, t)*t, poly(laskarQ, t)*t
	ra := 2 * math.Sqrt(1-pw*pw-qw*qw)
	pwqw := 2 * pw * qw
	pw2, qw2 := 1-2*pw*pw, 1-2*qw*qw
	pw, qw = pw*ra, qw*ra
	e := vec{
		pw2*x[0] + pwqw*x[1] + pw*x[2],
		pwqw*x[0] + qw2*x[1] - qw*x[2],
		-pw*x[0] + qw*x[1] + (pw2+qw2-1)*x[2],
	}
	return eclToEq(e)
}

// Position is where a body appears from a site at an instant.
type Position struct {
	// RA, Dec: apparent topocentric direction in degrees on J2000 (GCRS)
	// axes, with light time and annual aberration: what a plate solve of
	// the field around the body reports. RA in [0, 360).
	RA, Dec float64
	// AstrometricRA, AstrometricDec: the same without aberration, the form
	// astro.AltAz takes (it applies aberration itself).
	AstrometricRA, AstrometricDec float64
	// DistanceAU is the light-time-corrected distance from the observer.
	DistanceAU float64
	// Alt, Az: horizon coordinates in degrees without refraction, Az from
	// north through east in [0, 360).
	Alt, Az float64
}

// ErrBody is returned for a Body value outside the defined set.
var ErrBody = errors.New("planets: unknown body")

// At returns the position of body b seen from obs at the UTC instant t.
// TDB is taken equal to TT (they differ by under 2 ms).
func At(b Body, t time.Time, obs astro.Observer) (Position, error) {
	if !b.Valid() {
		return Position{}, fmt.Errorf("%w %d", ErrBody, uint8(b))
	}
	if !(math.Abs(obs.LatDeg) <= 90) || math.IsNaN(obs.LonDeg) || math.IsInf(obs.LonDeg, 0) || math.IsNaN(obs.HeightM) {
		return Position{}, fmt.Errorf("planets: bad observer %+v", obs)
	}
	tb, err := loadTables()
	if err != nil {
		return Position{}, err
	}
	jd := astro.JulianDateTT(t)
	d := jd - jd2000
	site := siteGCRS(obs, t)
	earth := tb.helio(earthIndex, d/daysJM)

	var topo vec
	switch b {
	case Sun:
		// The Sun is the origin of VSOP87B; its motion during the 8 min of
		// light time (about the barycentre) is under 0.02″, so the light
		// time only shifts where the Earth was, not where the Sun is.
		topo = earth.scale(-1).sub(site)
	case Moon:
		topo = tb.moonGeo(d / daysJC).sub(site)
		tau := topo.norm() / lightDayAU
		topo = tb.moonGeo((d - tau) / daysJC).sub(site)
	default:
		p := vsopIndex[b]
		topo = tb.helio(p, d/daysJM).sub(earth).sub(site)
		for range 2 { // converges to µs after two passes
			tau := topo.norm() / lightDayAU
			topo = tb.helio(p, (d-tau)/daysJM).sub(earth).sub(site)
		}
	}
	dist := topo.norm()
	u := topo.scale(1 / dist)

	// Annual aberration (first order in v/c plus the second-order term
	// of ERFA ab, enough below 1 mas): the Earth's heliocentric velocity
	// from a central difference over ±0.5 day stands in for its
	// barycentric velocity (they differ by the Sun's 0.01 km/s, 0.01″).
	// Diurnal aberration (≤ 0.3″) is left out.
	const h = 0.5
	v := tb.helio(earthIndex, (d+h)/daysJM).sub(tb.helio(earthIndex, (d-h)/daysJM)).scale(1 / (2 * h * lightDayAU))
	pdv := u.dot(v)
	bm1 := math.Sqrt(1 - v.dot(v))
	w1 := 1 + pdv/(1+bm1)
	ap := vec{u[0]*bm1 + w1*v[0], u[1]*bm1 + w1*v[1], u[2]*bm1 + w1*v[2]}

	var pos Position
	pos.AstrometricRA, pos.AstrometricDec = radec(u)
	pos.RA, pos.Dec = radec(ap)
	pos.DistanceAU = dist
	pos.Alt, pos.Az = astro.AltAz(pos.AstrometricRA, pos.AstrometricDec, obs, t, astro.Weather{})
	return pos, nil
}

// siteGCRS returns the observer's geocentric position in au on GCRS axes:
// the WGS84 position turned by the local apparent sidereal time into the
// true equator of date, then taken to J2000 by the inverse
// precession-nutation of astro. Polar motion is ignored (≤ 15 m).
func siteGCRS(obs astro.Observer, t time.Time) vec {
	const a, f = 6378137.0, 1 / 298.257223563
	sp, cp := math.Sincos(obs.LatDeg * math.Pi / 180)
	e2 := f * (2 - f)
	nu := a / math.Sqrt(1-e2*sp*sp)
	rxy := (nu + obs.HeightM) * cp
	z := (nu*(1-e2) + obs.HeightM) * sp
	last := astro.LocalSiderealTime(obs.LonDeg, t)
	decG := math.Atan2(z, rxy) * 180 / math.Pi
	ra, dec := astro.J2000FromJNow(last, decG, t)
	r := math.Hypot(rxy, z) / (auKm * 1000)
	sr, cr := math.Sincos(ra * math.Pi / 180)
	sd, cd := math.Sincos(dec * math.Pi / 180)
	return vec{r * cd * cr, r * cd * sr, r * sd}
}

func radec(v vec) (ra, dec float64) {
	ra = math.Atan2(v[1], v[0]) * 180 / math.Pi
	if ra < 0 {
		ra += 360
	}
	if ra >= 360 {
		ra -= 360
	}
	return ra, math.Atan2(v[2], math.Hypot(v[0], v[1])) * 180 / math.Pi
}
