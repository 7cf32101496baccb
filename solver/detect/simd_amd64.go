//go:build amd64 && !purego

package detect

import "golang.org/x/sys/cpu"

// useSIMD selects the AVX2 kernels; tests turn it off to check them
// against the portable code.
var useSIMD = cpu.X86.HasAVX2

//go:noescape
func pairRowsAVX2(r0, r1 *uint8, out, acc *uint64, n int)

//go:noescape
func candMaskAVX2(up, row, dn, t *uint64, k *[7][16]uint16, out *uint32, n int)

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
// four words of candidate row cy that may be candidates, and returns how
// many groups it did. The rows around it
// must be readable from 2 bytes before to 2 bytes after (d.wordsBuf pads
// the candidate image by a word on each side).
func (d *Detector) candMaskSIMD(cy int, masks []uint32) int {
	ww := d.ww
	n := ww / 4
	if !useSIMD || n == 0 || cy < 1 || cy+1 >= d.ch {
		return 0
	}
	base, blk := cy*ww, (cy>>2)*d.sbw
	_ = masks[n-1]
	_ = d.words[base+ww+4*n-1]
	_ = d.thr[blk+4*n-1]
	candMaskAVX2(&d.words[base-ww], &d.words[base], &d.words[base+ww],
		&d.thr[blk], &d.preK, &masks[0], n)
	return n
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

//go:noescape
func centroidAVX2(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64)

// winLoadSIMD fills the 7×7 window at pixel index i0 (8-bit frames with
// AVX2 only; ok reports whether it did).
func winLoadSIMD[T uint8 | uint16](pix []T, i0, stride int, b float64, win *[56]float64) (ssPos, ssAll float64, ok bool) {
	// The kernel reads 8 bytes per row.
	if !useSIMD || i0+6*stride+8 > len(pix) {
		return 0, 0, false
	}
	p, ok := any(&pix[i0]).(*uint8)
	if !ok {
		return 0, 0, false
	}
	ssPos, ssAll = winLoadAVX2(p, stride, b, win)
	return ssPos, ssAll, true
}
