package imaging

import (
	"fmt"
	"image/color"
)

// format is a container format decodeStd reads.
type format int

const (
	formatPNG format = iota
	formatJPEG
	formatTIFF
)

// checkDecoded refuses an image of w×h pixels (already within checkSize)
// that costs perPixel bytes a pixel to decode when that is more than
// MaxDecodedBytes. model names the pixel format for the message. The
// product is taken in 64 bits: on 32-bit ARM w·h·perPixel overflows int.
func checkDecoded(w, h int, model string, perPixel int64) error {
	n := int64(w) * int64(h) * perPixel
	if n > MaxDecodedBytes {
		return fmt.Errorf("%w: image %d×%d %s would decode to %s; the limit is %s",
			ErrTooLarge, w, h, model, mib(n), mib(MaxDecodedBytes))
	}
	return nil
}

// mib formats a byte count in MiB, with one decimal when it is not whole.
func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// decodeCost returns the name of the pixel format and the bytes a pixel
// costs to decode for a header the standard decoders accepted: the decoded
// image's bytes per pixel (bit depth × channels of the colour model) plus
// the working memory the decoder holds at the same time:
//
//   - PNG: an interlaced image is decoded pass by pass into pass-sized
//     images before it is merged: counted twice.
//   - JPEG: the decoder fills planes of one byte per component, and
//     converts RGB and CMYK files to a 4-byte-per-pixel image afterwards;
//     a progressive file also keeps every DCT coefficient, 4 bytes per
//     pixel and component, between its scans. Chroma is counted at full
//     resolution (4:4:4): the header's subsampling is not consulted.
//   - TIFF: each strip or tile is read (and decompressed) into a buffer of
//     its raw samples, never larger than its decoded pixels: counted twice.
//
// data is the whole file; it is only read where the configuration from
// DecodeConfig does not say enough (PNG interlace, JPEG progressive).
func decodeCost(f format, m color.Model, data []byte) (string, int64) {
	name, bpp := modelCost(m)
	switch f {
	case formatPNG:
		if pngInterlaced(data) {
			return name + " interlaced", 2 * bpp
		}
	case formatJPEG:
		comps, convert := int64(3), int64(0)
		switch m {
		case color.GrayModel:
			comps = 1
		case color.RGBAModel:
			convert = 4
		case color.CMYKModel:
			comps, convert = 4, 4
		}
		if jpegProgressive(data) {
			return name + " progressive", comps + convert + 4*comps
		}
		return name, comps + convert
	case formatTIFF:
		return name, 2 * bpp
	}
	return name, bpp
}

// modelCost names a colour model and returns its bytes per pixel. An
// unknown model counts as the widest standard one (8 bytes, RGBA64).
func modelCost(m color.Model) (string, int64) {
	// A palette is a slice, which == cannot compare: it goes first.
	if _, ok := m.(color.Palette); ok {
		return "Paletted", 1
	}
	switch m {
	case color.GrayModel:
		return "Gray", 1
	case color.Gray16Model:
		return "Gray16", 2
	case color.AlphaModel:
		return "Alpha", 1
	case color.Alpha16Model:
		return "Alpha16", 2
	case color.RGBAModel:
		return "RGBA", 4
	case color.NRGBAModel:
		return "NRGBA", 4
	case color.RGBA64Model:
		return "RGBA64", 8
	case color.NRGBA64Model:
		return "NRGBA64", 8
	case color.YCbCrModel:
		return "YCbCr", 3
	case color.NYCbCrAModel:
		return "NYCbCrA", 4
	case color.CMYKModel:
		return "CMYK", 4
	}
	return "colour", 8
}

// pngInterlaced reads the interlace method of the IHDR chunk, which the
// PNG format requires to come first: signature (8), chunk length (4),
// "IHDR" (4), width (4), height (4), bit depth, colour type, compression,
// filter, interlace.
func pngInterlaced(data []byte) bool {
	return len(data) > 28 && data[28] != 0
}

// jpegProgressive reports whether a JPEG stream's frame header is SOF2
// (progressive). It walks the markers as image/jpeg does: bytes between
// markers are skipped, "\xff\x00" and fill bytes are ignored, restart
// markers have no length. A stream whose frame header cannot be found
// counts as progressive, the costlier case.
func jpegProgressive(data []byte) bool {
	i := 2 // after SOI
	for i+1 < len(data) {
		if data[i] != 0xFF {
			i++
			continue
		}
		m := data[i+1]
		i += 2
		if m == 0 {
			continue
		}
		for m == 0xFF {
			if i >= len(data) {
				return true
			}
			m, i = data[i], i+1
		}
		switch {
		case m == 0xC0 || m == 0xC1: // baseline, extended sequential
			return false
		case m == 0xC2:
			return true
		case m == 0xD9: // EOI
			return true
		case 0xD0 <= m && m <= 0xD7: // RSTn
			continue
		}
		if i+2 > len(data) {
			return true
		}
		n := int(data[i])<<8 | int(data[i+1])
		if n < 2 {
			return true
		}
		i += n
	}
	return true
}
