package rawconv

import (
	"fmt"
	"image"
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
