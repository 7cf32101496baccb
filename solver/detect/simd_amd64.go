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
