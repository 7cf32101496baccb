package astro

import (
	"math"
	"time"
)

const (
	d2r     = math.Pi / 180
	r2d     = 180 / math.Pi
	as2r    = d2r / 3600 // arcseconds to radians
	twoPi   = 2 * math.Pi
	secDay  = 86400.0
	jdUnix  = 2440587.5 // JD of 1970-01-01T00:00:00Z
	jd2000  = 2451545.0 // JD of J2000.0 (TT)
	daysJC  = 36525.0   // days per Julian century
	ttMinus = 32.184    // TT − TAI in seconds
)

// leapSeconds lists the UTC instants (as seconds since the Unix epoch) from
// which TAI−UTC takes the given value. The table starts in 1972 when the
// integral-second UTC began; the last entry (2017-01-01, 37 s) is still in
// force: the IERS announced no further leap second through 2026.
var leapSeconds = []struct {
	from int64
	dat  float64
}{
	{63072000, 10},   // 1972-01-01
	{78796800, 11},   // 1972-07-01
	{94694400, 12},   // 1973-01-01
	{126230400, 13},  // 1974-01-01
	{157766400, 14},  // 1975-01-01
	{189302400, 15},  // 1976-01-01
	{220924800, 16},  // 1977-01-01
	{252460800, 17},  // 1978-01-01
	{283996800, 18},  // 1979-01-01
	{315532800, 19},  // 1980-01-01
	{362793600, 20},  // 1981-07-01
	{394329600, 21},  // 1982-07-01
	{425865600, 22},  // 1983-07-01
	{489024000, 23},  // 1985-07-01
	{567993600, 24},  // 1988-01-01
	{631152000, 25},  // 1990-01-01
	{662688000, 26},  // 1991-01-01
	{709948800, 27},  // 1992-07-01
	{741484800, 28},  // 1993-07-01
	{773020800, 29},  // 1994-07-01
	{820454400, 30},  // 1996-01-01
	{867715200, 31},  // 1997-07-01
	{915148800, 32},  // 1999-01-01
	{1136073600, 33}, // 2006-01-01
	{1230768000, 34}, // 2009-01-01
	{1341100800, 35}, // 2012-07-01
	{1435708800, 36}, // 2015-07-01
	{1483228800, 37}, // 2017-01-01
}

// TAIMinusUTC returns TAI−UTC in seconds at the UTC instant t. Before 1972
// it returns 10 s (the rubber-second era is not modelled).
func TAIMinusUTC(t time.Time) float64 {
	s := t.Unix()
	dat := 10.0
	for _, l := range leapSeconds {
		if s < l.from {
			break
		}
		dat = l.dat
	}
	return dat
}

// julian is a two-part Julian date: hi holds whole days (plus .5), lo the
// fraction, so sub-millisecond precision survives the addition.
type julian struct{ hi, lo float64 }

// centuries returns Julian centuries since J2000.0 on the same scale.
func (j julian) centuries() float64 { return ((j.hi - jd2000) + j.lo) / daysJC }

// jdUTC returns the UTC (taken as UT1) Julian date of t.
func jdUTC(t time.Time) julian {
	s := t.Unix()
	days := s / 86400
	rem := s - days*86400
	if rem < 0 {
		days--
		rem += 86400
	}
	frac := (float64(rem) + float64(t.Nanosecond())*1e-9) / secDay
	return julian{jdUnix + float64(days), frac}
}

// timeScales holds the UT1 (= UTC) and TT Julian dates of an instant.
type timeScales struct {
	ut1, tt julian
}

func scales(t time.Time) timeScales {
	u := jdUTC(t)
	tt := u
	tt.lo += (TAIMinusUTC(t) + ttMinus) / secDay
	return timeScales{ut1: u, tt: tt}
}

// JulianDateTT returns the TT Julian date of the UTC instant t as one float
// (about 20 µs resolution; internal code keeps two parts).
func JulianDateTT(t time.Time) float64 {
	j := scales(t).tt
	return j.hi + j.lo
}

// era returns the IAU 2000 Earth rotation angle (radians, [0, 2π)).
func era(ut1 julian) float64 {
	d := (ut1.hi - jd2000) + ut1.lo
	f := math.Mod(ut1.hi, 1) + math.Mod(ut1.lo, 1)
	return normRad(twoPi * (f + 0.7790572732640 + 0.00273781191135448*d))
}

// gmst06 returns Greenwich mean sidereal time, IAU 2006 (radians).
func gmst06(ts timeScales) float64 {
	t := ts.tt.centuries()
	p := (0.014506 + (4612.156534+(1.3915817+(-0.00000044+(-0.000029956+(-0.0000000368)*t)*t)*t)*t)*t) * as2r
	return normRad(era(ts.ut1) + p)
}

// gast returns Greenwich apparent sidereal time (radians) from GMST and the
// equation of the equinoxes (nutation in longitude projected on the equator
// plus the largest complementary terms).
func gast(ts timeScales, n nutation) float64 {
	t := ts.tt.centuries()
	om := normRad((450160.398036 - 6962890.5431*t) * as2r)
	ct := (2640.96e-6-0.87e-6*t)*math.Sin(om) + 63.52e-6*math.Sin(2*om)
	return normRad(gmst06(ts) + n.dpsi*math.Cos(n.epsA) + ct*as2r)
}

// GMST returns Greenwich mean sidereal time in degrees [0, 360) at the UTC
// instant t (IAU 2006, UT1 taken equal to UTC).
func GMST(t time.Time) float64 {
	return gmst06(scales(t)) * r2d
}

// GAST returns Greenwich apparent sidereal time in degrees [0, 360).
func GAST(t time.Time) float64 {
	ts := scales(t)
	return gast(ts, nutate(ts.tt)) * r2d
}

// LocalSiderealTime returns local apparent sidereal time in degrees [0, 360)
// for an observer at longitude lonDeg (east positive).
func LocalSiderealTime(lonDeg float64, t time.Time) float64 {
	return normDeg(GAST(t) + lonDeg)
}

func normRad(a float64) float64 {
	a = math.Mod(a, twoPi)
	if a < 0 {
		a += twoPi
	}
	return a
}

func normDeg(a float64) float64 {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	if a >= 360 {
		a = 0
	}
	return a
}
