package detect

import (
	"encoding/binary"
	"math"
)

// apertureSum is a star's brightness: the background-subtracted sum over
// the square of half-width max(3, ⌈√(area/π)⌉ + 2) around its centre
// (cx, cy), clipped to the frame, so that the aperture holds the blob with
// a margin for the wings below the blob's level. Hot pixels count as
// background.
func (f *frame[T]) apertureSum(cx, cy float64, area int, bg float64) float64 {
	d, pix, stride := f.d, f.pix, f.stride
	w, h := d.width, d.height
	ra := max(3, int(math.Ceil(math.Sqrt(float64(area)/math.Pi)))+2)
	ix, iy := int(cx), int(cy)
	sum := 0.0
	xa, xb := max(ix-ra, 0), min(ix+ra, w-1)
	ya, yb := max(iy-ra, 0), min(iy+ra, h-1)
	if d.hotCount == 0 || !d.hotRows(ya, yb) {
		// No hot pixel in the aperture: an integer sum of the pixels.
		n := (xb - xa + 1) * (yb - ya + 1)
		return float64(boxSum(pix, ya*stride+xa, stride, xb-xa+1, yb-ya+1)) - float64(n)*bg
	}
	for y := ya; y <= yb; y++ {
		for x := xa; x <= xb; x++ {
			sum += pixelValue(d, pix, stride, x, y, bg) - bg
		}
	}
	return sum
}

// boxSum is the sum of the n×rows pixels from index i0 on. 8-bit rows
// of 8 or more pixels are summed eight pixels per load in 16-bit lanes; a
// row's last partial load is taken from the 8 bytes ending the row.
func boxSum[T uint8 | uint16](pix []T, i0, stride, n, rows int) int {
	if n <= 0 || rows <= 0 {
		return 0
	}
	if s, ok := boxSumSIMD(pix, i0, stride, n, rows); ok {
		return s
	}
	b, ok := any(pix).([]uint8)
	if !ok || n < 8 {
		s := 0
		for r := range rows {
			for _, p := range pix[i0+r*stride : i0+r*stride+n] {
				s += int(p)
			}
		}
		return s
	}
	full, rem := n&^7, n&7
	keep := ^uint64(0) << (8 * uint(8-rem)) // the last rem bytes of a load
	if rem == 0 {
		full, keep = n-8, ^uint64(0) // the last whole load is the "partial" one
	}
	// A row adds at most full/8+1 loads of 510 per lane; flush before 16
	// loads so that the four lanes' total stays below 2^16.
	perRow := full/8 + 1
	s, loads := 0, 0
	var acc uint64
	for r := range rows {
		row := b[i0+r*stride : i0+r*stride+n]
		if loads+perRow > 16 {
			s += int((acc * lane1) >> 48)
			acc, loads = 0, 0
		}
		for k := 0; k < full; k += 8 {
			v := binary.LittleEndian.Uint64(row[k:])
			acc += v&laneLo + v>>8&laneLo
			if loads++; loads == 16 {
				s += int((acc * lane1) >> 48)
				acc, loads = 0, 0
			}
		}
		v := binary.LittleEndian.Uint64(row[n-8:]) & keep
		acc += v&laneLo + v>>8&laneLo
		loads++
	}
	return s + int((acc*lane1)>>48)
}
