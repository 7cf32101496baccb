package detect

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unsafe"
)

// lineThrough's edge path, for a candidate within reach of the frame edge:
// each side keeps its samples up to the first one that leaves the frame.
// Where a side stops comes from tables, the sums read the frame without
// bounds checks and the tests compare integers, falling back to
// lineThrough's float formulas only where their rounding could decide:
// about 3,200 arm64 instructions per call where testing sample by sample,
// in floats, took 10,500 (BenchmarkLineEdge).

// lineSides is the number of sides (rays), index 2k+side.
const lineSides = 2 * lineDirsN

// lineKeep holds a number of samples per side, handled eight sides to a
// word (minBytes).
type lineKeep [lineSides]uint8

// Frame edges, as indices of lineKeepAt.
const (
	edgeLeft = iota
	edgeRight
	edgeTop
	edgeBottom
)

// lineKeepAt[e][m] holds the samples each side keeps when the candidate
// lies m px from frame edge e (m pixels between it and the edge). Against
// one edge, a side's first i samples lie in the frame when the farthest
// of their pixels towards it does, which gets farther with i; against all
// four, when they do against each. A sample's offset, r·u ± u⊥/2, is
// shorter than lineRmax+0.5 px, so its pixels lie within lineRmax px of
// the candidate along each axis: beyond that from an edge, nothing is cut.
var lineKeepAt = func() (t [4][lineRmax + 1]lineKeep) {
	for e := range t {
		for m := range t[e] {
			for ks := range lineSides {
				for _, s := range lineOff[ks>>1][ks&1] {
					if lineReach(s[0], e) > m || lineReach(s[1], e) > m {
						break
					}
					t[e][m][ks]++
				}
			}
		}
	}
	return
}()

// lineKeepAll keeps every sample of every side.
var lineKeepAll = func() (k lineKeep) {
	for ks := range k {
		k[ks] = lineNR
	}
	return
}()

// lineReach is how far pixel offset o reaches towards frame edge e.
func lineReach(o [2]int, e int) int {
	switch e {
	case edgeLeft:
		return -o[0]
	case edgeRight:
		return o[0]
	case edgeTop:
		return -o[1]
	}
	return o[1]
}

// minBytes returns the bytewise minimum of a and b, whose bytes are all
// below 0x80: a byte of (a|0x80…) − b keeps its top bit exactly where
// a ≥ b, and no byte borrows from the next.
func minBytes(a, b uint64) uint64 {
	const hi = 0x8080808080808080
	ge := ((a | hi) - b) & hi
	return a ^ (a^b)&(ge-ge>>7)
}

// lineKept returns, not to be modified, the samples each side of the
// candidate at (px, py) of a w×h frame keeps: lineKeepAll, the row of
// lineKeepAt of the one near edge, or the rows' minimum, made in buf, at a
// corner. It panics when the candidate lies outside the frame.
func lineKept(px, py, w, h int, buf *lineKeep) *lineKeep {
	kept := &lineKeepAll
	for e, m := range [4]int{edgeLeft: px, edgeRight: w - 1 - px, edgeTop: py, edgeBottom: h - 1 - py} {
		if m > lineRmax {
			continue
		}
		row := &lineKeepAt[e][m]
		if kept == &lineKeepAll {
			kept = row
			continue
		}
		for j := 0; j < lineSides; j += 8 {
			binary.LittleEndian.PutUint64(buf[j:], minBytes(binary.LittleEndian.Uint64(kept[j:]), binary.LittleEndian.Uint64(row[j:])))
		}
		kept = buf
	}
	return kept
}

// lineEdgeSums fills lineThrough's side sums and sample counts for the
// candidate at (px, py) of a w×h frame.
//
// Every sample kept lies in the frame, and the frame lies in pix (checked
// here, once), so the sums read pixels without bounds checks, as
// lineInner's arm64 kernel does after its one test for all of them:
// checked reads (or reads masked into a window) cost twice the
// instructions, some 950 more per call.
func lineEdgeSums[T uint8 | uint16](pix []T, stride int, lin *lineTable, px, py, w, h int, sums, cnt *[lineSides]int32) {
	var buf lineKeep
	kept := lineKept(px, py, w, h, &buf)
	if stride < w || len(pix) < (h-1)*stride+w {
		panic("detect: frame larger than its buffer")
	}
	c := unsafe.Pointer(&pix[py*stride+px])
	at := func(o int) int32 { return int32(*(*T)(unsafe.Add(c, o*int(unsafe.Sizeof(pix[0]))))) }
	pairs := &lin.pairs
	_, _, _ = *kept, *sums, *cnt // one nil check each, not one per side
	for ks := range sums {
		o := (*[2 * lineNR]int)(pairs[ks*2*lineNR:])
		n := kept[ks]
		var s int32
		// Written out for the six radii (lineNR; checked in trail.go).
		if n == lineNR {
			// Most sides: at an edge, all but those towards it.
			s = at(o[0]) + at(o[1]) + at(o[2]) + at(o[3]) + at(o[4]) + at(o[5]) +
				at(o[6]) + at(o[7]) + at(o[8]) + at(o[9]) + at(o[10]) + at(o[11])
		} else {
			switch n {
			case 5:
				s = at(o[8]) + at(o[9])
				fallthrough
			case 4:
				s += at(o[6]) + at(o[7])
				fallthrough
			case 3:
				s += at(o[4]) + at(o[5])
				fallthrough
			case 2:
				s += at(o[2]) + at(o[3])
				fallthrough
			case 1:
				s += at(o[0]) + at(o[1])
			}
		}
		sums[ks], cnt[ks] = s, int32(n)
	}
}

// lineMeanScale[n] is 60/n: a side's sum of n samples (2n pixels) times
// it is 120 times the side's mean, an integer for every n up to lineNR.
// Eight entries, so that a count masked with 7 needs no bounds check.
var lineMeanScale = [8]int32{1: 60, 2: 30, 3: 20, 4: 15, 5: 12, 6: 10}

// lineNoiseN[n] is sqrt(1.5/n) (see lineEdgeTest.limit).
var lineNoiseN = func() (t [lineNR + 1]float64) {
	for n := 1; n <= lineNR; n++ {
		t[n] = math.Sqrt(1.5 / float64(n))
	}
	return
}()

// lineTieMargin is how near X may come to 240·lim before the rounding of
// lineThrough's float formulas could decide the test (see lineEdge).
const lineTieMargin = 1e-6

// lineNever is a value of leastX no X reaches (|X| < 2²⁵, see lineEdge).
const lineNever = 1 << 26

// lineMean is the mean pixel of a side of n samples summing to s, by
// lineThrough's formula.
func lineMean(s, n int32) float64 { return float64(s) / float64(2*n) }

// lineRef is the reference of direction q (sides 2q and 2q+1), by
// lineThrough's formula: the mean of its sides' means, or the mean of its
// one side with samples.
func lineRef(sums, cnt *[lineSides]int32, q int) float64 {
	na, nb := cnt[2*q], cnt[2*q+1]
	switch {
	case na > 0 && nb > 0:
		return (lineMean(sums[2*q], na) + lineMean(sums[2*q+1], nb)) / 2
	case na > 0:
		return lineMean(sums[2*q], na)
	}
	return lineMean(sums[2*q+1], nb)
}

// lineEdgeTest holds what lineEdge's tests of the sides need: the side
// sums and counts, the terms of the limit, and by count the least
// X = 240·(mean − ref) that may exceed the limit (eight entries, so that a
// count masked with 7 needs no bounds check).
type lineEdgeTest struct {
	sums, cnt           [lineSides]int32
	noiseTerm, peakTerm float64 // 3.5·σs and 0.05·pk
	leastX              [8]int32
}

// limit is how much brighter than the reference a side of n samples must
// be. A side's mean against the reference has a noise of about
// σs·sqrt(1.5/n); 3.5 of those on both sides at once is rare even over 24
// directions.
func (t *lineEdgeTest) limit(n int32) float64 {
	return max(t.noiseTerm*lineNoiseN[n], t.peakTerm)
}

// setLeastX sets leastX. Sides of fewer than two samples take no test.
func (t *lineEdgeTest) setLeastX() {
	t.leastX[0], t.leastX[1] = lineNever, lineNever
	for n := int32(2); n <= lineNR; n++ {
		// Below 240·lim − lineTieMargin the formula surely fails. A limit
		// that is not a number never passes; bounds beyond every X are
		// clamped.
		x := min(max(math.Ceil(240*t.limit(n)-lineTieMargin), -lineNever), lineNever)
		if x != x {
			x = lineNever
		}
		t.leastX[n] = int32(x)
	}
}

// scaledMean is 120 times the mean of side ks.
func (t *lineEdgeTest) scaledMean(ks int) int32 {
	return t.sums[ks] * lineMeanScale[t.cnt[ks]&7]
}

// scaledRef is 240 times the reference of direction q: the sum of its
// sides' scaled means, doubled when one side has no samples.
func (t *lineEdgeTest) scaledRef(q int) int32 {
	return (t.scaledMean(2*q) + t.scaledMean(2*q+1)) << b2i(t.cnt[2*q]*t.cnt[2*q+1] == 0)
}

// brighter reports whether side ks, whose X is at least leastX, exceeds
// the reference of direction q by more than the limit.
func (t *lineEdgeTest) brighter(ks, q int) bool {
	if t.cnt[2*q]|t.cnt[2*q+1] == 0 {
		return false // q has no samples: no reference
	}
	lim := t.limit(t.cnt[ks])
	x := 2*t.scaledMean(ks) - t.scaledRef(q)
	return float64(x) > 240*lim+lineTieMargin || lineMean(t.sums[ks], t.cnt[ks])-lineRef(&t.sums, &t.cnt, q) > lim
}

// lineEdge is lineThrough for a candidate within reach of the frame edge;
// sigS is the noise of one sample.
//
// lineThrough tests a side of n samples summing to S against direction
// q's reference ref by mean − ref > lim, in floats, with mean = S/2n and
// ref the mean of q's side means (or of its one side's). M = 60·S/n is
// 120 times the mean, an integer, and with R the sum of q's two M (twice
// the one M), X = 2·M − R is exactly 240·(mean − ref). The float formulas
// round values below 2¹⁶ a few times: their result lies within 1e-10 of
// mean − ref. So X above 240·lim + lineTieMargin passes and X below
// 240·lim − lineTieMargin fails, as the formula would (240·lim itself is
// rounded by far less wherever X can reach it, |X| < 2²⁵); only in between
// (in practice for a limit of 0, without noise or peak) is the formula
// evaluated.
func lineEdge[T uint8 | uint16](d *Detector, pix []T, stride int, px, py int, pk, sigS float64) bool {
	t := lineEdgeTest{noiseTerm: 3.5 * sigS, peakTerm: 0.05 * pk}
	w, h := d.width, d.height
	lin := d.trailTable(stride)
	if !lineEdgeSIMD(pix, stride, lin, px, py, w, h, &t.sums, &t.cnt) {
		lineEdgeSums(pix, stride, lin, px, py, w, h, &t.sums, &t.cnt)
	}
	t.setLeastX()
	// cand has bit 2k+side for each side that may be brighter than the
	// reference. Directions k and k+12 are each other's reference; their
	// sides are 2k, 2k+1 and 2k+24, 2k+25.
	var cand uint64
	leastX := &t.leastX
	for k := range lineDirsN / 2 {
		s, n := (*[lineDirsN + 2]int32)(t.sums[2*k:]), (*[lineDirsN + 2]int32)(t.cnt[2*k:])
		const perp = lineDirsN // s[perp], s[perp+1]: the sides of direction k+12
		mk0, mk1 := s[0]*lineMeanScale[n[0]&7], s[1]*lineMeanScale[n[1]&7]
		mp0, mp1 := s[perp]*lineMeanScale[n[perp]&7], s[perp+1]*lineMeanScale[n[perp+1]&7]
		rk, rp := mp0+mp1, mk0+mk1 // scaledRef(k+12), scaledRef(k)
		if n[perp] == 0 || n[perp+1] == 0 {
			rk *= 2
		}
		if n[0] == 0 || n[1] == 0 {
			rp *= 2
		}
		if 2*mk0-rk >= leastX[n[0]&7] {
			cand |= 1 << (2 * k)
		}
		if 2*mk1-rk >= leastX[n[1]&7] {
			cand |= 2 << (2 * k)
		}
		if 2*mp0-rp >= leastX[n[perp]&7] {
			cand |= 1 << (2*k + perp)
		}
		if 2*mp1-rp >= leastX[n[perp+1]&7] {
			cand |= 2 << (2*k + perp)
		}
	}
	// In lineThrough's order of directions: both sides bright, or one at
	// nearly every radius (a trail's end, or a trail leaving the frame).
	for cand != 0 {
		k := bits.TrailingZeros64(cand) >> 1
		pair := cand >> (2 * k) & 3
		cand &^= 3 << (2 * k)
		q := (k + lineDirsN/2) % lineDirsN
		b0 := pair&1 != 0 && t.brighter(2*k, q)
		b1 := pair&2 != 0 && t.brighter(2*k+1, q)
		if b0 && b1 {
			trace(px, py, "line-2")
			return true
		}
		for side, b := range [2]bool{b0, b1} {
			if b && lineTrailEnd(pix, py*stride+px, lin, &t, 2*k+side, q, max(1.5*sigS, t.peakTerm)) {
				trace(px, py, "line-1")
				return true
			}
		}
	}
	return false
}

// lineTrailEnd reports whether side ks, brighter than the reference of
// direction q, is so at nearly every radius: it has at least 4 samples, and
// 3 in 4 of them exceed the reference by more than lim. c is the
// candidate's pixel index.
func lineTrailEnd[T uint8 | uint16](pix []T, c int, lin *lineTable, t *lineEdgeTest, ks, q int, lim float64) bool {
	n := int(t.cnt[ks])
	if n < 4 {
		return false
	}
	th := lineRef(&t.sums, &t.cnt, q) + lim
	o := lin.pairs[ks*2*lineNR:]
	above := 0
	for i := range n {
		v := int32(pix[c+o[2*i]]) + int32(pix[c+o[2*i+1]])
		if float64(v)/2 > th {
			above++
		}
	}
	return above*4 >= n*3
}
