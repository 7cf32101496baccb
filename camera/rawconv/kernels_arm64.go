//go:build arm64

package rawconv

// The NEON kernels (kernels_arm64.s) do the rows in blocks; the portable
// kernels finish the tails, so results are bit-identical to rawRowGo,
// vsumGo and hsumGo everywhere (kernels_test.go checks it under qemu).

// uPad elements after a vertically reduced row let the horizontal kernel
// load 64 bytes from any group's first input.
const uPad = 32

//go:noescape
func rawRowNEON(dst, src *byte, n int, shift uint, rev bool) uint16

//go:noescape
func vsumNEON(dst *uint16, rows *[4]*byte, w *[4]uint16, n, taps int, inShift, outShift uint)

//go:noescape
func turnStripNEON(dst *byte, dstep int, src *byte, sstride, tiles int, rev bool)

//go:noescape
func hsumNEON(dst *uint8, u *uint16, base *uint32, tab *byte, groups, taps int, sc *scale8) // reads sc.bias, .mul, .shift at offsets 0, 4, 8

func rawRow(dst, src []byte, n int, shift uint, rev bool) uint16 {
	n32 := n &^ 31
	if n32 == 0 {
		return rawRowGo(dst, src, n, shift, rev, 0)
	}
	_, _ = dst[2*n-1], src[2*n-1] // the kernel's reach
	d := dst
	if rev { // source x < n32 lands at n-1-x ≥ n-n32
		d = dst[2*(n-n32):]
	}
	mx := rawRowNEON(&d[0], &src[0], n32, shift, rev)
	return max(mx, rawRowGo(dst, src, n, shift, rev, n32))
}

func vsum(dst []uint16, rows [][]byte, w []uint16, inShift, outShift uint) {
	n8 := len(dst) &^ 7
	if n8 == 0 || len(rows) == 0 || len(rows) > 4 {
		vsumGo(dst, rows, w, inShift, outShift, 0)
		return
	}
	var rp [4]*byte
	var wp [4]uint16
	for k := range rp {
		r := rows[min(k, len(rows)-1)] // padding taps: weight 0, a valid row
		_ = r[2*n8-1]
		rp[k] = &r[0]
		if k < len(rows) {
			wp[k] = w[k]
		}
	}
	vsumNEON(&dst[0], &rp, &wp, n8, max(3, len(rows)), inShift, outShift)
	vsumGo(dst, rows, w, inShift, outShift, n8)
}

// htab is the horizontal pass laid out for TBL: per group of 8 outputs,
// the index of its first input and, per tap, 16 byte indices into the 64
// bytes loaded from there (0xFF where the weight is 0: TBL yields 0) and
// the 8 weights.
type htab struct {
	taps   int
	groups int
	base   []uint32
	tab    []byte
}

// newHTab returns nil when the axis does not fit the kernel: more than 4
// taps, or a group of 8 outputs reaching more than 32 inputs (a reduction
// by more than about 3.6).
func newHTab(a *axis, ulen int) *htab {
	if a.taps > 4 || a.out < 8 {
		return nil
	}
	h := &htab{taps: max(3, a.taps), groups: a.out / 8}
	h.base = make([]uint32, h.groups)
	h.tab = make([]byte, h.groups*h.taps*32)
	for g := range h.groups {
		b := int(a.start[8*g])
		if b+32 > ulen {
			return nil
		}
		h.base[g] = uint32(b)
		for k := range h.taps {
			t := h.tab[(g*h.taps+k)*32:]
			for j := range 8 {
				i := 8*g + j
				var w uint16
				if k < a.taps {
					w = a.w[i*a.taps+k]
				}
				o := int(a.start[i]) + k - b
				t[2*j], t[2*j+1] = 0xFF, 0xFF
				if w != 0 {
					if o > 31 {
						return nil
					}
					t[2*j], t[2*j+1] = uint8(2*o), uint8(2*o+1)
				}
				t[16+2*j], t[16+2*j+1] = uint8(w), uint8(w>>8)
			}
		}
	}
	return h
}

func hsum(dst []uint8, u []uint16, a *axis, h *htab, sc scale8) {
	if h == nil || len(dst) != a.out || len(u) < int(h.base[len(h.base)-1])+32 {
		hsumGo(dst, u, a, sc, 0)
		return
	}
	hsumNEON(&dst[0], &u[0], &h.base[0], &h.tab[0], h.groups, h.taps, &sc)
	hsumGo(dst, u, a, sc, 8*h.groups)
}

func turnTiles(dst []byte, d0, dstep int, src []byte, s0, ss, tiles int, rev bool) {
	if tiles <= 0 {
		return
	}
	// The kernel's reach: the first and last byte of the tile rows, and of
	// the columns at either end (dstep may be negative).
	_, _ = src[s0], src[s0+7*ss+8*tiles-1]
	last := d0 + (8*tiles-1)*dstep
	_, _ = dst[min(d0, last)], dst[max(d0, last)+7]
	turnStripNEON(&dst[d0], dstep, &src[s0], ss, tiles, rev)
}
