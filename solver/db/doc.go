// Package db owns the plate solver's star and pattern database: the compact
// versioned binary format (header, stars, patterns grouped in hash buckets),
// its loader, the deterministic builder that turns a hip8-style catalogue into
// a database, the spatial index over the star list, the 4-star pattern key
// shared by the builder and the solver, and the embedded default database.
//
// Format version 1, all integers and floats little-endian:
//
//	header (128 bytes)
//	  0  magic "PFSOLVDB"
//	  8  u32 format version (1)
//	 12  u32 header size (128)
//	 16  f64 FOV min, deg (shorter side of the field)
//	 24  f64 FOV max, deg
//	 32  f64 epoch of the star positions (Julian year)
//	 40  f64 magnitude limit
//	 48  f64 merge separation, arcsec (closer pairs were merged)
//	 56  u32 star count        60 u32 pattern count
//	 64  u32 bucket count (power of two)
//	 68  u32 key bins per ratio
//	 72  u32 pattern stars per lattice field
//	 76  u32 pattern scales    80 u32 star density cap (per smallest field)
//	 84  f32 lattice oversampling
//	 88  u64 body length       96 u32 body CRC-32C
//	100  f32 minimum pattern size (fraction of the scale)
//	104  reserved (zero)     124 u32 CRC-32C of header bytes 0..123
//	body
//	  stars:    count × (f32 x, f32 y, f32 z unit vector, i16 V in millimag/10, u32 HIP), brightest first
//	  patterns: count × (4 × u16 star indices, u32+u16 ratio fingerprint), grouped by bucket
//	  offsets:  (buckets+1) × u32, patterns of bucket b are [off[b], off[b+1])
package db
