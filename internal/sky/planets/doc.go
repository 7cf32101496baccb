// Package planets places the Sun, the Moon and the planets Mercury to
// Neptune for a site and an instant, to the accuracy a finder needs (well
// under 1′ against astropy/ERFA; see the test table).
//
// # Theories
//
// The planets come from VSOP87B (Bretagnon & Francou 1988): heliocentric
// spherical coordinates on the J2000 ecliptic, each variable the sum over
// powers p of t^p·Σ A·cos(B + C·t), t in Julian millennia of TDB from
// J2000. The Moon comes from ELP/MPP02 fitted to DE405 (Chapront & Francou
// 2003): Σ_p T^p·Σ A·sin(φ0 + φ1T + … + φ4T⁴) in arcseconds and km, T in
// Julian centuries, plus the mean longitude W1, on the mean ecliptic of date,
// taken to the J2000 ecliptic by Laskar's P/Q rotation. Both ecliptics go to
// the equator with the VSOP87 FK5 matrix; FK5 is taken as ICRS (0.02″).
//
// The coefficient tables are the truncated ones in ../shared/catalog/objects
// (3,922 of VSOP87's 35,080 terms with |A| ≥ 2e-7, 1,433 of ELP/MPP02's
// 4,862 with |A| ≥ 0.005″ or 0.01 km), taken from the npm package
// astronomia 4.2.0 (MIT licence, © 2013 Sonia Keys, 2016 commenthol), and
// are embedded losslessly as planets.bin by `go generate` (see gen/).
//
// # Apparent place
//
// At computes the geometric position at the time the light left (light time
// iterated), subtracts the observer's geocentric position (WGS84, turned by
// the apparent sidereal time, so the Moon gets its parallax of up to 1°
// and Venus its 30″), and applies annual aberration from the Earth's
// VSOP87 velocity. Diurnal aberration (≤ 0.3″), light deflection and the
// Sun's barycentric motion are left out. Alt/Az is astro.AltAz of the
// astrometric direction without refraction.
//
// All functions are safe for concurrent use; the tables are decoded once,
// on first use.
package planets
