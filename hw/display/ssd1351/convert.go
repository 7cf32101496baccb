package ssd1351

import (
	"encoding/binary"
	"image"
	"image/color"
)

// Convert writes img as big-endian RGB565 ("65K format 1": RRRRRGGG
// GGGBBBBB, as luma's color_device.display) into dst, an n×n frame of 2·n·n
// bytes, turned clockwise by rotate quarter turns. Pixels img does not
// cover are black. *image.RGBA and *image.Paletted (the UI's images) take a
// fast path that reads the pixel bytes directly.
func Convert(dst []byte, n int, img image.Image, rotate int) {
	b := img.Bounds()
	full := b.Dx() >= n && b.Dy() >= n
	if !full {
		clear(dst[:2*n*n])
	}
	w, h := min(b.Dx(), n), min(b.Dy(), n)
	switch src := img.(type) {
	case *image.RGBA:
		if rotate == 0 {
			for y := 0; y < h; y++ {
				off := src.PixOffset(b.Min.X, b.Min.Y+y)
				rgbaRow(dst[2*n*y:2*n*y+2*w], src.Pix[off:off+4*w])
			}
			return
		}
		for y := 0; y < h; y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				i := rotIndex(x, y, n, rotate)
				r, g, bl := row[4*x], row[4*x+1], row[4*x+2]
				dst[i] = r&0xF8 | g>>5
				dst[i+1] = g<<3&0xE0 | bl>>3
			}
		}
	case *image.Paletted:
		var lut [256][2]byte
		for i, c := range src.Palette {
			lut[i] = rgb565(c)
		}
		for y := 0; y < h; y++ {
			row := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			row = row[:w:w]
			if rotate == 0 {
				out := dst[2*n*y:]
				out = out[: 2*w : 2*w]
				for x, p := range row {
					v := lut[p]
					out[2*x], out[2*x+1] = v[0], v[1]
				}
				continue
			}
			for x, p := range row {
				i := rotIndex(x, y, n, rotate)
				v := lut[p]
				dst[i], dst[i+1] = v[0], v[1]
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := rotIndex(x, y, n, rotate)
				v := rgb565(img.At(b.Min.X+x, b.Min.Y+y))
				dst[i], dst[i+1] = v[0], v[1]
			}
		}
	}
}

// rgbaRow converts one row of RGBA bytes to big-endian RGB565: one 32-bit
// load and one 16-bit store a pixel, the loop written so the compiler drops
// the bounds checks.
func rgbaRow(out, row []byte) {
	// Two pixels a step: one 64-bit load, one 32-bit store.
	for len(row) >= 8 && len(out) >= 4 {
		v := binary.LittleEndian.Uint64(row)
		p0 := v&0xF8<<8 | v>>5&0x7E0 | v>>19&0x1F
		v >>= 32
		p1 := v&0xF8<<8 | v>>5&0x7E0 | v>>19&0x1F
		binary.BigEndian.PutUint32(out, uint32(p0<<16|p1))
		row, out = row[8:], out[4:]
	}
	for len(row) >= 4 && len(out) >= 2 {
		v := binary.LittleEndian.Uint32(row) // R | G<<8 | B<<16 | A<<24
		binary.BigEndian.PutUint16(out, uint16(v&0xF8<<8|v>>5&0x7E0|v>>19&0x1F))
		row, out = row[4:], out[2:]
	}
}

// rotIndex is the byte offset in the panel frame of image pixel (x, y)
// after turning the image clockwise by rotate quarter turns.
func rotIndex(x, y, n, rotate int) int {
	var px, py int
	switch rotate & 3 {
	case 0:
		px, py = x, y
	case 1: // 90° clockwise: the left column becomes the top row
		px, py = n-1-y, x
	case 2:
		px, py = n-1-x, n-1-y
	case 3: // 270° clockwise (90° anticlockwise)
		px, py = y, n-1-x
	}
	return 2 * (py*n + px)
}

// rgb565 is c (alpha premultiplied, as color.Color gives it) as RGB565
// bytes, high first.
func rgb565(c color.Color) [2]byte {
	r, g, b, _ := c.RGBA()
	r8, g8, b8 := byte(r>>8), byte(g>>8), byte(b>>8)
	return [2]byte{r8&0xF8 | g8>>5, g8<<3&0xE0 | b8>>3}
}
