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
	MaxBytes  = 1 << 30  // bytes read from one file
)

// ErrFormat marks data that is not an image this package reads.
var ErrFormat = errors.New("unsupported or corrupt image")

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
		return nil, fmt.Errorf("imageio: %s: %w: larger than %d bytes", name, ErrFormat, MaxBytes)
	}
	var img image.Image
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		img, err = decodeStd(data, png.DecodeConfig, png.Decode)
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		img, err = decodeStd(data, jpeg.DecodeConfig, jpeg.Decode)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		img, err = decodeStd(data, tiff.DecodeConfig, tiff.Decode)
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

// decodeStd checks the header's size before decoding, so a corrupt header
// cannot make the decoder allocate gigabytes.
func decodeStd(data []byte, cfg func(io.Reader) (image.Config, error), dec func(io.Reader) (image.Image, error)) (img image.Image, err error) {
	c, err := cfg(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := checkSize(c.Width, c.Height); err != nil {
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
