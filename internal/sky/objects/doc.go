// Package objects is the embedded catalogue of things to point at: the 110
// Messier objects with their common names and NGC/IC cross ids, about
// 15,700 other deep-sky objects to magnitude 14 (NGC, IC, Caldwell,
// Collinder, PGC, LDN, Sh2, ...), 4,800 named or designated stars (proper
// names, Bayer, Flamsteed and variable-star designations, joined by HIP
// number to the Hipparcos positions and magnitudes of package starcat) and
// the 88 constellations. Each Object carries all its designations, names,
// kind, magnitude, size, J2000 position and constellation (from package
// constellation's IAU boundaries when the source gives none).
//
// # Data and credits
//
// The source files are those of the npm package d3-celestial 0.7.35
// (BSD-3-Clause, © 2015 Olaf Frohn), in ../shared/catalog/objects, with the
// Caldwell cross ids from PiFinder's astro_data/caldwell.dat. `go generate`
// (see gen/) turns them into objects.bin.gz, a compact deterministic binary
// form (positions to 1e-5°, magnitudes to 0.01, sizes to 0.1′); the JSON
// is never committed. Known gaps, reported by the generator: three
// Caldwell objects (C 36, C 38, C 49) whose NGC entry is not in the
// magnitude-14 file, 60 named stars fainter than the embedded Hipparcos
// subset, and two SNR entries whose Dec field holds a size.
//
// The catalogue is decoded once on first use
// and shared read-only; All is safe for concurrent use. Searching lives in
// package targets.
package objects
