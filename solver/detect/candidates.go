package detect

import (
	"math"
	"math/bits"
	"slices"
)

// Stage 4, the candidates: boxes above a low threshold over their block's
// background (candSigma) that are local maxima, and then pass stage2, a
// phase-tolerant significance test (stage2Sigma) on the box and its
// brightest neighbours, so that a star split across bins is not lost.
// Threshold and local maximum are tested four boxes at a time on the
// packed words (sixteen at a time in the vector kernel). sortCands then
// orders them brightest first for the refinement.

// cand is a candidate box (cx, cy) with box sum v as a sort key:
// (0x7FFF−v)<<45 | cy<<30 | cx<<15. Sums, cx and cy are below 2^15.
type cand uint64

func newCand(cx, cy, v int) cand {
	return cand(uint64(0x7FFF-v)<<45 | uint64(cy)<<30 | uint64(cx)<<15)
}

// geMask returns laneH bits for the lanes where a ≥ b. Lanes hold at most
// 0x7FFF, so setting the top bit of a keeps every lane's difference
// non-negative and no borrow crosses lanes.
func geMask(a, b uint64) uint64 { return ((a | laneH) - b) & laneH }

// gtMask returns laneH bits for the lanes where a > b.
func gtMask(a, b uint64) uint64 { return ((a | laneH) - b - lane1) & laneH }

// stage2Limits returns the limits tA, tB, tC of the stage-2 numerators (the
// box, the box with its brightest edge neighbour, the brightest 2×2 of boxes
// holding it): a numerator below stage2Sigma·divisor·(1−1e-9) cannot round
// up to stage2Sigma, so most boxes are rejected without dividing.
func (d *Detector) stage2Limits() (tA, tB, tC float64) {
	const margin = 1 - 1e-9
	q := d.stage2Sigma * d.noiseBox * margin
	return q, math.Sqrt2 * q, 2 * q
}

// setPreTestOffsets sets the offsets that give the vector kernel integer
// limits for the stage-2 pre-test from a block's threshold t = ⌊bg + lt⌋
// (before clamping): bg < t − lt + 1, so tA + bg > t + (tA − lt) and
// ⌊tA − lt⌋ + t is a limit no higher than the exact one (likewise 2t and
// 4t for tB + 2·bg and tC + 4·bg). Lower limits only let more boxes on to
// the exact test. Without Binning 2 only the first test applies.
func (d *Detector) setPreTestOffsets(lt float64) {
	tA, tB, tC := d.stage2Limits()
	off := [3]float64{tA - lt, tB - 2*lt, tC - 4*lt}
	if d.boxStride != 2 {
		off[1], off[2] = 0x10000, 0x10000
	}
	for i, o := range off {
		o = math.Floor(o)
		add, sub := uint16(0), uint16(0)
		if o >= 0 {
			add = uint16(min(o, 0xFFFF))
		} else {
			sub = uint16(min(-o, 0xFFFF))
		}
		for l := range 16 {
			d.preTestOffsets[2*i][l], d.preTestOffsets[2*i+1][l] = add, sub
		}
	}
	for l := range 16 {
		d.preTestOffsets[6][l] = 0x7FFF
	}
}

// findCands collects, in scan order, the boxes above the low threshold that
// are local maxima (ties go to the first in scan order) and pass the
// phase-tolerant significance test (stage2). Per row, the vector kernel,
// where there is one, marks the boxes that may pass sixteen at a time, and
// candWords tests the rest four at a time on the packed words.
func (d *Detector) findCands() {
	ww, cw, sbw := d.wordsPerRow, d.boxesW, d.blocksW
	words := d.boxWords
	st := d.newStage2()
	masks := d.candMasks[:(ww+3)/4]
	// Only boxes 1 ≤ cx ≤ cw−2 have all their neighbours.
	lastG := (cw - 2) >> 4
	keepLast := uint32(1)<<(2*((cw-2)&15)+1) - 1
	for cy := 1; cy < d.boxesH-1; cy++ {
		ng, nz := d.candMaskSIMD(cy, masks)
		if nz != 0 {
			// Box 0 and boxes past cw−2 lack neighbours.
			masks[0] &^= 1
			if lastG < ng {
				masks[lastG] &= keepLast
				nz &= 1<<(lastG+1) - 1
			}
			up := words[(cy-1)*ww : cy*ww]
			row := words[cy*ww : (cy+1)*ww]
			dn := words[(cy+1)*ww : (cy+2)*ww]
			bgRow := d.blockBackground[(cy>>2)*sbw : (cy>>2)*sbw+ww]
			for ; nz != 0; nz &= nz - 1 {
				g := bits.TrailingZeros64(nz)
				for m := masks[g]; m != 0; m &= m - 1 {
					cx := 16*g + bits.TrailingZeros32(m)>>1
					// The box's word and its neighbours' (0 < cx < cw−1,
					// so i±1 exist when the lanes need them).
					i, sh := cx>>2, 16*uint(cx&3)
					wv, wu, wd := row[i], up[i], dn[i]
					v := int(wv >> sh & 0xFFFF)
					ui, di := int(wu>>sh&0xFFFF), int(wd>>sh&0xFFFF)
					li, ri := boxAt(row, cx-1), boxAt(row, cx+1)
					// The diagonal next to the brighter horizontal and
					// vertical neighbours (right/down on ties).
					dx, drow := 1, dn
					if li > ri {
						dx = -1
					}
					if ui > di {
						drow = up
					}
					// stage2.pass, written out.
					bg := float64(bgRow[i])
					fv := float64(v) - bg
					fh, fvv := float64(max(li, ri))-bg, float64(max(ui, di))-bg
					a, b, c := fv, fv+max(fh, fvv), fv+fh+fvv+float64(boxAt(drow, cx+dx))-bg
					if (a >= st.limit1 && a/st.noise1 >= st.threshold) || st.binned &&
						((b >= st.limit2 && b/st.noise2 >= st.threshold) ||
							(c >= st.limit4 && c/st.noise4 >= st.threshold)) {
						d.candidates = append(d.candidates, newCand(cx, cy, v))
					}
				}
			}
		}
		if 4*ng < ww {
			d.candWords(cy, 4*ng, st)
		}
	}
}

// stage2 is the significance test of a candidate box with value v (the
// box alone, with its brightest edge neighbour, and the brightest 2×2 of
// boxes containing it, so that a star split across bins is not lost),
// given its neighbours: left, right, up, down and the diagonal next to
// the brighter of left/right and of up/down.
type stage2 struct {
	noise1, noise2, noise4 float64 // the noise of one, two and four box sums
	threshold              float64 // stage2Sigma
	limit1, limit2, limit4 float64 // the numerators' limits tA, tB, tC (stage2Limits)
	binned                 bool    // Binning 2: the sums over two and four boxes apply
}

// newStage2 returns the test for this frame's noise.
func (d *Detector) newStage2() stage2 {
	tA, tB, tC := d.stage2Limits()
	return stage2{noise1: d.noiseBox, noise2: math.Sqrt2 * d.noiseBox, noise4: 2 * d.noiseBox, threshold: d.stage2Sigma,
		limit1: tA, limit2: tB, limit4: tC, binned: d.boxStride == 2}
}

// pass is the exact test: max(a/σ, b/σ√2, c/2σ) ≥ stage2Sigma for the box
// alone (a), with its brightest edge neighbour (b) and in its brightest 2×2
// of boxes (c), σ the noise of a box sum. Each quotient is taken only when
// its numerator reaches its limit, which lies just below stage2Sigma times
// the divisor, so that a passing quotient implies it: the same decision
// with few divisions.
// (findCands writes it out: a call there would cost its loop the
// registers.)
func (st *stage2) pass(v, l, r, u, dn, g int, bg float64) bool {
	fv := float64(v) - bg
	if !st.binned {
		return fv >= st.limit1 && fv/st.noise1 >= st.threshold
	}
	h, vv := float64(max(l, r))-bg, float64(max(u, dn))-bg
	a, b, c := fv, fv+max(h, vv), fv+h+vv+float64(g)-bg
	return (a >= st.limit1 && a/st.noise1 >= st.threshold) ||
		(b >= st.limit2 && b/st.noise2 >= st.threshold) ||
		(c >= st.limit4 && c/st.noise4 >= st.threshold)
}

// candWords appends the candidates of row cy (1 ≤ cy ≤ ch−2) from word i0
// on: the boxes above their threshold that are local maxima, tested four
// at a time on the packed words, then stage2, box by box.
func (d *Detector) candWords(cy, i0 int, st stage2) {
	ww, cw := d.wordsPerRow, d.boxesW
	if i0 >= ww {
		return
	}
	up := d.boxWords[(cy-1)*ww : cy*ww]
	row := d.boxWords[cy*ww : (cy+1)*ww]
	dn := d.boxWords[(cy+1)*ww : (cy+2)*ww]
	thr := d.blockThreshold[(cy>>2)*d.blocksW : (cy>>2)*d.blocksW+ww]
	bgRow := d.blockBackground[(cy>>2)*d.blocksW : (cy>>2)*d.blocksW+ww]
	up, dn, thr, bgRow = up[:len(row)], dn[:len(row)], thr[:len(row)], bgRow[:len(row)]
	hits := d.rowScratch[:ww]
	// Words with a box above the threshold, listed without branches
	// (which would be mispredicted on noise).
	nh := listHits(row[i0:], thr[i0:], hits)
	for _, hi := range hits[:nh] {
		i := i0 + int(hi)
		wv := row[i]
		m := (wv + thr[i]) & laneH
		if i == 0 || 4*i+4 > cw-1 {
			// Only boxes 1 ≤ cx < cw−1 have all their neighbours.
			for l := 0; l < 4; l++ {
				if cx := 4*i + l; cx < 1 || cx >= cw-1 {
					m &^= 0x8000 << (16 * l)
				}
			}
			if m == 0 {
				continue
			}
		}
		var pu, pr, pd, nu, nr, nd uint64
		if i > 0 {
			pu, pr, pd = up[i-1], row[i-1], dn[i-1]
		}
		if i+1 < len(row) {
			nu, nr, nd = up[i+1], row[i+1], dn[i+1]
		}
		// Neighbour words: lane l holds the box left of (right of) lane l.
		lw, rw := wv<<16|pr>>48, wv>>16|nr<<48
		// The row neighbours first: they remove most noise peaks.
		if m &= gtMask(wv, lw) & geMask(wv, rw); m == 0 {
			continue
		}
		u, dw := up[i], dn[i]
		ul, ur := u<<16|pu>>48, u>>16|nu<<48
		dl, dr := dw<<16|pd>>48, dw>>16|nd<<48
		m &= gtMask(wv, ul) & gtMask(wv, u) & gtMask(wv, ur) &
			geMask(wv, dl) & geMask(wv, dw) & geMask(wv, dr)
		if m == 0 {
			continue
		}
		bg := float64(bgRow[i])
		diag := [4]uint64{dr, dl, ur, ul}
		for m != 0 {
			sh := uint(bits.TrailingZeros64(m) &^ 15)
			m &= m - 1
			v := int(wv >> sh & 0xFFFF)
			li, ri := int(lw>>sh&0xFFFF), int(rw>>sh&0xFFFF)
			ui, di := int(u>>sh&0xFFFF), int(dw>>sh&0xFFFF)
			gi := int(diag[(b2i(li > ri)|b2i(ui > di)<<1)&3] >> sh & 0xFFFF)
			if st.pass(v, li, ri, ui, di, gi, bg) {
				d.candidates = append(d.candidates, newCand(4*i+int(sh/16), cy, v))
			}
		}
	}
}

// listHits writes to hits the indices of the words of row with a box above
// its threshold and returns their number. It is kept out of findCands so
// that its loop gets registers of its own.
//
//go:noinline
func listHits(row, thr []uint64, hits []int32) int {
	thr = thr[:len(row)]
	hits = hits[:len(row)]
	nh := 0
	for i, wv := range row {
		c := (wv + thr[i]) & laneH
		hits[nh] = int32(i)
		nh += int((c | -c) >> 63)
	}
	return nh
}

// sortCands sorts the candidates by key. findCands lists them in scan
// order, so a stable counting sort on the box sums alone gives the order
// of the whole keys, without the mispredicted compares of a comparison
// sort.
func (d *Detector) sortCands() {
	c := d.candidates
	if len(c) < 32 {
		slices.Sort(c)
		return
	}
	lo, hi := c[0]>>45, c[0]>>45
	for _, k := range c {
		lo, hi = min(lo, k>>45), max(hi, k>>45)
	}
	cnt := grow(d.candSortCounts, int(hi-lo)+2)
	clear(cnt)
	for _, k := range c {
		cnt[k>>45-lo+1]++
	}
	for i := 1; i < len(cnt); i++ {
		cnt[i] += cnt[i-1]
	}
	out := grow(d.candSortBuf, len(c))
	for _, k := range c {
		i := k>>45 - lo
		out[cnt[i]] = k
		cnt[i]++
	}
	d.candidates, d.candSortBuf, d.candSortCounts = out, c, cnt
}
