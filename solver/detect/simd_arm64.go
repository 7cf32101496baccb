//go:build arm64 && !purego

package detect

import "math"

// useSIMD selects the NEON kernels (every arm64 CPU has Advanced SIMD);
// tests turn it off to check them against the portable code.
var useSIMD = true

// simdKernels are the stages with a NEON kernel; the others run the
// portable code.
const simdKernels = kernelBin8 | kernelCandMask | kernelCentroidSums | kernelCentroidLoop | kernelLineInner | kernelTile4 | kernelRing | kernelBlockLimits | kernelPeak | kernelWindow | kernelBoxSum | kernelNoise | kernelHot

// kernelBuffers holds the buffers that only the vector kernels use.
type kernelBuffers struct {
	noiseDiffs []uint16 // noiseMedianSIMD's box-sum differences
}

//go:noescape
func bin8NEON(pix *uint8, stride int, words *uint64, ww int, sb *uint32, sbw, groups, blockRows int)

// bin8SIMD does bin8's words and block sums for the leading groups of
// four whole words of every whole block row; it returns the words per row
// and the box rows it did.
func (d *Detector) bin8SIMD(pix []uint8, stride int) (words, rows int) {
	groups, blockRows := d.boxesW/16, d.boxesH/4
	if !useSIMD || groups == 0 || blockRows == 0 {
		return 0, 0
	}
	// Last pixel read: row 8·blockRows − 1, byte 32·groups − 1.
	_ = pix[(8*blockRows-1)*stride+32*groups-1]
	_ = d.boxWords[(4*blockRows-1)*d.wordsPerRow+4*groups-1]
	_ = d.blockSums[(blockRows-1)*d.blocksW+4*groups-1]
	bin8NEON(&pix[0], stride, &d.boxWords[0], d.wordsPerRow, &d.blockSums[0], d.blocksW, groups, blockRows)
	return 4 * groups, 4 * blockRows
}

// The kernels below are not written for arm64 yet: each stands in as
// simd_other.go's does, and the portable code does the work.

// pairRowsSIMD does no words: pairRows does them all (bin8NEON does the
// whole block rows before it).
func pairRowsSIMD(r0, r1 []uint8, out, acc []uint64) int { return 0 }

//go:noescape
func candMaskNEON(up, row, dn, t *uint64, k *[7][16]uint16, out *uint32, n int) (nz uint64)

// candMaskSIMD marks, in masks, the boxes of the leading whole groups of
// four words of candidate row cy that may be candidates; it returns how
// many groups it did and a bit per group with a mark. The rows around it
// must be readable from 2 bytes before to 2 bytes after (d.boxWordsPadded
// pads the candidate image by a word on each side).
func (d *Detector) candMaskSIMD(cy int, masks []uint32) (n int, nz uint64) {
	ww := d.wordsPerRow
	n = min(ww/4, 64)
	if !useSIMD || n == 0 || cy < 1 || cy+1 >= d.boxesH {
		return 0, 0
	}
	base, blk := cy*ww, (cy>>2)*d.blocksW
	_ = masks[n-1]
	_ = d.boxWords[base+ww+4*n-1]
	_ = d.blockThreshold[blk+4*n-1]
	nz = candMaskNEON(&d.boxWords[base-ww], &d.boxWords[base], &d.boxWords[base+ww],
		&d.blockThreshold[blk], &d.preTestOffsets, &masks[0], n)
	return n, nz
}

//go:noescape
func lineSumsTBL(c *uint8, stride int, tab *lineGather, sums *[lineDirsN * 2]int32, l int32) (bright uint64)

// lineGather is lineSumsTBL's table: for each pair of rows −16+2i and
// −15+2i around the candidate, the number of passes (the most pixels any
// side has in them), and per pass and side (48 bytes) the index of one of
// the side's pixels there in the pair's 64 bytes (32 from column −16 per
// row), or 0xFF when the side has none left. The offsets are in rows and
// columns, so one table serves every stride.
type lineGather struct {
	passes [16]uint8
	idx    [lineGatherPasses * 2 * lineDirsN]uint8
}

// lineGatherPasses is the number of passes lineOff needs
// (TestLineGatherTable checks it).
const lineGatherPasses = 75

var lineGatherTable = func() (t lineGather) {
	var pixels [16][2 * lineDirsN][]uint8 // per row pair and side, the table indices
	for k := range lineOff {
		for side := range lineOff[k] {
			for i := range lineOff[k][side] {
				for _, o := range lineOff[k][side][i] {
					dx, dy := o[0], o[1]
					pair := (dy + 16) / 2
					idx := uint8(32*((dy+16)%2) + dx + 16)
					pixels[pair][2*k+side] = append(pixels[pair][2*k+side], idx)
				}
			}
		}
	}
	n := 0
	for pair := range pixels {
		passes := 0
		for _, p := range pixels[pair] {
			passes = max(passes, len(p))
		}
		t.passes[pair] = uint8(passes)
		for pass := range passes {
			for sd, p := range pixels[pair] {
				t.idx[(n+pass)*2*lineDirsN+sd] = 0xFF
				if pass < len(p) {
					t.idx[(n+pass)*2*lineDirsN+sd] = p[pass]
				}
			}
		}
		n += passes
	}
	return t
}()

// lineInnerSIMD fills sums with lineInner's side sums around pixel index c
// and returns the bright sides (8-bit frames only; ok reports whether it
// ran). NEON has no gather: lineSumsTBL picks the 576 pixels out of the
// rows around c with table lookups (lineGatherTable), without bounds
// checks, which the test below does once for them all; it then finds the
// bright sides (lineBright's comparisons, 48 at a time).
func lineInnerSIMD[T uint8 | uint16](pix []T, c int, lin *lineTable, l int32, sums *[lineDirsN * 2]int32) (bright uint64, ok bool) {
	// Every offset lies within r of c.
	r := (lineRmax + 1) * (lin.stride + 1)
	if !useSIMD || c < r || c+r >= len(pix) {
		return 0, false
	}
	// A pointer in an interface does not allocate, as a slice would.
	p, ok := any(&pix[c]).(*uint8)
	if !ok {
		return 0, false
	}
	return lineSumsTBL(p, lin.stride, &lineGatherTable, sums, l), true
}

// lineEdgeSIMD does nothing: lineThrough sums the samples itself.
func lineEdgeSIMD[T uint8 | uint16](pix []T, stride int, lin *lineTable, px, py, w, h int, sums, cnt *[lineDirsN * 2]int32) bool {
	return false
}

//go:noescape
func winLoadNEON(src *uint8, stride int, b float64, win *[56]float64) (ssPos, ssAll, m, mx, my float64)

// winLoadSIMD fills the 7×7 window at pixel index i0 (8-bit frames only;
// ok reports whether it did), and win.first with firstMoment's sums.
func winLoadSIMD[T uint8 | uint16](pix []T, i0, stride int, b float64, win *window) (ssPos, ssAll float64, ok bool) {
	// The kernel reads 8 bytes per row.
	if !useSIMD || i0 < 0 || i0+6*stride+8 > len(pix) {
		return 0, 0, false
	}
	p, ok := any(&pix[i0]).(*uint8)
	if !ok {
		return 0, 0, false
	}
	ssPos, ssAll, win.first[0], win.first[1], win.first[2] = winLoadNEON(p, stride, b, &win.cells)
	win.hasFirst = true
	return ssPos, ssAll, true
}

//go:noescape
func blockLimitsNEON(r0, r1 *float64, ay1, ay, lt float64, bg *float32, thr *uint64, n int)

// blockLimitsSIMD does blockLimits for the leading even number of blocks
// of a row and returns how many it did.
func blockLimitsSIMD(r0, r1 []float64, ay1, ay, lt float64, bg []float32, thr []uint64) int {
	n := len(bg) &^ 1
	// The kernel narrows t to 32 bits before clamping it; backgrounds are
	// box sums (below 2^15), so only an absurd lt leaves the kernel out.
	if !useSIMD || n == 0 || !(lt < 1<<30) {
		return 0
	}
	_, _, _ = r0[n-1], r1[n-1], thr[n-1]
	blockLimitsNEON(&r0[0], &r1[0], ay1, ay, lt, &bg[0], &thr[0], n)
	return n
}

//go:noescape
func tileStatsNEON(sb *uint32, sbw int) (sum, lo, hi uint64)

//go:noescape
func tileClipNEON(sb *uint32, sbw int, l uint32) (s, k uint64)

// tileStats4SIMD returns the sum, minimum and maximum of the nx×ny block
// sums from sb[i0] (rows sbw apart) when the tile is 4×4 blocks (Binning
// 2; ok reports whether it ran).
func tileStats4SIMD(sb []uint32, i0, sbw, nx, ny int) (sum, lo, hi int64, ok bool) {
	if !useSIMD || nx != 4 || ny != 4 || i0 < 0 || sbw < 4 || i0+3*sbw+4 > len(sb) {
		return 0, 0, 0, false
	}
	s, l, h := tileStatsNEON(&sb[i0], sbw)
	return int64(s), int64(l), int64(h), true
}

// tileClip4SIMD returns the sum and number of the block sums of such a
// tile that are at most l (0 ≤ l < 2^32; ok reports whether it ran).
func tileClip4SIMD(sb []uint32, i0, sbw, nx, ny int, l int64) (s, k int64, ok bool) {
	if !useSIMD || nx != 4 || ny != 4 || l < 0 || l > math.MaxUint32 || i0 < 0 || sbw < 4 || i0+3*sbw+4 > len(sb) {
		return 0, 0, false
	}
	su, ku := tileClipNEON(&sb[i0], sbw, uint32(l))
	return int64(su), int64(ku), true
}

// tileStatsSIMD does no tiles: estimateTileBackground does them all.
func (d *Detector) tileStatsSIMD(ty int) (k int, sum, lo, hi []uint32) { return 0, nil, nil, nil }

//go:noescape
func boxSumNEON(p *uint8, stride, rows int, mask *byte, wide bool) int

// byteMask's 32 bytes from 32−n on are n bytes 0xFF, then zeros.
var byteMask = [64]byte{
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
}

// boxSumSIMD sums the n×rows pixels from index i0 (8-bit frames, rows of
// at most 32 pixels whose 16- or 32-byte loads stay in pix).
func boxSumSIMD[T uint8 | uint16](pix []T, i0, stride, n, rows int) (int, bool) {
	load := 16
	if n > 16 {
		load = 32
	}
	if !useSIMD || n > 32 || i0 < 0 || i0+(rows-1)*stride+load > len(pix) {
		return 0, false
	}
	p, ok := any(&pix[i0]).(*uint8)
	if !ok {
		return 0, false
	}
	return boxSumNEON(p, stride, rows, &byteMask[32-n], load == 32), true
}

//go:noescape
func noiseDiffsNEON(row *uint64, chunks, step int, satBox int, out *uint16)

//go:noescape
func countLENEON(buf *uint16, chunks int, v int) int

// noiseMedianSIMD is noiseHist computed with vector kernels (as on
// amd64): the absolute
// differences go to a buffer, and the median bin is found by counting,
// with binary search, the differences at most k. It returns the same
// interpolated median as noiseHist, and false when it did not run.
func (d *Detector) noiseMedianSIMD(step int) (float64, bool) {
	per := d.boxesW - step // pairs per row
	rows := (d.boxesH - 1 + 23) / 24
	total := rows * per
	if !useSIMD || per < 16 || total > 1<<20 {
		return 0, false
	}
	n16 := (total + 15) &^ 15
	d.noiseDiffs = grow(d.noiseDiffs, n16)
	buf := d.noiseDiffs
	satBox := int(4 * d.saturation)
	ww := d.wordsPerRow
	o := 0
	for cy := 1; cy < d.boxesH; cy += 24 {
		row := d.boxWords[cy*ww : (cy+1)*ww]
		chunks := per / 8
		_ = buf[o+8*chunks-1]
		_ = row[(8*chunks+step-1)/4] // the last box read
		noiseDiffsNEON(&row[0], chunks, step, min(satBox, 0xFFFF), &buf[o])
		for k := 8 * chunks; k < per; k++ {
			x, y := boxAt(row, k), boxAt(row, k+step)
			v := uint16(0xFFFF)
			if !((x >= satBox && y >= satBox) || (x == 0 && y == 0)) {
				v = uint16(min(max(x-y, y-x), 4095))
			}
			buf[o+k] = v
		}
		o += per
	}
	for ; o < n16; o++ {
		buf[o] = 0xFFFF
	}
	count := func(v int) int { return countLENEON(&buf[0], n16/16, v) }
	n := count(4095)
	if n == 0 {
		return 0, true
	}
	half := float64(n) / 2
	// The first k with count(≤ k) ≥ half, as noiseHist's scan finds it;
	// the median difference is usually small, so try [0, 63] first.
	lo, hi := 0, 4095
	if float64(count(63)) >= half {
		hi = 63
	} else {
		lo = 64
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if float64(count(mid)) >= half {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	k := lo
	cum := 0
	if k > 0 {
		cum = count(k - 1)
	}
	return medianAt(k, float64(cum), float64(count(k)-cum), half), true
}

// tileMeansSIMD does no tiles: estimateTileBackground does them all.
func (d *Detector) tileMeansSIMD(ty, k int, sig float64, sum, lo, hi []uint32, means []float64) int {
	return 0
}

//go:noescape
func centroidSumsNEON(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64)

// centroidSumsSIMD is centroidSums (ok reports whether it ran).
func centroidSumsSIMD(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64, ok bool) {
	if !useSIMD {
		return 0, 0, 0, false
	}
	s, sx, sy = centroidSumsNEON(win, wx, wy)
	return s, sx, sy, true
}

//go:noescape
func centroidLoopNEON(win *[56]float64, tab *wEntry, n int, x0f, y0f, lox, loy, hix, hiy, cx, cy float64) (s, cxo, cyo float64, ix, iy int, ok bool)

// centroidLoopSIMD runs centroidLoop's iteration from (cx, cy) in the
// window at (x0, y0) around peak (px, py) (ran reports whether it did):
// the last weighted sum, the estimate, the last phases, and ok false when
// a weighted sum was not positive. The kernel (simd_arm64_centroid.s)
// addresses the table in entries of 136 bytes (centroidloop_arm64_test.go
// checks the size of wEntry).
func centroidLoopSIMD(win *[56]float64, tab []wEntry, x0, y0, px, py int, cx, cy float64) (s, cxo, cyo float64, ix, iy int, ok, ran bool) {
	if !useSIMD || len(tab) == 0 {
		return 0, 0, 0, 0, 0, false, false
	}
	pxf, pyf := float64(px), float64(py)
	s, cxo, cyo, ix, iy, ok = centroidLoopNEON(win, &tab[0], len(tab), float64(x0), float64(y0),
		pxf-0.5, pyf-0.5, pxf+1.5, pyf+1.5, cx, cy)
	return s, cxo, cyo, ix, iy, ok, true
}

//go:noescape
func ringSumsNEON(p *uint8, stride int, l uint8) (s, s2, k, hi int)

// ringSumsSIMD returns, over the ring whose 7×7 square starts at pixel
// index i0, the sum, sum of squares and number of the pixels at most l,
// and the largest pixel (8-bit frames; ok reports whether it ran).
func ringSumsSIMD[T uint8 | uint16](pix []T, i0, stride int, l int32) (s, s2, k, hi int, ok bool) {
	// The kernel reads 8 bytes per row; every byte is at most 255.
	if !useSIMD || l < 0 || i0 < 0 || i0+6*stride+8 > len(pix) {
		return 0, 0, 0, 0, false
	}
	p, is8 := any(&pix[i0]).(*uint8)
	if !is8 {
		return 0, 0, 0, 0, false
	}
	s, s2, k, hi = ringSumsNEON(p, stride, uint8(min(l, 255)))
	return s, s2, k, hi, true
}

//go:noescape
func peak4x4NEON(p *uint8, stride int, bits *uint64, j, width int) (k, v int)

// peak4x4SIMD finds the brightest unclaimed pixel of the 4×4 pixels from
// (x0, y0) (8-bit frames; ran reports whether it did): its index 4·row +
// column, first in scan order on ties, and value, −1 when all are
// claimed. The caller keeps the block inside the frame. The kernel reads
// the claim bits itself: gathered here they cost four times the search.
func peak4x4SIMD[T uint8 | uint16](d *Detector, pix []T, stride, x0, y0 int) (k, v int, ran bool) {
	if !useSIMD {
		return 0, 0, false
	}
	i := y0*stride + x0
	_ = pix[i+3*stride+3]
	p, is8 := any(&pix[i]).(*uint8)
	if !is8 {
		return 0, 0, false
	}
	j := y0*d.width + x0
	// The last row's bits, and the word after them (claimBits' padding).
	_ = d.claimBits[(j+3*d.width+3)>>6+1]
	k, v = peak4x4NEON(p, stride, &d.claimBits[0], j, d.width)
	return k, v, true
}

//go:noescape
func hotStatsNEON(p *uint8, stride int) uint64

// hotStatsSIMD returns hotStatsNEON's packed figures for the 5×5 pixels
// from index i0 (8-bit frames only; ok reports whether it ran).
func hotStatsSIMD[T uint8 | uint16](pix []T, i0, stride int) (packed uint64, ok bool) {
	// The kernel reads 8 bytes per row.
	if !useSIMD || i0+4*stride+8 > len(pix) {
		return 0, false
	}
	p, is8 := any(&pix[i0]).(*uint8)
	if !is8 {
		return 0, false
	}
	return hotStatsNEON(p, stride), true
}

//go:noescape
func aboveMaskNEON(p *uint8, lv uint8) uint64

// aboveMaskSIMD returns bit k set for each of the floodWidth pixels of p
// above lv (8-bit frames; ok reports whether it ran).
func aboveMaskSIMD[T uint8 | uint16](p []T, lv int) (m uint64, ok bool) {
	if !useSIMD || len(p) < floodWidth {
		return 0, false
	}
	p8, is8 := any(&p[0]).(*uint8)
	if !is8 {
		return 0, false
	}
	switch {
	case lv < 0:
		return ^uint64(0), true
	case lv >= 255:
		return 0, true
	}
	return aboveMaskNEON(p8, uint8(lv)), true
}

// floodMasks (a variable for the tests) selects fillBlobMask for the blob's flood fill (aboveMaskNEON makes the rows cheap);
// fillBlobSpans finds the same blob and sums.
var floodMasks = true
