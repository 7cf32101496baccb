package detect

import (
	"math"
	"math/bits"
)

// The trail test: a faint satellite or aircraft trail breaks up in the
// noise into fragments that pass for faint stars. lineThrough samples the
// candidate's surroundings along 24 directions, both sides of it, at radii
// 5 to 15 px, and rejects the candidate when both sides of a direction (or
// one side at nearly every radius: a trail's end) are brighter than the
// perpendicular direction. Bright trails are caught by the blob's
// elongation test instead (blob.go).

const (
	lineDirsN = 24                        // directions over a half turn (7.5° apart)
	lineRmin  = 5                         // first sample radius, px: outside a faint star's light
	lineRmax  = 15                        // last sample radius, px
	lineNR    = (lineRmax-lineRmin)/2 + 1 // radii 5, 7, … 15
)

// The sample loop of lineThrough is written out for six radii.
var _ = [1]struct{}{}[lineNR-6]

// lineOff holds, per direction, side and radius, the two pixel offsets of a
// sample straddling ±0.5 px across the ray: at radius 15 a line through the
// centre passes within 1 px of one of the 24 directions.
var lineOff = func() (o [lineDirsN][2][lineNR][2][2]int) {
	for k := range o {
		a := float64(k) * math.Pi / lineDirsN
		u := [2]float64{math.Cos(a), math.Sin(a)}
		for side := 0; side < 2; side++ {
			sg := float64(1 - 2*side)
			for i := 0; i < lineNR; i++ {
				r := float64(lineRmin + 2*i)
				for st := 0; st < 2; st++ {
					sv := float64(2*st-1) * 0.5
					// Offsets from the pixel centre, rounded to the pixel hit.
					x := sg*u[0]*r - u[1]*sv
					y := sg*u[1]*r + u[0]*sv
					o[k][side][i][st] = [2]int{int(math.Floor(x + 0.5)), int(math.Floor(y + 0.5))}
				}
			}
		}
	}
	return
}()

// lineThrough reports whether the candidate at (px, py), pk over the
// background, lies on a trail (see above).
func lineThrough[T uint8 | uint16](d *Detector, pix []T, stride int, px, py int, pk float64) bool {
	sigS := d.noisePixel / math.Sqrt2 // noise of one straddled sample
	if px > lineRmax+1 && py > lineRmax+1 && px < d.width-lineRmax-2 && py < d.height-lineRmax-2 {
		return lineInner(d, pix, stride, px, py, pk, sigS)
	}
	// Near the frame edge a ray keeps its samples up to the first one
	// that leaves the frame (trailedge.go).
	return lineEdge(d, pix, stride, px, py, pk, sigS)
}

// lineInner is lineThrough for a candidate whose rays lie wholly in the
// frame: every side has all lineNR samples, so the tests compare integer
// sums. With S the sum of a side's 2·lineNR pixels and R that of both
// sides of the perpendicular direction (the reference), a side's mean
// exceeds the reference by more than lim when 2S − R > 4·lineNR·lim.
func lineInner[T uint8 | uint16](d *Detector, pix []T, stride int, px, py int, pk, sigS float64) bool {
	const nd = lineDirsN
	lin := d.trailTable(stride)
	lim := max(3.5*sigS*math.Sqrt(1.5/lineNR), 0.05*pk)
	// 2S − R is an integer: it exceeds x ≥ 0 exactly when it exceeds ⌊x⌋.
	l := int32(min(4*lineNR*lim, 1<<30))
	var sums [2 * nd]int32 // side sums, index 2k+side
	c := py*stride + px
	bright, ok := lineInnerSIMD(pix, c, lin, l, &sums)
	if !ok {
		r := (lineRmax + 1) * (stride + 1)
		p := pix[c-r : c+r+1]
		for ks := range sums {
			o := (*[lineNR * 2]int)(lin.pairs[ks*lineNR*2:])
			// Offsets may be negative: p is indexed from its middle, r.
			// Written out for the six radii (lineNR; checked above).
			sums[ks] = int32(p[r+o[0]]) + int32(p[r+o[1]]) + int32(p[r+o[2]]) + int32(p[r+o[3]]) +
				int32(p[r+o[4]]) + int32(p[r+o[5]]) + int32(p[r+o[6]]) + int32(p[r+o[7]]) +
				int32(p[r+o[8]]) + int32(p[r+o[9]]) + int32(p[r+o[10]]) + int32(p[r+o[11]])
		}
		bright = lineBright(&sums, l)
	}
	// bright has bit 2k+side for each side whose mean exceeds the reference.
	for bright != 0 {
		k := bits.TrailingZeros64(bright) >> 1
		pair := bright >> (2 * k) & 3
		bright &^= 3 << (2 * k)
		if pair == 3 {
			trace(px, py, "line-2")
			return true
		}
		// A trail's end: one side bright at nearly every radius. Samples
		// are pixel pairs, twice the value; the reference mean is R/(4·lineNR).
		q := (k + nd/2) % nd
		ref := sums[2*q] + sums[2*q+1]
		side := int(pair >> 1)
		t := 2 * (float64(ref)/(4*lineNR) + max(1.5*sigS, 0.05*pk))
		o := (*[lineNR * 2]int)(lin.pairs[(2*k+side)*lineNR*2:])
		n := 0
		for i := 0; i < lineNR; i++ {
			v := int(pix[c+o[2*i]]) + int(pix[c+o[2*i+1]])
			n += b2i(float64(v) > t)
		}
		if n*4 >= lineNR*3 {
			trace(px, py, "line-1")
			return true
		}
	}
	return false
}

// lineBright returns lineInner's bright sides: bit 2k+side set when
// 2·sums[2k+side] − R > l, R the sum of both sides of the perpendicular
// direction.
func lineBright(sums *[lineDirsN * 2]int32, l int32) (bright uint64) {
	const nd = lineDirsN
	for k := range nd {
		q := (k + nd/2) % nd
		ref := sums[2*q] + sums[2*q+1]
		bright |= uint64(b2i(2*sums[2*k]-ref > l)|b2i(2*sums[2*k+1]-ref > l)<<1) << (2 * k)
	}
	return bright
}

// lineTable holds lineOff as offsets in a buffer of one stride
// (dy·stride+dx): pairs in the order of lineOff (direction, side, radius,
// straddle) and, for the vector kernel, int32 offsets by radius and
// straddle, then side index 2k+side.
type lineTable struct {
	stride int // 0: not yet computed
	pairs  [lineDirsN * 2 * lineNR * 2]int
	byRad  [lineNR * 2][lineDirsN * 2]int32
}

// trailTable returns the offset table for the given stride, cached.
func (d *Detector) trailTable(stride int) *lineTable {
	t := &d.trailOffsets
	if t.stride != stride {
		j := 0
		for k := range lineOff {
			for side := range lineOff[k] {
				for i := range lineOff[k][side] {
					for st := 0; st < 2; st++ {
						o := lineOff[k][side][i][st]
						t.pairs[j] = o[1]*stride + o[0]
						t.byRad[2*i+st][2*k+side] = int32(t.pairs[j])
						j++
					}
				}
			}
		}
		t.stride = stride
	}
	return t
}
