package db

import "math"

// Pattern key: the six pairwise chord lengths of a 4-star pattern, sorted
// ascending; the five smaller ones divided by the largest are the key ratios.
// Chords of unit vectors are used on both sides (builder and solver), so the
// key is exact for a pinhole camera whatever the pattern's place in the field.

// Chords returns the six pairwise distances of four unit vectors in the
// order (0,1) (0,2) (0,3) (1,2) (1,3) (2,3).
func Chords(v *[4][3]float64) [6]float64 {
	var e [6]float64
	k := 0
	for i := 0; i < 4; i++ {
		for j := i + 1; j < 4; j++ {
			dx, dy, dz := v[i][0]-v[j][0], v[i][1]-v[j][1], v[i][2]-v[j][2]
			e[k] = math.Sqrt(dx*dx + dy*dy + dz*dz)
			k++
		}
	}
	return e
}

// Ratios sorts the chords and returns the five smaller ones divided by the
// largest, plus the largest chord.
func Ratios(e [6]float64) (r [5]float64, largest float64) {
	// insertion sort of six values
	for i := 1; i < 6; i++ {
		x := e[i]
		j := i - 1
		for j >= 0 && e[j] > x {
			e[j+1] = e[j]
			j--
		}
		e[j+1] = x
	}
	largest = e[5]
	if largest <= 0 {
		return r, 0
	}
	for i := 0; i < 5; i++ {
		r[i] = e[i] / largest
	}
	return r, largest
}

// bin returns the quantisation bin of a ratio in [0, 1].
func bin(r float64, bins int) int {
	b := int(r * float64(bins))
	if b < 0 {
		b = 0
	}
	if b >= bins {
		b = bins - 1
	}
	return b
}

// BucketOf returns the hash bucket of quantised ratios.
func BucketOf(q [5]int, bins int, buckets uint32) uint32 {
	var h uint64
	for _, v := range q {
		h = h*uint64(bins) + uint64(v)
	}
	// Fibonacci hashing spreads neighbouring keys over the table.
	h *= 0x9E3779B97F4A7C15
	h ^= h >> 29
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 32
	return uint32(h) & (buckets - 1)
}

// KeyBucket returns the bucket of a pattern's exact ratios.
func KeyBucket(r [5]float64, bins int, buckets uint32) uint32 {
	var q [5]int
	for i := range q {
		q[i] = bin(r[i], bins)
	}
	return BucketOf(q, bins, buckets)
}

// ProbeBuckets appends to dst the buckets that any pattern whose ratios lie
// within tol of r (in every ratio) can fall in: the bin of each ratio plus
// the neighbouring bin when the ratio is within tol of its edge. At most 32.
func ProbeBuckets(dst []uint32, r [5]float64, tol float64, bins int, buckets uint32) []uint32 {
	var lo, hi [5]int
	for i := range r {
		lo[i] = bin(r[i]-tol, bins)
		hi[i] = bin(r[i]+tol, bins)
	}
	// hi[i]-lo[i] is 0 or 1 when tol is smaller than a bin, but allow more.
	q := lo
	for {
		dst = append(dst, BucketOf(q, bins, buckets))
		d := 0
		for d < 5 {
			if q[d] < hi[d] {
				q[d]++
				break
			}
			q[d] = lo[d]
			d++
		}
		if d == 5 {
			return dst
		}
	}
}
