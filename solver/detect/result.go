package detect

import (
	"cmp"
	"math"
	"slices"
)

// Result assembly: the stars sorted brightest first, duplicates (a star
// found from two candidate boxes) dropped, and MaxStars applied.

// finish sorts, removes duplicates and applies MaxStars.
func (d *Detector) finish() []Star {
	st := d.stars
	if len(st) <= 1<<16 {
		// Sort keys: brightness (positive, so its bits order as integers)
		// complemented for descending order, its last 16 bits replaced by
		// the index. Stars within 2^-36 of each other in brightness keep
		// their scan order.
		keys := d.sortKeys[:0]
		for i, s := range st {
			keys = append(keys, ^math.Float64bits(s.Brightness)&^0xFFFF|uint64(i))
		}
		slices.Sort(keys)
		d.sortedStars = append(d.sortedStars[:0], st...)
		for i, k := range keys {
			st[i] = d.sortedStars[k&0xFFFF]
		}
		d.sortKeys = keys
	} else {
		slices.SortStableFunc(st, func(a, b Star) int { return cmp.Compare(b.Brightness, a.Brightness) })
	}
	if len(st) < dedupMaxStars {
		st = d.dedup(st)
	}
	if d.opts.MaxStars > 0 && len(st) > d.opts.MaxStars {
		st = st[:d.opts.MaxStars]
	}
	d.stars = st
	return st
}

// dedupMaxStars: a frame with this many detections is noise, glare or lit
// foliage, not a star field (a 10° PiFinder field to magnitude 8 holds a few
// hundred stars), and duplicates among its candidates do not matter to the
// solver, which reads only the brightest. The bound dates from a quadratic
// dedup and is kept so that the output stays what it was.
const dedupMaxStars = 4000

// dedup drops, in order, every star closer than 1.5 px to an earlier kept
// one. Kept stars are filed in a grid of 2×2-pixel cells, so only the 3×3
// cells around a star are searched: any star within 1.5 px lies there.
func (d *Detector) dedup(st []Star) []Star {
	gw, gh := d.width/2+3, d.height/2+3
	if len(d.dedupHead) != gw*gh {
		d.dedupHead = grow(d.dedupHead, gw*gh)
		for i := range d.dedupHead {
			d.dedupHead[i] = -1
		}
	}
	// Centroids lie in the frame, so int(x/2) is floor(x/2); the clamp
	// (to the grid's padding ring) only guards against the impossible.
	cell := func(x, y float64) (int, int) {
		cx, cy := int(x*0.5)+1, int(y*0.5)+1
		if !(x >= 0) {
			cx = 1
		}
		if !(y >= 0) {
			cy = 1
		}
		return min(max(cx, 1), gw-2), min(max(cy, 1), gh-2)
	}
	// One bit per cell with a kept star: most stars have none in the
	// 3×3 cells around them, which three reads of the bits tell.
	d.dedupOcc = grow(d.dedupOcc, (gw*gh+63)/64+1)
	occ := d.dedupOcc
	near := func(gx, gy int) bool {
		var m uint64
		for yy := gy - 1; yy <= gy+1; yy++ {
			j := yy*gw + gx - 1
			sh := uint(j & 63)
			m |= (occ[j>>6]>>sh | occ[j>>6+1]<<(64-sh)) & 7 // << 64 is 0
		}
		return m != 0
	}
	d.dedupNext = d.dedupNext[:0]
	out := st[:0]
	for _, s := range st {
		gx, gy := cell(s.X, s.Y)
		if near(gx, gy) && d.keptWithin(out, s, gx, gy, gw) {
			continue
		}
		c := gy*gw + gx
		d.dedupNext = append(d.dedupNext, d.dedupHead[c])
		d.dedupHead[c] = int32(len(out))
		occ[c>>6] |= 1 << (c & 63)
		out = append(out, s)
	}
	for _, s := range out {
		gx, gy := cell(s.X, s.Y)
		c := gy*gw + gx
		d.dedupHead[c] = -1
		occ[c>>6] &^= 1 << (c & 63)
	}
	return out
}

// keptWithin reports whether a star of out filed in the 3×3 cells around
// (gx, gy) lies within 1.5 px of s.
func (d *Detector) keptWithin(out []Star, s Star, gx, gy, gw int) bool {
	for yy := gy - 1; yy <= gy+1; yy++ {
		for xx := gx - 1; xx <= gx+1; xx++ {
			for k := d.dedupHead[yy*gw+xx]; k >= 0; k = d.dedupNext[k] {
				if dx, dy := s.X-out[k].X, s.Y-out[k].Y; dx*dx+dy*dy < 2.25 {
					return true
				}
			}
		}
	}
	return false
}
