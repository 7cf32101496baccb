package astro

import (
	"math"
	"time"
)

// Observer is a place on the WGS84 ellipsoid: geodetic latitude and
// longitude in degrees (longitude east positive) and height in metres.
type Observer struct {
	LatDeg, LonDeg, HeightM float64
}

// Weather holds the refraction inputs of ERFA refco: pressure in hPa,
// temperature in °C, relative humidity 0..1 and wavelength in µm. A zero
// pressure (the zero value) means no refraction.
type Weather struct {
	PressureHPa, TempC, RelHumidity, WavelengthUM float64
}

// StandardWeather returns the conditions PiFinder uses for Alt/Az:
// 1010 hPa, 10 °C, 50 % relative humidity, 0.55 µm.
func StandardWeather() Weather {
	return Weather{PressureHPa: 1010, TempC: 10, RelHumidity: 0.5, WavelengthUM: 0.55}
}

const (
	auM     = 149597870700.0       // astronomical unit, m
	cMS     = 299792458.0          // speed of light, m/s
	srsAU   = 1.97412574336e-8     // Schwarzschild radius of the Sun, au
	omEarth = 7.292115855306589e-5 // Earth rotation rate (ERA rate), rad/s
	wgsA    = 6378137.0            // WGS84 equatorial radius, m
	wgsF    = 1 / 298.257223563    // WGS84 flattening
)

// earthHelio returns the heliocentric position (au) and velocity (au/day)
// of the Earth-Moon barycentre in ICRS axes from the J2000 mean Keplerian
// elements of Standish (JPL "Approximate Positions of the Planets",
// 1800-2050 fit). The velocity stands in for the Earth's barycentric
// velocity: the Sun's barycentric motion and the Earth's motion about the
// EMB are each below 1.3e-4 of it (under 0.01" of aberration).
func earthHelio(tt julian) (pos, vel vec3) {
	t := tt.centuries()
	a := 1.00000261 + 0.00000562*t
	e := 0.01671123 - 0.00004392*t
	incl := (-0.00001531 - 0.01294668*t) * d2r
	lMean := (100.46457166 + 35999.37244981*t) * d2r
	peri := (102.93768193 + 0.32327364*t) * d2r
	n := 35999.37244981 * d2r / daysJC // mean motion, rad/day

	m := math.Remainder(lMean-peri, twoPi)
	ea := m + e*math.Sin(m)
	for range 6 { // Newton on Kepler's equation; e is small
		ea -= (ea - e*math.Sin(ea) - m) / (1 - e*math.Cos(ea))
	}
	se, ce := math.Sincos(ea)
	b := a * math.Sqrt(1-e*e)
	edot := n / (1 - e*ce)
	xo, yo := a*(ce-e), b*se
	vxo, vyo := -a*se*edot, b*ce*edot

	// Orbital plane → J2000 ecliptic (node at 0, tiny inclination) →
	// equator, using the J2000 obliquity.
	sw, cw := math.Sincos(peri)
	si, ci := math.Sincos(incl)
	se0, ce0 := math.Sincos(eps0)
	rot := func(x, y float64) vec3 {
		xe := x*cw - y*sw
		ye := (x*sw + y*cw) * ci
		ze := (x*sw + y*cw) * si
		return vec3{xe, ye*ce0 - ze*se0, ye*se0 + ze*ce0}
	}
	return rot(xo, yo), rot(vxo, vyo)
}

// refco returns the refraction constants A and B (radians) of ERFA refco
// for the model Δz = A tan z + B tan³ z.
func refco(w Weather) (refA, refB float64) {
	optic := w.WavelengthUM <= 100
	t := math.Min(math.Max(w.TempC, -150), 200)
	p := math.Min(math.Max(w.PressureHPa, 0), 10000)
	r := math.Min(math.Max(w.RelHumidity, 0), 1)
	wl := math.Min(math.Max(w.WavelengthUM, 0.1), 1e6)
	var pw float64
	if p > 0 {
		ps := math.Pow(10, (0.7859+0.03477*t)/(1+0.00412*t)) * (1 + p*(4.5e-6+6e-10*t*t))
		pw = r * ps / (1 - (1-r)*ps/p)
	}
	tk := t + 273.15
	var gamma float64
	if optic {
		wlsq := wl * wl
		gamma = ((77.53484e-6+(4.39108e-7+3.666e-9/wlsq)/wlsq)*p - 11.2684e-6*pw) / tk
	} else {
		gamma = (77.6890e-6*p - (6.3938e-6-0.375463/tk)*pw) / tk
	}
	beta := 4.4474e-6 * tk
	if !optic {
		beta -= 0.0074 * pw * beta
	}
	return gamma * (1 - beta), -gamma * (beta - gamma/2)
}

// geocentric returns the observer's geocentric position in metres in a
// frame rotating with the Earth (x to the meridian of longitude 0).
func geocentric(o Observer) vec3 {
	sp, cp := math.Sincos(o.LatDeg * d2r)
	sl, cl := math.Sincos(o.LonDeg * d2r)
	e2 := wgsF * (2 - wgsF)
	nu := wgsA / math.Sqrt(1-e2*sp*sp)
	rxy := (nu + o.HeightM) * cp
	return vec3{rxy * cl, rxy * sl, (nu*(1-e2) + o.HeightM) * sp}
}

// AltAz returns the observed altitude and azimuth in degrees (azimuth from
// north through east, [0, 360)) of a J2000/ICRS direction for an observer
// at the UTC instant t, following ERFA atco13 with no proper motion or
// parallax, UT1 = UTC and no polar motion: light deflection by the Sun,
// annual plus diurnal aberration, IAU 2006 precession with 2000B nutation,
// apparent sidereal time and, unless w.PressureHPa is 0, refraction.
func AltAz(raDeg, decDeg float64, obs Observer, t time.Time, w Weather) (altDeg, azDeg float64) {
	ts := scales(t)
	n := nutate(ts.tt)
	npb := bpn(ts.tt, n)
	last := gast(ts, n) + obs.LonDeg*d2r

	// Observer velocity from the Earth's rotation, in the true-of-date frame
	// then in GCRS axes; added to the orbital velocity for aberration.
	g := geocentric(obs)
	sl, cl := math.Sincos(last - obs.LonDeg*d2r)
	gx, gy := g[0]*cl-g[1]*sl, g[0]*sl+g[1]*cl
	vObs := npb.applyT(vec3{-omEarth * gy, omEarth * gx, 0})

	ph, vh := earthHelio(ts.tt)
	k := auM / secDay / cMS // au/day → units of c
	v := vec3{vh[0]*k + vObs[0]/cMS, vh[1]*k + vObs[1]/cMS, vh[2]*k + vObs[2]/cMS}

	p := unit(raDeg, decDeg)
	p = deflectSun(p, ph)
	p = aberrate(p, v, ph.norm())
	p = npb.apply(p) // true equator and equinox of date

	// (−HA, Dec) frame as in ERFA atioq: x towards the meridian on the
	// equator, y 90° east of it, z to the pole of date.
	sh, ch := math.Sincos(last)
	xh := p[0]*ch + p[1]*sh  // cos δ cos h
	yh := -p[0]*sh + p[1]*ch // −cos δ sin h
	zh := p[2]

	sphi, cphi := math.Sincos(obs.LatDeg * d2r)
	x := sphi*xh - cphi*zh // towards south
	y := yh                // towards east
	z := cphi*xh + sphi*zh // towards zenith

	az := 0.0
	if x != 0 || y != 0 {
		az = math.Atan2(y, -x)
	}

	if w.PressureHPa > 0 {
		refA, refB := refco(w)
		r := math.Max(math.Hypot(x, y), 1e-6)
		zz := math.Max(z, 0.05) // ERFA's floor: refraction held at 2.87° elevation
		tz := r / zz
		wb := refB * tz * tz
		del := (refA + wb) * tz / (1 + (refA+3*wb)/(zz*zz))
		cosdel := 1 - del*del/2
		f := cosdel - del*zz/r
		x, y, z = x*f, y*f, cosdel*z+del*r
	}
	zd := math.Atan2(math.Hypot(x, y), z)
	return 90 - zd*r2d, normDeg(az * r2d)
}

// deflectSun applies gravitational light deflection by the Sun to the
// direction p of a source at infinity (ERFA ldsun), given the observer's
// heliocentric position e in au.
func deflectSun(p, e vec3) vec3 {
	em := e.norm()
	eu := vec3{e[0] / em, e[1] / em, e[2] / em}
	dlim := 1e-6 / math.Max(em*em, 1)
	qdqpe := p.dot(vec3{p[0] + eu[0], p[1] + eu[1], p[2] + eu[2]})
	wt := srsAU / em / math.Max(qdqpe, dlim)
	peq := p.cross(eu.cross(p))
	return vec3{p[0] + wt*peq[0], p[1] + wt*peq[1], p[2] + wt*peq[2]}
}

// aberrate applies relativistic stellar aberration (ERFA ab) for an
// observer moving with velocity v (units of c) at distance s au from the
// Sun, returning a unit vector.
func aberrate(p, v vec3, s float64) vec3 {
	bm1 := math.Sqrt(1 - v.dot(v))
	pdv := p.dot(v)
	w1 := 1 + pdv/(1+bm1)
	w2 := srsAU / s
	var q vec3
	for i := range 3 {
		q[i] = p[i]*bm1 + w1*v[i] + w2*(v[i]-pdv*p[i])
	}
	l := q.norm()
	return vec3{q[0] / l, q[1] / l, q[2] / l}
}
