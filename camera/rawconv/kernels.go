package rawconv

import (
	"encoding/binary"
	"math/bits"
)

// The portable row kernels. They are the fallback on every architecture
// without assembly and the reference the NEON kernels (kernels_arm64.s) are
// tested against bit for bit; each takes a starting index so the assembly
// can do the bulk of a row in blocks of 8 and leave the tail here.

// rawRowGo normalises samples from … n-1 of one little-endian source row
// (shifted right by shift: MSB-aligned samples) into dst as big-endian
// image.Gray16 samples, in order or reversed (a 180° turn of the frame),
// and returns the largest normalised sample, which the caller checks
// against the bit depth.
func rawRowGo(dst, src []byte, n int, shift uint, rev bool, from int) uint16 {
	var mx uint16
	src = src[:2*n]
	dst = dst[:2*n]
	for x := from; x < n; x++ {
		v := (uint16(src[2*x]) | uint16(src[2*x+1])<<8) >> shift
		mx = max(mx, v)
		d := x
		if rev {
			d = n - 1 - x
		}
		dst[2*d], dst[2*d+1] = uint8(v>>8), uint8(v)
	}
	return mx
}

// vsumGo is the vertical pass: for columns from … len(dst)-1,
// dst[x] = min(65535, round(Σ_k w[k]·(row_k[x] >> inShift) / 2^outShift)).
// Rows are little-endian 16-bit samples.
func vsumGo(dst []uint16, rows [][]byte, w []uint16, inShift, outShift uint, from int) {
	half := uint32(1) << outShift >> 1
	for x := from; x < len(dst); x++ {
		var acc uint32
		for k, r := range rows {
			v := (uint16(r[2*x]) | uint16(r[2*x+1])<<8) >> inShift
			acc += uint32(w[k]) * uint32(v)
		}
		dst[x] = uint16(min((acc+half)>>outShift, 0xFFFF))
	}
}

// hsumGo is the horizontal pass and the 8-bit conversion for outputs
// from … len(dst)-1 of one row.
func hsumGo(dst []uint8, u []uint16, a *axis, sc scale8, from int) {
	for i := from; i < len(dst); i++ {
		ws := a.w[i*a.taps : (i+1)*a.taps]
		px := u[a.start[i]:]
		var acc uint32
		for k, w := range ws {
			if w != 0 {
				acc += uint32(w) * uint32(px[k])
			}
		}
		dst[i] = sc.apply(acc)
	}
}

// turnTilesGo transposes a strip of 8×8 tiles: tile t is the 8 rows of
// src from s0+8t (stride ss); its column j goes to dst at
// d0 + (8t+j)·dstep, byte-reversed when rev.
func turnTilesGo(dst []byte, d0, dstep int, src []byte, s0, ss, tiles int, rev bool) {
	var t [8]uint64
	for x := range tiles {
		for i := range t {
			t[i] = binary.LittleEndian.Uint64(src[s0+i*ss+8*x:])
		}
		transpose8(&t) // t[j] byte i = tile row i, column j
		for j, v := range t {
			if rev {
				v = bits.ReverseBytes64(v)
			}
			binary.LittleEndian.PutUint64(dst[d0+(8*x+j)*dstep:], v)
		}
	}
}
