package imaging

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"runtime"
	"strings"
	"testing"
)

// pngBomb is the header of a w×h PNG of the given bit depth and colour
// type, with an IDAT holding a few rows of zeros: small, but a decoder
// that trusts the header allocates the whole image before it finds the
// data short.
func pngBomb(w, h int, depth, colorType, interlace byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	chunk("IHDR", append(ihdr, depth, colorType, 0, 0, interlace))
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(make([]byte, 4096))
	_ = zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// jpegSegment returns the offset of the first segment with marker m
// (0xFF m, length, payload) in a clean JPEG stream, or -1.
func jpegSegment(data []byte, m byte) int {
	for i := 2; i+4 <= len(data) && data[i] == 0xFF; i += 2 + int(binary.BigEndian.Uint16(data[i+2:])) {
		if data[i+1] == m {
			return i
		}
	}
	return -1
}

// jpegBomb encodes a small image and rewrites its frame header to w×h, so
// that the decoder allocates its planes (and, progressive, its DCT
// coefficients) for w×h before it finds the scan data short.
func jpegBomb(t testing.TB, img image.Image, w, h int, progressive bool) []byte {
	t.Helper()
	data := bytes.Clone(encode(t, img, "jpeg"))
	sof, sos := jpegSegment(data, 0xC0), jpegSegment(data, 0xDA)
	if sof < 0 || sos < 0 {
		t.Fatal("encoded JPEG without SOF0 or SOS")
	}
	binary.BigEndian.PutUint16(data[sof+5:], uint16(h))
	binary.BigEndian.PutUint16(data[sof+7:], uint16(w))
	if progressive {
		data[sof+1] = 0xC2
		// The first scan of a progressive file is the DC one: Ss = Se = 0.
		n := int(binary.BigEndian.Uint16(data[sos+2:]))
		data[sos+2+n-2] = 0 // Se
	}
	return data
}

// tiffBomb encodes a small image and rewrites its width, height and rows
// per strip to w×h in one strip.
func tiffBomb(t testing.TB, img image.Image, w, h int) []byte {
	t.Helper()
	data := bytes.Clone(encode(t, img, "tiff"))
	bo := binary.ByteOrder(binary.LittleEndian)
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	ifd := int(bo.Uint32(data[4:]))
	set := map[uint16]int{256: w, 257: h, 278: h} // ImageWidth, ImageLength, RowsPerStrip
	for i := range int(bo.Uint16(data[ifd:])) {
		e := data[ifd+2+12*i:]
		if v, ok := set[bo.Uint16(e)]; ok {
			if bo.Uint16(e[2:]) == 3 { // SHORT
				bo.PutUint16(e[8:], uint16(v))
			} else {
				bo.PutUint32(e[8:], uint32(v))
			}
			delete(set, bo.Uint16(e))
		}
	}
	if len(set) != 0 {
		t.Fatalf("tags %v not in the encoded TIFF", set)
	}
	return data
}

// fitsBomb is a FITS header promising w×h pixels of bitpix and no data.
func fitsBomb(w, h, bitpix int) []byte { return fitsBytes(w, h, bitpix, nil, nil) }

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeBombs: small files whose headers promise images far larger in
// memory than MaxDecodedBytes are refused from the header, naming the
// size and the limit, without allocating the image.
func TestDecodeBombs(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"png 8192² RGBA64 (issue 14)", pngBomb(8192, 8192, 16, 6, 0), "image 8192×8192 NRGBA64 would decode to 512 MiB; the limit is 64 MiB"},
		{"png 8192² RGB 16-bit", pngBomb(8192, 8192, 16, 2, 0), "image 8192×8192 RGBA64 would decode to 512 MiB"},
		{"png 8192² Gray16", pngBomb(8192, 8192, 16, 0, 0), "image 8192×8192 Gray16 would decode to 128 MiB"},
		{"png interlaced", pngBomb(6000, 4000, 16, 0, 1), "image 6000×4000 Gray16 interlaced would decode to 91.6 MiB"},
		{"jpeg colour", jpegBomb(t, rgba, 8192, 8192, false), "image 8192×8192 YCbCr would decode to 192 MiB"},
		{"jpeg grey progressive", jpegBomb(t, gradient8(16, 16), 4096, 4096, true), "image 4096×4096 Gray progressive would decode to 80 MiB"},
		{"tiff RGBA64", tiffBomb(t, image.NewRGBA64(image.Rect(0, 0, 16, 16)), 8192, 8192), "image 8192×8192 RGBA64 would decode to 1024 MiB"},
		{"tiff Gray16", tiffBomb(t, gradient16(16, 16), 8000, 4000), "image 8000×4000 Gray16 would decode to 122.1 MiB"},
		{"fits -64", fitsBomb(8192, 8192, -64), "image 8192×8192 FITS BITPIX -64 would decode to 512 MiB"},
		{"fits 16", fitsBomb(8192, 8192, 16), "image 8192×8192 FITS BITPIX 16 would decode to 128 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.data) > 8<<10 {
				t.Fatalf("the bomb is %d bytes; it should be tiny", len(tc.data))
			}
			var err error
			n := allocated(func() { _, err = Decode(bytes.NewReader(tc.data), "bomb.x") })
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bomb.x") {
				t.Errorf("error %v, want ErrTooLarge naming the file and %q", err, tc.want)
			}
			if n > 4<<20 {
				t.Errorf("decoding allocated %d MiB; the header check should refuse it first", n>>20)
			}
		})
	}
}

// TestDecodedLimitAdmitsRealFrames: the largest frames PiFinder meets,
// the HQ camera's full 4056×3040, pass the header check (these headers
// are then refused for their missing data), and a colour 16-bit one does not.
func TestDecodedLimitAdmitsRealFrames(t *testing.T) {
	const w, h = 4056, 3040
	cases := []struct {
		name     string
		data     []byte
		tooLarge bool
	}{
		{"16-bit PNG", pngBomb(w, h, 16, 0, 0), false},
		{"16-bit TIFF", tiffBomb(t, gradient16(16, 16), w, h), false},
		{"16-bit FITS", fitsBomb(w, h, 16), false},
		{"32-bit float FITS", fitsBomb(w, h, -32), false},
		{"8-bit colour JPEG", jpegBomb(t, image.NewRGBA(image.Rect(0, 0, 16, 16)), w, h, false), false},
		{"16-bit RGBA TIFF", tiffBomb(t, image.NewRGBA64(image.Rect(0, 0, 16, 16)), w, h), true},
	}
	for _, tc := range cases {
		_, err := Decode(bytes.NewReader(tc.data), tc.name)
		if err == nil || errors.Is(err, ErrTooLarge) != tc.tooLarge {
			t.Errorf("%s: error %v, want too large %v", tc.name, err, tc.tooLarge)
		}
	}
}

// TestJPEGProgressive: the marker walk finds the frame header as
// image/jpeg does, and counts what it cannot find as progressive.
func TestJPEGProgressive(t *testing.T) {
	g := gradient8(16, 16)
	base := encode(t, g, "jpeg")
	cases := []struct {
		name string
		data []byte
		want bool
	}{
		{"baseline", base, false},
		{"progressive", jpegBomb(t, g, 16, 16, true), true},
		{"fill bytes and junk before SOF", append([]byte{0xFF, 0xD8, 0x12, 0xFF, 0xFF, 0xFF}, base[3:]...), false},
		{"no frame header", []byte{0xFF, 0xD8, 0xFF, 0xD9}, true},
		{"truncated length", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0}, true},
		{"short length", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 0xFF, 0xC0}, true},
		{"restart markers", append([]byte{0xFF, 0xD8, 0xFF, 0xD0, 0xFF, 0x00}, base[2:]...), false},
	}
	for _, tc := range cases {
		if got := jpegProgressive(tc.data); got != tc.want {
			t.Errorf("%s: progressive %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzJPEGProgressive: the marker walk ends on any input without
// panicking, and calls a stream baseline only when it has a baseline
// (SOF0 or SOF1) frame header.
func FuzzJPEGProgressive(f *testing.F) {
	g := gradient8(16, 16)
	f.Add(encode(f, g, "jpeg"))
	f.Add(jpegBomb(f, g, 16, 16, true))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 1})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xD7, 0, 0x84, 0xFF, 0xC0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if !jpegProgressive(data) && !bytes.Contains(data, []byte{0xFF, 0xC0}) && !bytes.Contains(data, []byte{0xFF, 0xC1}) {
			t.Fatal("baseline without a baseline frame header")
		}
	})
}
