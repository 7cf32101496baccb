package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"golang.org/x/image/tiff"
)

// Limits guard against hostile or corrupt headers.
const (
	MaxSide   = 1 << 15  // pixels per side
	MaxPixels = 64 << 20 // pixels per image
	// MaxDecodedBytes bounds the pixel memory one image may decode to,
	// judged from its header before any pixel is decoded: width × height ×
	// the bytes per pixel the decoder allocates for its colour model (bit
	// depth × channels, plus the format's own working buffers; see
	// decodeCost). A few hundred bytes of PNG can otherwise claim an
	// 8192×8192 RGBA64 image (512 MiB, over 1 GB of resident memory once
	// converted): an OOM kill on a Pi with 1 to 4 GB. The largest real
	// input is the HQ camera's full 4056×3040 16-bit frame, 24.7 MB
	// (49 MB as TIFF, whose strip buffer is counted too); a baseline
	// colour JPEG of it at most 37 MB (a progressive one, holding its DCT
	// coefficients, would be 185 MB and is refused). 64 MiB admits them
	// with room to spare and keeps one load with its conversion to grey
	// under about 200 MB (127 MB peak for `pifinder detect` on a 64 MiB
	// RGBA64 PNG).
	MaxDecodedBytes = 64 << 20
	// MaxBytes bounds the bytes read from one file. An image within
	// MaxDecodedBytes is never much larger on disk (compression only
	// shrinks pixels, FITS stores them as they are), so this is the decode
	// limit plus 1 MiB of headers and metadata; a larger file is refused
	// before it is read whole.
	MaxBytes = MaxDecodedBytes + 1<<20
)

// ErrFormat marks data that is not an image this package reads.
var ErrFormat = errors.New("unsupported or corrupt image")

// ErrTooLarge marks an image whose header promises more pixel memory than
// MaxDecodedBytes, or a file longer than MaxBytes. The error says how much
// and what the limit is.
var ErrTooLarge = errors.New("image too large")

// Load reads an image file; see Decode.
func Load(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	defer f.Close()
	return Decode(f, path)
}

// Decode reads a PNG, JPEG, TIFF or FITS stream (recognised by content, not
// by name; name is only used in error messages) and returns *image.Gray or
// *image.Gray16. Colour images are converted to luma (for JPEG the stored
// Y channel, otherwise ITU-R 601 weights); 16-bit sources stay 16-bit.
func Decode(r io.Reader, name string) (image.Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("imageio: %s: read: %w", name, err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("imageio: %s: %w: the file is longer than %s", name, ErrTooLarge, mib(MaxBytes))
	}
	var img image.Image
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		img, err = decodeStd(data, formatPNG, png.DecodeConfig, png.Decode)
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		img, err = decodeStd(data, formatJPEG, jpeg.DecodeConfig, jpeg.Decode)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		img, err = decodeStd(data, formatTIFF, tiff.DecodeConfig, tiff.Decode)
	case bytes.HasPrefix(data, []byte("SIMPLE  =")):
		img, err = decodeFITS(data)
	case len(data) == 0:
		return nil, fmt.Errorf("imageio: %s: %w: empty file", name, ErrFormat)
	default:
		return nil, fmt.Errorf("imageio: %s: %w: not PNG, JPEG, TIFF or FITS", name, ErrFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("imageio: %s: %w", name, err)
	}
	return toGray(img), nil
}

func checkSize(w, h int) error {
	if w <= 0 || h <= 0 || w > MaxSide || h > MaxSide || w*h > MaxPixels {
		return fmt.Errorf("%w: size %dx%d out of range", ErrFormat, w, h)
	}
	return nil
}

// decodeStd checks the header's size and decoded bytes before decoding,
// so a corrupt or hostile header cannot make the decoder allocate
// gigabytes.
func decodeStd(data []byte, f format, cfg func(io.Reader) (image.Config, error), dec func(io.Reader) (image.Image, error)) (img image.Image, err error) {
	c, err := cfg(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := checkSize(c.Width, c.Height); err != nil {
		return nil, err
	}
	model, perPixel := decodeCost(f, c.ColorModel, data)
	if err := checkDecoded(c.Width, c.Height, model, perPixel); err != nil {
		return nil, err
	}
	// The standard decoders are robust, but a decoder bug must not take
	// the program down on one bad file.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%w: decoder failed: %v", ErrFormat, p)
		}
	}()
	img, err = dec(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return img, nil
}

// toGray converts to *image.Gray or *image.Gray16 with origin (0, 0).
func toGray(img image.Image) image.Image {
	b := img.Bounds()
	r := image.Rect(0, 0, b.Dx(), b.Dy())
	switch m := img.(type) {
	case *image.Gray:
		if b.Min == (image.Point{}) {
			return m
		}
	case *image.Gray16:
		if b.Min == (image.Point{}) {
			return m
		}
	case *image.YCbCr:
		// JPEG luma is the Y plane.
		g := image.NewGray(r)
		for y := 0; y < b.Dy(); y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.Pix[y*g.Stride:y*g.Stride+b.Dx()], m.Y[off:off+b.Dx()])
		}
		return g
	}
	if is16(img) {
		g := image.NewGray16(r)
		if m, ok := img.(image.RGBA64Image); ok {
			// color.Gray16Model's weights without boxing every pixel
			// in a color.Color (a garbage allocation per pixel).
			for y := 0; y < b.Dy(); y++ {
				row := g.Pix[y*g.Stride:]
				for x := 0; x < b.Dx(); x++ {
					c := m.RGBA64At(b.Min.X+x, b.Min.Y+y)
					v := (19595*uint32(c.R) + 38470*uint32(c.G) + 7471*uint32(c.B) + 1<<15) >> 16
					row[2*x], row[2*x+1] = uint8(v>>8), uint8(v)
				}
			}
			return g
		}
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				g.SetGray16(x, y, color.Gray16Model.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray16))
			}
		}
		return g
	}
	g := image.NewGray(r)
	draw.Draw(g, r, img, b.Min, draw.Src)
	return g
}

// is16 reports whether an image carries more than 8 bits per channel.
func is16(img image.Image) bool {
	switch img.ColorModel() {
	case color.Gray16Model, color.RGBA64Model, color.NRGBA64Model:
		return true
	}
	return false
}

// ToGray8 returns an 8-bit version of img. *image.Gray is returned as is.
// 16-bit frames are scaled linearly so that 0 stays 0 and the 99.99th
// percentile (at least 255, so 8-bit data stored in 16 bits is not
// stretched) becomes 255: the few brightest pixels (hot pixels, bright star
// cores) clip, and the sky and faint stars keep the full 8-bit range.
// Other types are converted to luma. A nil image gives nil.
func ToGray8(img image.Image) *image.Gray {
	switch m := img.(type) {
	case nil:
		return nil
	case *image.Gray:
		return m
	case *image.Gray16:
		if m == nil {
			return nil
		}
		b := m.Rect
		w, h := b.Dx(), b.Dy()
		hist := make([]int, 65536)
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				hist[int(row[2*x])<<8|int(row[2*x+1])]++
			}
		}
		n := w * h
		keep := n - n/10000 // pixels at or below the white point
		white, cum := 0, 0
		for v, c := range hist {
			cum += c
			if cum >= keep {
				white = v
				break
			}
		}
		white = max(white, 255)
		scale := 255 / float64(white)
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := g.Pix[y*g.Stride:]
			for x := 0; x < w; x++ {
				v := float64(int(row[2*x])<<8|int(row[2*x+1]))*scale + 0.5
				out[x] = uint8(min(v, 255))
			}
		}
		return g
	}
	g := toGray(img)
	if g16, ok := g.(*image.Gray16); ok {
		return ToGray8(g16)
	}
	return g.(*image.Gray)
}
