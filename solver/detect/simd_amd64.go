//go:build amd64 && !purego

package detect

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useSIMD selects the AVX2 kernels; tests turn it off to check them
// against the portable code.
var useSIMD = cpu.X86.HasAVX2

// simdKernels: every stage has an AVX2 kernel (centroidLoopAVX2 covers
// centroidSums, tileStatsAVX2 and tileClipAVX2 the whole-tile passes).
const simdKernels = kernelAll &^ (kernelCentroidSums | kernelTile4)

//go:noescape
func pairRowsAVX2(r0, r1 *uint8, out, acc *uint64, n int)

//go:noescape
func candMaskAVX2(up, row, dn, t *uint64, k *[7][16]uint16, out *uint32, n int) (nz uint64)

// pairRowsSIMD does pairRows for the leading whole groups of four words
// and returns how many words it did.
func pairRowsSIMD(r0, r1 []uint8, out, acc []uint64) int {
	n := len(out) / 4
	if !useSIMD || n == 0 {
		return 0
	}
	_ = r0[32*n-1]
	_ = r1[32*n-1]
	_ = acc[4*n-1]
	pairRowsAVX2(&r0[0], &r1[0], &out[0], &acc[0], n)
	return 4 * n
}

// candMaskSIMD marks, in masks, the boxes of the leading whole groups of
// four words of candidate row cy that may be candidates; it returns how
// many groups it did and a bit per group with a mark. The rows around it
// must be readable from 2 bytes before to 2 bytes after (d.boxWordsPadded pads
// the candidate image by a word on each side).
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
	nz = candMaskAVX2(&d.boxWords[base-ww], &d.boxWords[base], &d.boxWords[base+ww],
		&d.blockThreshold[blk], &d.preTestOffsets, &masks[0], n)
	return n, nz
}

//go:noescape
func lineInnerAVX2(c *uint8, idx *[lineNR * 2][lineDirsN * 2]int32, l int32, sums *[lineDirsN * 2]int32) uint64

//go:noescape
func lineEdgeAVX2(c *uint8, idx, dx, dy *[lineNR * 2][lineDirsN * 2]int32, px, py, w, h int, sums, cnt *[lineDirsN * 2]int32, sh uint64)

// lineInnerSIMD fills sums with lineInner's side sums around pixel index c
// and returns the bright sides (8-bit frames with AVX2 only; ok reports
// whether it ran).
func lineInnerSIMD[T uint8 | uint16](pix []T, c int, lin *lineTable, l int32, sums *[lineDirsN * 2]int32) (bright uint64, ok bool) {
	// The kernel reads 4 bytes at each offset, all within r of c.
	r := (lineRmax + 1) * (lin.stride + 1)
	if !useSIMD || c < r || c+r+3 >= len(pix) {
		return 0, false
	}
	// A pointer in an interface does not allocate, as a slice would.
	p, ok := any(&pix[c]).(*uint8)
	if !ok {
		return 0, false
	}
	return lineInnerAVX2(p, &lin.byRad, l, sums), true
}

// lineDX and lineDY are the pixel offsets of lineOff laid out as
// lineTable.byRad (radius and straddle, then side 2k+side), for the
// vector kernel's frame-edge test.
var lineDX, lineDY = func() (dx, dy [lineNR * 2][lineDirsN * 2]int32) {
	for k := range lineOff {
		for side := range lineOff[k] {
			for i := range lineOff[k][side] {
				for st := 0; st < 2; st++ {
					o := lineOff[k][side][i][st]
					dx[2*i+st][2*k+side] = int32(o[0])
					dy[2*i+st][2*k+side] = int32(o[1])
				}
			}
		}
	}
	return
}()

// lineEdgeSIMD fills lineThrough's side sums and sample counts near the
// frame edge (8-bit frames with AVX2 only) and reports whether it did.
func lineEdgeSIMD[T uint8 | uint16](pix []T, stride int, lin *lineTable, px, py, w, h int, sums, cnt *[lineDirsN * 2]int32) bool {
	if !useSIMD {
		return false
	}
	// Each pixel read lies in the frame, within r of c, and comes with
	// the three bytes after it (or, near the end of the buffer, before it).
	c := py*stride + px
	r := (lineRmax + 1) * (stride + 1)
	last := (h-1)*stride + w - 1
	var p any
	var sh uint64
	switch {
	case min(c+r, last)+3 < len(pix):
		p = &pix[c]
	case max(c-r, 0) >= 3:
		p, sh = &pix[c-3], 24
	default:
		return false
	}
	b, ok := p.(*uint8)
	if !ok {
		return false
	}
	lineEdgeAVX2(b, &lin.byRad, &lineDX, &lineDY, px, py, w, h, sums, cnt, sh)
	return true
}

//go:noescape
func winLoadAVX2(src *uint8, stride int, b float64, win *[56]float64) (ssPos, ssAll float64)

// winLoadSIMD fills the 7×7 window at pixel index i0 (8-bit frames with
// AVX2 only; ok reports whether it did).
func winLoadSIMD[T uint8 | uint16](pix []T, i0, stride int, b float64, win *window) (ssPos, ssAll float64, ok bool) {
	// The kernel reads 8 bytes per row.
	if !useSIMD || i0+6*stride+8 > len(pix) {
		return 0, 0, false
	}
	p, ok := any(&pix[i0]).(*uint8)
	if !ok {
		return 0, 0, false
	}
	ssPos, ssAll = winLoadAVX2(p, stride, b, &win.cells)
	return ssPos, ssAll, true
}

//go:noescape
func blockLimitsAVX2(r0, r1 *float64, ay1, ay, lt float64, bg *float32, thr *uint64, n int)

//go:noescape
func tileStatsAVX2(sb *uint32, sbw int, sum, lo, hi *uint32, n int)

// blockLimitsSIMD does blockLimits for the leading multiple of 4 blocks of
// a row and returns how many it did.
func blockLimitsSIMD(r0, r1 []float64, ay1, ay, lt float64, bg []float32, thr []uint64) int {
	n := len(bg) &^ 3
	// The kernel's int conversion holds below 2^31; backgrounds are box
	// sums (below 2^15), so only an absurd lt leaves the kernel out.
	if !useSIMD || n == 0 || !(lt < 1<<30) {
		return 0
	}
	_, _, _ = r0[n-1], r1[n-1], thr[n-1]
	blockLimitsAVX2(&r0[0], &r1[0], ay1, ay, lt, &bg[0], &thr[0], n)
	return n
}

// tileStatsSIMD computes, for the leading tiles of tile row ty whose 4×4
// blocks are all whole (Binning 2), the sum, minimum and maximum of their
// block sums; it returns how many tiles it did and the three slices.
func (d *Detector) tileStatsSIMD(ty int) (k int, sum, lo, hi []uint32) {
	if !useSIMD || d.blocksPerTile != 4 || 4*4*(ty+1) > d.boxesH {
		return 0, nil, nil, nil
	}
	pairs := d.boxesW / 32 // tiles are 16 boxes wide
	if pairs == 0 {
		return 0, nil, nil, nil
	}
	st := d.tileRowStats[:3*d.tilesW]
	sum, lo, hi = st[:d.tilesW], st[d.tilesW:2*d.tilesW], st[2*d.tilesW:]
	_ = d.blockSums[(4*ty+3)*d.blocksW+8*pairs-1]
	_, _, _ = sum[2*pairs-1], lo[2*pairs-1], hi[2*pairs-1]
	tileStatsAVX2(&d.blockSums[4*ty*d.blocksW], d.blocksW, &sum[0], &lo[0], &hi[0], pairs)
	return 2 * pairs, sum, lo, hi
}

//go:noescape
func bin8AVX2(pix *uint8, stride int, words *uint64, ww int, sb *uint32, sbw, groups, blockRows int)

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
	bin8AVX2(&pix[0], stride, &d.boxWords[0], d.wordsPerRow, &d.blockSums[0], d.blocksW, groups, blockRows)
	return 4 * groups, 4 * blockRows
}

//go:noescape
func boxSumAVX2(p *uint8, stride, rows int, mask *byte) int

// byteMask's 32 bytes from 32−n on are n bytes 0xFF, then zeros.
var byteMask = [64]byte{
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
}

// boxSumSIMD sums the n×rows pixels from index i0 (8-bit frames with
// AVX2, rows of at most 32 pixels whose 32-byte loads stay in pix).
func boxSumSIMD[T uint8 | uint16](pix []T, i0, stride, n, rows int) (int, bool) {
	if !useSIMD || n > 32 || i0+(rows-1)*stride+32 > len(pix) {
		return 0, false
	}
	p, ok := any(&pix[i0]).(*uint8)
	if !ok {
		return 0, false
	}
	return boxSumAVX2(p, stride, rows, &byteMask[32-n]), true
}

// kernelBuffers holds the buffers that only the vector kernels use.
type kernelBuffers struct {
	noiseDiffs []uint16 // noiseMedianSIMD's box-sum differences
}

//go:noescape
func noiseDiffsAVX2(row *uint64, chunks, step int, satBox int, out *uint16)

//go:noescape
func countLEAVX2(buf *uint16, chunks int, v int) int

// noiseMedianSIMD is noiseHist computed with vector kernels: the absolute
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
		chunks := per / 16
		_ = buf[o+16*chunks-1]
		_ = row[(16*chunks+step-1)/4] // the last box read
		noiseDiffsAVX2(&row[0], chunks, step, satBox, &buf[o])
		for k := 16 * chunks; k < per; k++ {
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
	count := func(v int) int { return countLEAVX2(&buf[0], n16/16, v) }
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

//go:noescape
func tileClipAVX2(sb *uint32, sbw int, sum, lo, hi *uint32, c25, c3 float64, n int, out *float64)

// tileMeansSIMD does tileMeanStats for the leading groups of four of the
// k tiles of row ty whose statistics tileStatsSIMD gave, into means, and
// returns how many tiles it did.
func (d *Detector) tileMeansSIMD(ty, k int, sig float64, sum, lo, hi []uint32, means []float64) int {
	n := k / 4
	// The kernel converts limits (m + 2.5σ)·16 to int32: m is below 2^15.
	if !useSIMD || n == 0 || d.blocksPerTile != 4 || !(2.5*sig < 1<<26) {
		return 0
	}
	_ = d.blockSums[(4*ty+3)*d.blocksW+16*n-1]
	_, _, _, _ = sum[4*n-1], lo[4*n-1], hi[4*n-1], means[4*n-1]
	tileClipAVX2(&d.blockSums[4*ty*d.blocksW], d.blocksW, &sum[0], &lo[0], &hi[0], 2.5*sig, 3*sig, n, &means[0])
	return 4 * n
}

//go:noescape
func centroidLoopAVX2(win *[56]float64, tab *wEntry, n int, x0f, y0f, lox, hix, loy, hiy, cx, cy float64) (s, cxo, cyo float64, ix, iy int, ok bool)

// The kernel addresses the weight table in entries of 136 bytes.
var _ [unsafe.Sizeof(wEntry{}) - 136]struct{}
var _ [136 - unsafe.Sizeof(wEntry{})]struct{}

// centroidLoopSIMD runs centroidLoop's iteration from (cx, cy) in
// the window at (x0, y0) around peak (px, py) (ran reports whether it
// did): the last weighted sum, the estimate, the last phases, and ok
// false when a weighted sum was not positive.
func centroidLoopSIMD(win *[56]float64, tab []wEntry, x0, y0, px, py int, cx, cy float64) (s, cxo, cyo float64, ix, iy int, ok, ran bool) {
	if !useSIMD || len(tab) == 0 {
		return 0, 0, 0, 0, 0, false, false
	}
	pxf, pyf := float64(px), float64(py)
	s, cxo, cyo, ix, iy, ok = centroidLoopAVX2(win, &tab[0], len(tab), float64(x0), float64(y0),
		pxf-0.5, pxf+1.5, pyf-0.5, pyf+1.5, cx, cy)
	return s, cxo, cyo, ix, iy, ok, true
}

//go:noescape
func ringSumsAVX2(p *uint8, stride int, l int32) (s, s2, k, hi int)

// ringSumsSIMD returns, over the ring whose 7×7 square starts at pixel
// index i0, the sum, sum of squares and number of the pixels at most l,
// and the largest pixel (8-bit frames with AVX2 only; ok reports whether
// it ran).
func ringSumsSIMD[T uint8 | uint16](pix []T, i0, stride int, l int32) (s, s2, k, hi int, ok bool) {
	if !useSIMD || i0+6*stride+8 > len(pix) {
		return 0, 0, 0, 0, false
	}
	p, is8 := any(&pix[i0]).(*uint8)
	if !is8 {
		return 0, 0, 0, 0, false
	}
	s, s2, k, hi = ringSumsAVX2(p, stride, l)
	return s, s2, k, hi, true
}

//go:noescape
func peak4x4AVX2(p *uint8, stride int, claimed uint64) (k, v int)

// peak4x4SIMD finds the brightest unclaimed pixel of the 4×4 pixels from
// (x0, y0) (8-bit frames with AVX2; ran reports whether it did): its
// index 4·row + column, first in scan order on ties, and value, −1 when
// all are claimed. The caller keeps the block inside the frame.
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
	var cl uint64
	j := y0*d.width + x0
	for r := range 4 {
		sh := uint(j & 63)
		c := d.claimBits[j>>6]>>sh | d.claimBits[j>>6+1]<<(64-sh) // << 64 is 0
		cl |= (c & 0xF) << uint(4*r)
		j += d.width
	}
	k, v = peak4x4AVX2(p, stride, cl)
	return k, v, true
}

//go:noescape
func hotStatsAVX2(p *uint8, stride int) uint64

// hotStatsSIMD returns hotStatsAVX2's packed figures for the 5×5 pixels
// from index i0 (8-bit frames with AVX2 only; ok reports whether it ran).
func hotStatsSIMD[T uint8 | uint16](pix []T, i0, stride int) (packed uint64, ok bool) {
	if !useSIMD || i0+4*stride+8 > len(pix) {
		return 0, false
	}
	p, is8 := any(&pix[i0]).(*uint8)
	if !is8 {
		return 0, false
	}
	return hotStatsAVX2(p, stride), true
}

// centroidSumsSIMD does nothing: centroidSums sums the window itself
// (centroidLoopAVX2 does the whole iteration).
func centroidSumsSIMD(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64, ok bool) {
	return 0, 0, 0, false
}

// tileStats4SIMD does nothing (tileStatsAVX2 and tileClipAVX2 do whole rows of tiles): tileMeanFull sums the blocks itself.
func tileStats4SIMD(sb []uint32, i0, sbw, nx, ny int) (sum, lo, hi int64, ok bool) {
	return 0, 0, 0, false
}

// tileClip4SIMD does nothing (as tileStats4SIMD): tileMeanStats clips the blocks itself.
func tileClip4SIMD(sb []uint32, i0, sbw, nx, ny int, l int64) (s, k int64, ok bool) {
	return 0, 0, false
}

// aboveMaskSIMD does nothing: aboveMask compares the pixels itself.
func aboveMaskSIMD[T uint8 | uint16](p []T, lv int) (m uint64, ok bool) { return 0, false }

// floodMasks (a variable for the tests) selects fillBlobMask for the blob's flood fill (with the pixels compared one at a time, the run-by-run fill is faster);
// fillBlobSpans finds the same blob and sums.
var floodMasks = false
