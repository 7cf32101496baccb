// Package targets turns "I want M 51" into numbers: a searchable catalogue
// of targets (package objects plus the Sun, Moon and planets of package
// planets), filters and "nearby" lists, rise/transit/set, and the push-to
// guidance from the eyepiece axis to the target. Everything is a pure
// function or an immutable value, safe for concurrent use, so the state
// owner and the servers can call it directly.
//
// # Search
//
// Normalize folds a user's spelling to an index key ("M31", "m 31",
// "Messier 31" → "m31"; "α Lyr", "alpha Lyr", "alf Lyrae" → "alphalyr").
// Catalog.Search finds exact keys and prefixes (for search-as-you-type)
// with one binary search in a sorted key list and ranks by an integer
// packed at build time: exact before prefix, primary designation, cross id,
// name, later word of a name; then bodies, Messier, the rest; then bright
// first. A query is cut at 128 bytes.
//
// # Guidance
//
// Guide takes the aligned eyepiece axis (J2000, with the camera roll), the
// target's position (Target.Position: the catalogue place, or for a body its
// astrometric topocentric place, which is what a plate-solved frame
// shows), the site, the time and the mount type. Alt/Az mounts get the
// azimuth turn the shorter way (positive right, towards increasing
// azimuth) and the altitude change; equatorial mounts the RA turn
// (positive east) and Dec change on the true equator of date (astro.JNow).
// The target's direction on the camera image and its pixel when it is in
// the solve image use internal/sky/geom, the same projection the solver and
// the alignment API use.
//
// # Data credits
//
// The objects come from d3-celestial 0.7.35 (BSD-3-Clause, © 2015 Olaf
// Frohn) and the Hipparcos catalogue; the planetary theories (VSOP87B,
// ELP/MPP02 tables) from astronomia 4.2.0 (MIT, © 2013 Sonia Keys, 2016
// commenthol). See packages objects and planets.
package targets
