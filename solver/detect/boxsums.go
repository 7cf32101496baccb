package detect

import "encoding/binary"

// Stage 1, the candidate image: 2×2 box sums (at stride 2 for Binning 2,
// at every pixel for Binning 1), packed four to a 64-bit word in 16-bit
// lanes, with the sums of 4×4-box blocks for the background. The 8-bit
// paths do this with SWAR arithmetic, one 8-byte load per row and word;
// boxSums is the generic path (and the 16-bit one).

// SWAR lane masks: the low byte of each 16-bit lane, each lane's top bit,
// and 1 in each lane (a multiplication by lane1 sums the four lanes into
// the top one).
const (
	laneLo = 0x00FF00FF00FF00FF
	laneH  = 0x8000800080008000
	lane1  = 0x0001000100010001
)

// bin8 is the 8-bit Binning 2 fast path: 2×2 sums by SWAR, 8 pixels per
// load, with the 8×8-pixel block sums gathered on the way.
func (d *Detector) bin8(pix []uint8, stride int) {
	ww, ch, cw := d.wordsPerRow, d.boxesH, d.boxesW
	full := cw / 4 // words made of 8 whole source pixels
	// The kernel does the leading words of the whole block rows, with
	// their block sums; the code below does the rest.
	k, kRows := d.bin8SIMD(pix, stride)
	acc := d.blockAcc[:ww]
	clear(acc)
	for cy := 0; cy < ch; cy++ {
		i0 := 0
		if cy < kRows {
			if k == ww {
				continue
			}
			i0 = k
		}
		r0 := pix[2*cy*stride : 2*cy*stride+8*full]
		r1 := pix[(2*cy+1)*stride : (2*cy+1)*stride+8*full]
		out := d.boxWords[cy*ww : (cy+1)*ww]
		pairRows(r0[8*i0:], r1[8*i0:], out[i0:full], acc[i0:full])
		r0 = pix[2*cy*stride:]
		r1 = pix[(2*cy+1)*stride:]
		for i := full; i < ww; i++ {
			var s uint64
			for l := 0; l < 4; l++ {
				cx := 4*i + l
				if cx >= cw {
					break
				}
				v := uint64(r0[2*cx]) + uint64(r0[2*cx+1]) + uint64(r1[2*cx]) + uint64(r1[2*cx+1])
				s |= v << (16 * l)
			}
			out[i] = s
			acc[i] += s
		}
		if cy&3 == 3 || cy == ch-1 {
			row := d.blockSums[(cy>>2)*d.blocksW : (cy>>2+1)*d.blocksW]
			row = row[i0:len(acc)]
			for i, a := range acc[i0:] {
				// The four lanes summed in the top one: each is at most
				// 4·1020, so no lane overflows.
				row[i] = uint32((a * lane1) >> 48)
			}
			clear(acc)
		}
	}
}

// box8 is the 8-bit Binning 1 path: 2×2 sums at every pixel by SWAR. One
// 8-byte load per row gives the vertical pair sums of pixels 4i … 4i+7 in
// even (E) and odd (O) lanes; boxes 4i … 4i+3 are E0+O0, O0+E1, E1+O1,
// O1+E2. Words whose load would pass the row end take the generic code.
func (d *Detector) box8(pix []uint8, stride int) {
	ww, ch, cw := d.wordsPerRow, d.boxesH, d.boxesW
	clear(d.blockSums[:d.blocksW*d.blocksH])
	fast := min(max((d.width-8)/4+1, 0), ww) // words whose 8-byte load stays in the row
	for cy := 0; cy < ch; cy++ {
		r0 := pix[cy*stride : cy*stride+d.width]
		r1 := pix[(cy+1)*stride : (cy+1)*stride+d.width]
		out := d.boxWords[cy*ww : (cy+1)*ww]
		sbRow := d.blockSums[(cy>>2)*d.blocksW : (cy>>2)*d.blocksW+ww]
		for i := 0; i < fast; i++ {
			a := binary.LittleEndian.Uint64(r0[4*i : 4*i+8])
			b := binary.LittleEndian.Uint64(r1[4*i : 4*i+8])
			e := (a & laneLo) + (b & laneLo)
			o := ((a >> 8) & laneLo) + ((b >> 8) & laneLo)
			se := e + o
			so := o + e>>16
			wv := se&0xFFFF | (so&0xFFFF)<<16 | (se>>16&0xFFFF)<<32 | (so>>16&0xFFFF)<<48
			if 4*i+3 >= cw {
				// Lanes past the last box stay zero.
				for l := 0; l < 4; l++ {
					if 4*i+l >= cw {
						wv &^= 0xFFFF << (16 * l)
					}
				}
			}
			out[i] = wv
			sbRow[i] += uint32((wv * lane1) >> 48)
		}
		for i := fast; i < ww; i++ {
			var wv uint64
			var sum uint32
			for l := 0; l < 4; l++ {
				x := 4*i + l
				if x >= cw {
					break
				}
				v := uint64(r0[x]) + uint64(r0[x+1]) + uint64(r1[x]) + uint64(r1[x+1])
				wv |= v << (16 * l)
				sum += uint32(v)
			}
			out[i] = wv
			sbRow[i] += sum
		}
	}
}

// pairRows sets out[i] to the four 2×2 sums of bytes 8i … 8i+7 of rows r0
// and r1 (lane k is box k: pixels 2k, 2k+1 of both rows) and adds them to
// acc[i]. It is a function of its own so that its loop keeps everything in
// registers.
//
//go:noinline
func pairRows(r0, r1 []uint8, out, acc []uint64) {
	if n := pairRowsSIMD(r0, r1, out, acc); n > 0 {
		r0, r1, out, acc = r0[8*n:], r1[8*n:], out[n:], acc[n:]
	}
	r0 = r0[:8*len(out)]
	r1 = r1[:len(r0)]
	acc = acc[:len(out)]
	for i := range out {
		a := binary.LittleEndian.Uint64(r0[8*i : 8*i+8])
		b := binary.LittleEndian.Uint64(r1[8*i : 8*i+8])
		s := (a & laneLo) + ((a >> 8) & laneLo) + (b & laneLo) + ((b >> 8) & laneLo)
		out[i] = s
		acc[i] += s
	}
}

// boxSums is the generic path: 2×2 sums at stride d.s.
func boxSums[T uint8 | uint16](d *Detector, pix []T, stride int) {
	ww, ch, cw, s := d.wordsPerRow, d.boxesH, d.boxesW, d.boxStride
	clear(d.blockSums[:d.blocksW*d.blocksH])
	for cy := 0; cy < ch; cy++ {
		r0 := pix[s*cy*stride:]
		r1 := pix[(s*cy+1)*stride:]
		out := d.boxWords[cy*ww : (cy+1)*ww]
		sbRow := d.blockSums[(cy>>2)*d.blocksW:]
		for i := range out {
			var wv uint64
			var sum uint32
			for l := 0; l < 4; l++ {
				cx := 4*i + l
				if cx >= cw {
					break
				}
				x := s * cx
				v := uint64(r0[x]) + uint64(r0[x+1]) + uint64(r1[x]) + uint64(r1[x+1])
				wv |= v << (16 * l)
				sum += uint32(v)
			}
			out[i] = wv
			sbRow[i] += sum
		}
	}
}

// boxAt is box x of a row of the candidate image.
func boxAt(row []uint64, x int) int { return int(row[x>>2] >> (16 * uint(x&3)) & 0xFFFF) }
