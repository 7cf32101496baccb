// Package constellation names the constellation of a position. At looks up
// the IAU boundaries (Delporte 1930) from a compact table generated from ../shared/catalog (d3-celestial's J2000 vertices,
// see gen/) and embedded in the binary. Edges join J2000 vertices by
// straight lines in RA/Dec, accurate to a few arcminutes at the boundaries.
// The test is a meridian-crossing count with RA unwrapped about the query
// point; the ring round the north pole (Ursa Minor) is inverted, and the
// ring round the south pole (Octans) needs no special case since the test
// ray runs north. A Dec band index keeps a lookup near 300 ns with no
// allocation. Every finite position gets exactly one answer.
package constellation
