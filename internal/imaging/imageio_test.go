package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

func gradient8(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.Pix[y*g.Stride+x] = uint8((x*7 + y*13) % 256)
		}
	}
	return g
}

func gradient16(w, h int) *image.Gray16 {
	g := image.NewGray16(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.SetGray16(x, y, color.Gray16{Y: uint16((x*977 + y*4099) % 65536)})
		}
	}
	return g
}

// fitsBytes writes a minimal FITS file.
func fitsBytes(w, h, bitpix int, extra []string, data func(i int) []byte) []byte {
	cards := []string{
		"SIMPLE  =                    T",
		fmt.Sprintf("BITPIX  = %20d", bitpix),
		"NAXIS   =                    2",
		fmt.Sprintf("NAXIS1  = %20d", w),
		fmt.Sprintf("NAXIS2  = %20d", h),
	}
	cards = append(cards, extra...)
	cards = append(cards, "END")
	var b bytes.Buffer
	for _, c := range cards {
		b.WriteString(c + strings.Repeat(" ", 80-len(c)))
	}
	for b.Len()%2880 != 0 {
		b.WriteByte(' ')
	}
	for i := 0; data != nil && i < w*h; i++ {
		b.Write(data(i))
	}
	for b.Len()%2880 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func encode(t testing.TB, img image.Image, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 100})
	case "tiff":
		err = tiff.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeFormats(t *testing.T) {
	g8, g16 := gradient8(37, 21), gradient16(37, 21)
	rgba := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i * 5)
	}
	cases := []struct {
		name   string
		data   []byte
		want16 bool
		check  func(image.Image) error
	}{
		{"png8", encode(t, g8, "png"), false, same8(g8, 0)},
		{"png16", encode(t, g16, "png"), true, same16(g16)},
		{"tiff8", encode(t, g8, "tiff"), false, same8(g8, 0)},
		{"tiff16", encode(t, g16, "tiff"), true, same16(g16)},
		{"jpeg gray", encode(t, g8, "jpeg"), false, same8(g8, 6)},
		{"png rgba", encode(t, rgba, "png"), false, func(img image.Image) error {
			want := color.GrayModel.Convert(rgba.At(3, 2)).(color.Gray).Y
			if got := img.(*image.Gray).GrayAt(3, 2).Y; got != want {
				return fmt.Errorf("luma %d, want %d", got, want)
			}
			return nil
		}},
		{"jpeg colour", encode(t, rgba, "jpeg"), false, nil},
		{"fits8", fitsBytes(37, 21, 8, nil, func(i int) []byte { return []byte{g8.Pix[i]} }), false, same8(g8, 0)},
		{"fits16 bzero", fitsBytes(37, 21, 16, []string{"BZERO   =                32768", "BSCALE  =                    1"}, func(i int) []byte {
			v := uint16(g16.Pix[2*i])<<8 | uint16(g16.Pix[2*i+1])
			return binary.BigEndian.AppendUint16(nil, uint16(int16(int(v)-32768)))
		}), true, same16(g16)},
		{"fits-32", fitsBytes(37, 21, -32, nil, func(i int) []byte {
			return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(g8.Pix[i])*0.5-3))
		}), true, func(img image.Image) error {
			// Linear in the input: the brightest pixel maps to 65535, the faintest to 0.
			m := img.(*image.Gray16)
			for i := range g8.Pix {
				want := math.Round(float64(g8.Pix[i]) / 255 * 65535)
				got := float64(uint16(m.Pix[2*i])<<8 | uint16(m.Pix[2*i+1]))
				if math.Abs(got-want) > 1 {
					return fmt.Errorf("pixel %d = %v, want %v", i, got, want)
				}
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Decode(bytes.NewReader(tc.data), tc.name)
			if err != nil {
				t.Fatal(err)
			}
			switch img.(type) {
			case *image.Gray:
				if tc.want16 {
					t.Fatalf("got 8-bit, want 16-bit")
				}
			case *image.Gray16:
				if !tc.want16 {
					t.Fatalf("got 16-bit, want 8-bit")
				}
			default:
				t.Fatalf("got %T", img)
			}
			if tc.check != nil {
				if err := tc.check(img); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func same8(want *image.Gray, tol int) func(image.Image) error {
	return func(img image.Image) error {
		g := img.(*image.Gray)
		if g.Rect != want.Rect {
			return fmt.Errorf("bounds %v, want %v", g.Rect, want.Rect)
		}
		for y := 0; y < want.Rect.Dy(); y++ {
			for x := 0; x < want.Rect.Dx(); x++ {
				a, b := int(g.GrayAt(x, y).Y), int(want.GrayAt(x, y).Y)
				if a-b > tol || b-a > tol {
					return fmt.Errorf("pixel (%d,%d) = %d, want %d", x, y, a, b)
				}
			}
		}
		return nil
	}
}

func same16(want *image.Gray16) func(image.Image) error {
	return func(img image.Image) error {
		g := img.(*image.Gray16)
		if g.Rect != want.Rect || !bytes.Equal(g.Pix, want.Pix) {
			return fmt.Errorf("16-bit pixels differ")
		}
		return nil
	}
}

func TestDecodeErrors(t *testing.T) {
	g8 := gradient8(16, 16)
	pngData := encode(t, g8, "png")
	fits := fitsBytes(16, 16, 8, nil, func(i int) []byte { return []byte{1} })
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"empty", "empty file", nil},
		{"garbage", "not PNG, JPEG, TIFF or FITS", []byte("hello world")},
		{"truncated png", "unsupported or corrupt", pngData[:len(pngData)/2]},
		{"truncated fits", "truncated", fits[:2880+100]},
		{"fits no end", "no END", fits[:400]},
		{"fits bitpix", "BITPIX 12", fitsBytes(4, 4, 12, nil, func(int) []byte { return []byte{0} })},
		{"fits huge", "out of range", fitsBytes(1<<20, 1<<20, 8, nil, nil)},
		{"fits cube", "NAXIS3", bytes.Replace(fitsBytes(4, 4, 8, []string{"NAXIS3  =                    3"}, func(int) []byte { return []byte{0} }), []byte("NAXIS   =                    2"), []byte("NAXIS   =                    3"), 1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tc.data), "frame.x")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "frame.x") {
				t.Fatalf("error %q, want it to mention %q and the file name", err, tc.want)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %v is not ErrFormat", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.png")
	if err := os.WriteFile(p, encode(t, gradient8(9, 9), "png"), 0o600); err != nil {
		t.Fatal(err)
	}
	if img, err := Load(p); err != nil || img.Bounds().Dx() != 9 {
		t.Fatalf("Load: %v %v", img, err)
	}
	_, err := Load(filepath.Join(dir, "missing.png"))
	if err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Fatalf("missing file error %v", err)
	}
}

func TestToGray8(t *testing.T) {
	g8 := gradient8(10, 10)
	if ToGray8(g8) != g8 {
		t.Error("8-bit input not returned as is")
	}
	if ToGray8(nil) != nil {
		t.Error("nil input")
	}
	// A 12-bit frame: sky ~400, stars up to 4000, one hot pixel at 65535.
	g16 := image.NewGray16(image.Rect(0, 0, 200, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 200; x++ {
			g16.SetGray16(x, y, color.Gray16{Y: uint16(400 + (x*y)%4000)})
		}
	}
	g16.SetGray16(5, 5, color.Gray16{Y: 65535})
	out := ToGray8(g16)
	if out.GrayAt(5, 5).Y != 255 {
		t.Error("hot pixel should clip to 255")
	}
	if v := out.GrayAt(0, 0).Y; v < 20 || v > 30 {
		t.Errorf("sky 400 mapped to %d, want about 25 (white point near 4400, not 65535)", v)
	}
	// 8-bit data stored in 16 bits is not stretched.
	small := image.NewGray16(image.Rect(0, 0, 4, 4))
	small.SetGray16(1, 1, color.Gray16{Y: 100})
	if v := ToGray8(small).GrayAt(1, 1).Y; v != 100 {
		t.Errorf("value 100 of a dim 16-bit frame became %d", v)
	}
	rgba := image.NewRGBA(image.Rect(0, 0, 2, 2))
	rgba.Set(0, 0, color.RGBA{255, 255, 255, 255})
	if v := ToGray8(rgba).GrayAt(0, 0).Y; v != 255 {
		t.Errorf("white RGBA became %d", v)
	}
}

func TestSharedSkyImages(t *testing.T) {
	dir := "../../shared/sky/images"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("shared sky images absent (%v)", err)
	}
	for _, e := range ents {
		img, err := Load(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		_, is16 := img.(*image.Gray16)
		if strings.HasSuffix(e.Name(), ".tiff") != is16 {
			t.Errorf("%s: decoded as %T", e.Name(), img)
		}
	}
}

func FuzzDecode(f *testing.F) {
	g8, g16 := gradient8(12, 7), gradient16(5, 9)
	for _, format := range []string{"png", "tiff", "jpeg"} {
		f.Add(encode(f, g8, format))
		if format != "jpeg" {
			f.Add(encode(f, g16, format))
		}
	}
	f.Add(fitsBytes(6, 5, 8, nil, func(i int) []byte { return []byte{byte(i)} }))
	f.Add(fitsBytes(6, 5, 16, []string{"BZERO   =                32768"}, func(i int) []byte { return []byte{byte(i), 1} }))
	f.Add(fitsBytes(3, 4, -32, []string{"BSCALE  =                  2.0"}, func(i int) []byte { return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(i))) }))
	f.Add(fitsBytes(3, 4, -64, nil, func(i int) []byte { return binary.BigEndian.AppendUint64(nil, math.Float64bits(math.NaN())) }))
	f.Add(fitsBytes(3, 4, 32, nil, func(i int) []byte { return []byte{0, 0, 0, byte(i)} }))
	f.Add([]byte("SIMPLE  =                    T"))
	f.Add([]byte{})
	// Image bombs (issue 14): tiny headers promising 512 MiB and more.
	f.Add(pngBomb(8192, 8192, 16, 6, 0))
	f.Add(pngBomb(6000, 4000, 16, 0, 1))
	f.Add(jpegBomb(f, image.NewRGBA(image.Rect(0, 0, 16, 16)), 8192, 8192, false))
	f.Add(jpegBomb(f, g8, 4096, 4096, true))
	f.Add(tiffBomb(f, image.NewRGBA64(image.Rect(0, 0, 16, 16)), 8192, 8192))
	f.Add(fitsBomb(8192, 8192, -64))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		if b := img.Bounds(); int64(b.Dx())*int64(b.Dy()) > MaxDecodedBytes {
			t.Fatalf("decoded %v, beyond the decode limit", b)
		}
		switch m := img.(type) {
		case *image.Gray, *image.Gray16:
			g := ToGray8(m)
			if g.Rect.Dx() != img.Bounds().Dx() || g.Rect.Dy() != img.Bounds().Dy() {
				t.Fatalf("ToGray8 changed size")
			}
		default:
			t.Fatalf("Decode returned %T", img)
		}
	})
}
