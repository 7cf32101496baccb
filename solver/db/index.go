package db

import (
	"math"
	"slices"
)

// Index is a declination-band / right-ascension-cell grid over unit vectors
// for cone queries. Within a cell, entries keep their input order, so for a
// star list sorted brightest first a query's result, once sorted, is in
// brightness order.
type Index struct {
	vec     [][3]float64
	band    float64 // band height, radians
	nBands  int
	cells   []int32 // per band, first cell number
	nRA     []int32 // per band, cells in RA
	start   []int32 // CSR offsets, len cells+1
	members []int32
	mvec    [][3]float64 // vectors in members order, for cache-friendly scans
}

// Hit is a cone query result: the entry's index and its vector.
type Hit struct {
	Idx int32
	Vec [3]float64
}

// NewIndex builds an index over vec with cells about cellDeg wide.
func NewIndex(vec [][3]float64, cellDeg float64) *Index {
	if cellDeg <= 0 {
		cellDeg = 1
	}
	ix := &Index{vec: vec, band: cellDeg * math.Pi / 180}
	ix.nBands = int(math.Ceil(math.Pi / ix.band))
	ix.band = math.Pi / float64(ix.nBands)
	ix.cells = make([]int32, ix.nBands)
	ix.nRA = make([]int32, ix.nBands)
	total := int32(0)
	for b := 0; b < ix.nBands; b++ {
		lo := -math.Pi/2 + float64(b)*ix.band
		hi := lo + ix.band
		c := math.Max(math.Cos(lo), math.Cos(hi))
		n := int32(math.Max(1, math.Floor(2*math.Pi*c/ix.band)))
		ix.cells[b] = total
		ix.nRA[b] = n
		total += n
	}
	count := make([]int32, total+1)
	cellOf := make([]int32, len(vec))
	for i, v := range vec {
		c := ix.cellOf(v)
		cellOf[i] = c
		count[c+1]++
	}
	for i := 1; i <= int(total); i++ {
		count[i] += count[i-1]
	}
	ix.start = slices.Clone(count)
	ix.members = make([]int32, len(vec))
	fill := slices.Clone(count[:total])
	for i, c := range cellOf {
		ix.members[fill[c]] = int32(i)
		fill[c]++
	}
	ix.mvec = make([][3]float64, len(vec))
	for k, m := range ix.members {
		ix.mvec[k] = vec[m]
	}
	return ix
}

func (ix *Index) bandOf(dec float64) int {
	b := int((dec + math.Pi/2) / ix.band)
	return min(max(b, 0), ix.nBands-1)
}

func (ix *Index) raCell(b int, ra float64) int32 {
	n := ix.nRA[b]
	c := int32(ra / (2 * math.Pi) * float64(n))
	if c < 0 {
		c += n
	}
	if c >= n {
		c = n - 1
	}
	return c
}

func (ix *Index) cellOf(v [3]float64) int32 {
	dec := math.Asin(math.Max(-1, math.Min(1, v[2])))
	ra := math.Atan2(v[1], v[0])
	if ra < 0 {
		ra += 2 * math.Pi
	}
	b := ix.bandOf(dec)
	return ix.cells[b] + ix.raCell(b, ra)
}

// Cone appends to dst the indices of the vectors within radius (radians) of
// the unit vector c and returns it, unsorted.
func (ix *Index) Cone(dst []int32, c [3]float64, radius float64) []int32 {
	ix.scan(c, radius, math.MaxInt32, func(k int) { dst = append(dst, ix.members[k]) })
	return dst
}

// ConeHits is Cone restricted to entries with index below limit, returning
// the vectors too, unsorted. It is cheap for small limits because each cell
// lists its entries in order.
func (ix *Index) ConeHits(dst []Hit, c [3]float64, radius float64, limit int32) []Hit {
	ix.scan(c, radius, limit, func(k int) { dst = append(dst, Hit{ix.members[k], ix.mvec[k]}) })
	return dst
}

// scan calls fn with the member position of every entry below limit in the cone.
func (ix *Index) scan(c [3]float64, radius float64, limit int32, fn func(k int)) {
	cosR := math.Cos(radius)
	dec := math.Asin(math.Max(-1, math.Min(1, c[2])))
	ra := math.Atan2(c[1], c[0])
	if ra < 0 {
		ra += 2 * math.Pi
	}
	b0 := ix.bandOf(dec - radius)
	b1 := ix.bandOf(dec + radius)
	all := true
	w := 0.0
	if math.Abs(dec)+radius < math.Pi/2-1e-9 {
		// The widest RA extent of a cap centred at dec.
		w = math.Asin(math.Min(1, math.Sin(radius)/math.Cos(dec))) + 1e-9
		all = w >= math.Pi
	}
	for b := b0; b <= b1; b++ {
		n := ix.nRA[b]
		base := ix.cells[b]
		c0, c1 := int32(0), n-1
		if !all {
			c0 = ix.raCell(b, math.Mod(ra-w+2*math.Pi, 2*math.Pi))
			c1 = ix.raCell(b, math.Mod(ra+w, 2*math.Pi))
		}
		for cell := c0; ; cell = (cell + 1) % n {
			for k := ix.start[base+cell]; k < ix.start[base+cell+1]; k++ {
				if ix.members[k] >= limit {
					break
				}
				v := &ix.mvec[k]
				if v[0]*c[0]+v[1]*c[1]+v[2]*c[2] >= cosR {
					fn(int(k))
				}
			}
			if cell == c1 {
				break
			}
		}
	}
}
