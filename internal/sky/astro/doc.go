// Package astro owns the positional astronomy of pifinder-go: time
// scales, sidereal time, J2000 ↔ true-of-date ("JNow") conversion for the
// LX200 server, horizon coordinates for the integrator, and the IAU
// (constellations are in internal/sky/constellation). All functions are pure and safe for concurrent use.
//
// # Conventions
//
//   - Angles are degrees at the API: RA in [0, 360), Dec in [−90, 90].
//     Inputs are J2000 coordinates taken as ICRS (the plate solver's frame).
//   - Instants are time.Time; the zone is irrelevant. UTC → TAI uses the
//     leap-second table (TAI−UTC = 37 s since 2017-01-01; 10 s assumed before
//     1972), TT = TAI + 32.184 s, and UT1 is taken equal to UTC (|UT1−UTC| <
//     0.9 s, up to 13" of azimuth at the equator). Julian dates are kept as
//     two floats for precision.
//   - Observer: WGS84 geodetic latitude, longitude east positive, height in
//     metres. Azimuth runs from north through east in [0, 360).
//   - Weather{} (zero pressure) means no refraction; StandardWeather() is
//     PiFinder's 1010 hPa, 10 °C, 50 % RH, 0.55 µm.
//
// # Models and accuracy
//
// JNow applies the IAU 2006 bias-precession matrix (Fukushima-Williams
// angles, frame bias included) with IAU 2000B nutation adjusted as ERFA
// nut06a adjusts 2000A: the ERFA pnm06a rotation to within about 1 mas.
// Against ERFA 2.0.0 (jnow-cases.csv) the largest difference is 0.003",
// the rounding of the reference values; J2000FromJNow is the exact
// transpose, so a round trip closes to 1e-10".
//
// AltAz follows ERFA atco13 for a star at infinity without proper motion,
// parallax or polar motion: light deflection by the Sun, annual aberration
// (Earth velocity from the JPL mean Keplerian elements of the Earth-Moon
// barycentre, good to ~1e-4 of the velocity, i.e. < 0.01") plus diurnal
// aberration, the same precession-nutation, Greenwich apparent sidereal time
// (IAU 2006 GMST plus the equation of the equinoxes), and ERFA refco
// refraction A tan z + B tan³ z applied to the observed zenith distance the
// way ERFA does (held constant below 2.87° elevation). Against ERFA 2.0.0
// (altaz-cases.csv) the largest differences are 0.03" in altitude and 0.07"
// in azimuth. Refraction near the horizon is a model, not a measurement:
// real refraction varies by arcminutes there.
package astro
