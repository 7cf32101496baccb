package rawconv

import (
	"encoding/binary"
	"fmt"
	"image"
	"math/bits"
)

// QuarterTurns converts a counter-clockwise rotation in degrees (a multiple
// of 90, any sign) to 0…3 quarter turns.
func QuarterTurns(deg int) (int, error) {
	if deg%90 != 0 {
		return 0, fmt.Errorf("imaging: rotation %d° is not a multiple of 90", deg)
	}
	return ((deg/90)%4 + 4) % 4, nil
}

// srcIndex maps output (r, c) of a k-quarter-turn CCW rotation of a w×h
// image to the source (row, col) (numpy rot90 semantics).
func srcIndex(k, w, h, r, c int) (int, int) {
	switch k {
	case 1:
		return c, w - 1 - r
	case 2:
		return h - 1 - r, w - 1 - c
	case 3:
		return h - 1 - c, r
	}
	return r, c
}

// RotateGray writes src turned k quarter turns counter-clockwise into dst,
// whose size must be the rotated size. For k = 1, dst(x, y) = src(N−1−y, x).
func RotateGray(dst, src *image.Gray, k int) error {
	k = ((k % 4) + 4) % 4
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if k%2 == 1 {
		dw, dh = h, w
	}
	if dst.Rect.Dx() != dw || dst.Rect.Dy() != dh {
		return fmt.Errorf("imaging: rotate %dx%d by %d: destination is %dx%d", w, h, k, dst.Rect.Dx(), dst.Rect.Dy())
	}
	for r := 0; r < dh; r++ {
		row := dst.Pix[r*dst.Stride : r*dst.Stride+dw]
		for c := range row {
			sr, sc := srcIndex(k, w, h, r, c)
			row[c] = src.Pix[sr*src.Stride+sc]
		}
	}
	return nil
}

// CenterSquare returns the largest centred square of img as a sub-image
// (no copy).
func CenterSquare(img *image.Gray) *image.Gray {
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	s := min(w, h)
	x0, y0 := b.Min.X+(w-s)/2, b.Min.Y+(h-s)/2
	return img.SubImage(image.Rect(x0, y0, x0+s, y0+s)).(*image.Gray)
}

// rotateSquare is RotateGray for the converter's square images: 8×8 tiles
// transposed in registers and whole rows reversed eight bytes at a time,
// so a 512² turn costs a few instructions per tile row instead of an index
// computation per pixel. Sizes that are not a multiple of 8 finish per
// pixel.
func rotateSquare(dst, src *image.Gray, k int) {
	n := src.Rect.Dx()
	n8 := n &^ 7
	sp, ss, dp, ds := src.Pix, src.Stride, dst.Pix, dst.Stride
	switch k {
	case 2:
		for r := range n {
			in := sp[(n-1-r)*ss : (n-1-r)*ss+n]
			out := dp[r*ds : r*ds+n]
			c := 0
			for ; c+8 <= n; c += 8 { // dest(r, c…c+7) = src(n-1-r, n-1-c … n-8-c)
				binary.LittleEndian.PutUint64(out[c:], bits.ReverseBytes64(binary.LittleEndian.Uint64(in[n-8-c:])))
			}
			for ; c < n; c++ {
				out[c] = in[n-1-c]
			}
		}
		return
	case 1, 3:
	default:
		for r := range n {
			copy(dp[r*ds:r*ds+n], sp[r*ss:r*ss+n])
		}
		return
	}
	for y0 := 0; y0 < n8; y0 += 8 {
		// Source tiles (y0, x0…) to columns of dst: for k = 1 column j of
		// tile x0 is dest row n-1-x0-j from column y0; for k = 3 it is
		// row x0+j, byte-reversed, ending at column n-1-y0.
		if k == 1 {
			turnTiles(dp, (n-1)*ds+y0, -ds, sp, y0*ss, ss, n8/8, false)
		} else {
			turnTiles(dp, n-8-y0, ds, sp, y0*ss, ss, n8/8, true)
		}
	}
	if n8 == n {
		return
	}
	for r := range n {
		for c := range n {
			if sr, sc := srcIndex(k, n, n, r, c); sr >= n8 || sc >= n8 { // not done by a tile
				dp[r*ds+c] = sp[sr*ss+sc]
			}
		}
	}
}

// transpose8 transposes the 8×8 byte matrix whose row i is t[i] (byte j
// at bit 8j): three rounds of swapping 1-, 2- then 4-byte blocks between
// row pairs.
func transpose8(t *[8]uint64) {
	const m1, m2, m4 = 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF
	for i := 0; i < 8; i += 2 {
		d := (t[i]>>8 ^ t[i+1]) & m1
		t[i+1] ^= d
		t[i] ^= d << 8
	}
	for _, i := range [4]int{0, 1, 4, 5} {
		d := (t[i]>>16 ^ t[i+2]) & m2
		t[i+2] ^= d
		t[i] ^= d << 16
	}
	for i := range 4 {
		d := (t[i]>>32 ^ t[i+4]) & m4
		t[i+4] ^= d
		t[i] ^= d << 32
	}
}
