package rawconv

import (
	"encoding/binary"
	"errors"
	"image"
	"slices"
	"testing"
)

func TestProfiles(t *testing.T) {
	cases := []struct {
		id         string
		name       string
		w, h       int
		raw        uint16
		want8      uint8
		formulaStr string
	}{
		{"imx296", "imx296", 1088, 1088, 60 + 963, 255, "(raw−60)·255/963"},
		{"imx296", "imx296", 1088, 1088, 60 + 100, 26, "100·255/963 = 26.48"},
		{"imx290", "imx462", 980, 980, 238 + 1000, 66, "1000·255/3857 = 66.11"},
		{"imx462", "imx462", 980, 980, 100, 0, "below bias clips to 0"},
		{"imx477", "hq", 1516, 1520, 256 + 100, 86, "100·13·255/3839 = 86.35"},
		{"hq", "hq", 1516, 1520, 4095, 255, "clips at 255"},
	}
	for _, c := range cases {
		p, err := Lookup(c.id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != c.name {
			t.Fatalf("%s → %s, want %s", c.id, p.Name, c.name)
		}
		if w, h := p.CroppedSize(); w != c.w || h != c.h {
			t.Fatalf("%s cropped %dx%d, want %dx%d", c.name, w, h, c.w, c.h)
		}
		if v := p.To8(c.raw); v != c.want8 {
			t.Fatalf("%s To8(%d) = %d, want %d (%s)", c.name, c.raw, v, c.want8, c.formulaStr)
		}
	}
	if _, err := Lookup("ov5647"); !errors.Is(err, ErrUnknownSensor) {
		t.Fatalf("unknown sensor: %v", err)
	}
}

func TestRotate90(t *testing.T) {
	// 3×2 source; for 90° CCW dest(x, y) = src(N−1−y, x).
	src := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(src.Pix, []uint8{1, 2, 3, 4, 5, 6})
	want := map[int][]uint8{
		0: {1, 2, 3, 4, 5, 6},
		1: {3, 6, 2, 5, 1, 4},
		2: {6, 5, 4, 3, 2, 1},
		3: {4, 1, 5, 2, 6, 3},
	}
	for k, w := range want {
		dw, dh := 3, 2
		if k%2 == 1 {
			dw, dh = 2, 3
		}
		dst := image.NewGray(image.Rect(0, 0, dw, dh))
		if err := RotateGray(dst, src, k); err != nil {
			t.Fatal(err)
		}
		for i := range w {
			if dst.Pix[i] != w[i] {
				t.Fatalf("k=%d: %v, want %v", k, dst.Pix, w)
			}
		}
	}
	if q, err := QuarterTurns(-90); err != nil || q != 3 {
		t.Fatalf("QuarterTurns(-90) = %d %v", q, err)
	}
	if _, err := QuarterTurns(45); err == nil {
		t.Fatal("45° accepted")
	}
}

func TestResample(t *testing.T) {
	var rs Resampler
	src := image.NewGray(image.Rect(0, 0, 1088, 1088))
	for i := range src.Pix {
		src.Pix[i] = 77
	}
	dst := image.NewGray(image.Rect(0, 0, 512, 512))
	if err := rs.Resize(dst, src); err != nil {
		t.Fatal(err)
	}
	for _, v := range dst.Pix {
		if v != 77 {
			t.Fatalf("uniform image resampled to %d", v)
		}
	}
	// A single bright pixel keeps its flux roughly (area-preserving filter).
	clear(src.Pix)
	src.Pix[544*1088+544] = 255
	if err := rs.Resize(dst, src); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, v := range dst.Pix {
		sum += int(v)
	}
	if want := 255 * 512 * 512 / (1088 * 1088); sum < want/2 || sum > want*2 {
		t.Fatalf("flux %d after 1088→512, want ≈%d", sum, want)
	}
	if n := testing.AllocsPerRun(5, func() { _ = rs.Resize(dst, src) }); n != 0 {
		t.Fatalf("Resize allocates %v per call", n)
	}
}

func rawFrame(p Profile, stride int, val func(x, y int) uint16) []byte {
	buf := make([]byte, stride*p.RawH)
	for y := 0; y < p.RawH; y++ {
		for x := 0; x < p.RawW; x++ {
			binary.LittleEndian.PutUint16(buf[y*stride+2*x:], val(x, y))
		}
	}
	return buf
}

func TestConvert(t *testing.T) {
	for _, name := range []string{"imx296", "imx462", "hq"} {
		t.Run(name, func(t *testing.T) {
			p := Profiles[name]
			c, err := NewConverter(p, 512, 90)
			if err != nil {
				t.Fatal(err)
			}
			stride := 2*p.RawW + 32
			// A marker pixel in the first row and column kept by the crop.
			mx, my := p.CropLeft, p.CropTop
			buf := rawFrame(p, stride, func(x, y int) uint16 {
				if x == mx && y == my {
					return uint16(1<<p.Bits - 1)
				}
				return uint16(p.Bias) + 50
			})
			w, h := p.CroppedSize()
			raw := image.NewGray16(image.Rect(0, 0, w, h))
			dst := image.NewGray(image.Rect(0, 0, 512, 512))
			if err := c.Convert(buf, Layout{Stride: stride}, raw, dst); err != nil {
				t.Fatal(err)
			}
			// Where the crop's top-left lands after Rot90 quarter turns.
			cw, ch := p.RawW-p.CropLeft-p.CropRight, p.RawH-p.CropTop-p.CropBottom
			var r, cc int
			switch p.Rot90 % 4 {
			case 0:
				r, cc = 0, 0
			case 2:
				r, cc = ch-1, cw-1
			}
			if v := raw.Gray16At(cc, r).Y; v != uint16(1<<p.Bits-1) {
				t.Fatalf("marker at (%d, %d) = %d", cc, r, v)
			}
			want := p.To8(uint16(p.Bias) + 50)
			if v := dst.GrayAt(256, 256).Y; v != want {
				t.Fatalf("background %d, want %d", v, want)
			}
			if n := testing.AllocsPerRun(2, func() { _ = c.Convert(buf, Layout{Stride: stride}, raw, dst) }); n != 0 {
				t.Fatalf("Convert allocates %v per frame", n)
			}
			// Garbage and short input are errors, not panics.
			bad := rawFrame(p, stride, func(int, int) uint16 { return 0xFFFF })
			if err := c.Convert(bad, Layout{Stride: stride}, raw, dst); !errors.Is(err, ErrFrame) {
				t.Fatalf("garbage: %v", err)
			}
			if err := c.Convert(buf[:len(buf)/2], Layout{Stride: stride}, raw, dst); !errors.Is(err, ErrFrame) {
				t.Fatalf("short: %v", err)
			}
		})
	}
}

// FuzzConvert: any bytes, stride and sample format give a frame or an
// error, never a panic, and an accepted frame is within ±1 of the
// reference conversion.
func FuzzConvert(f *testing.F) {
	p := Profile{Name: "tiny", RawW: 40, RawH: 6, Bits: 10, DigitalGain: 1, Bias: 60, CropLeft: 1, CropRight: 1, Rot90: 2}
	c, err := NewConverter(p, 4, 270)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(make([]byte, 80*6), 80, uint8(0))
	f.Add([]byte{1, 2, 3}, 80, uint8(0))
	f.Add(make([]byte, 96*6), 96, uint8(1))
	f.Add(make([]byte, 80*6), 80, uint8(7))
	f.Add(bytesOf(0x03, 96*6), 96, uint8(0))
	f.Add(bytesOf(0xC0, 80*6), 80, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, stride int, format uint8) {
		w, h := p.CroppedSize()
		raw := image.NewGray16(image.Rect(0, 0, w, h))
		dst := image.NewGray(image.Rect(0, 0, 4, 4))
		l := Layout{Stride: stride, Format: SampleFormat(format)}
		if err := c.Convert(data, l, raw, dst); err != nil {
			return
		}
		wantRaw, wantDst := refConvert(p, data, l, 4, 3)
		if !slices.Equal(raw.Pix, wantRaw.Pix) {
			t.Fatalf("raw %v, want %v", raw.Pix, wantRaw.Pix)
		}
		for i, v := range wantDst.Pix {
			if d := int(dst.Pix[i]) - int(v); d < -1 || d > 1 {
				t.Fatalf("solve pixel %d = %d, reference %d", i, dst.Pix[i], v)
			}
		}
	})
}

func bytesOf(b byte, n int) []byte {
	s := make([]byte, n)
	for i := range s {
		s[i] = b
	}
	return s
}

// benchFrame is a converter and one frame of sensor name in the given
// format, with rows padded as a Pi 4 (32-byte) or Pi 5 (64-byte) pads them.
func benchFrame(b *testing.B, name string, f SampleFormat) (*Converter, []byte, Layout, *image.Gray16, *image.Gray) {
	p := Profiles[name]
	c, err := NewConverter(p, 512, 90)
	if err != nil {
		b.Fatal(err)
	}
	align := 32
	if f == MSBAligned {
		align = 64
	}
	l := Layout{Stride: (2*p.RawW + align - 1) / align * align, Format: f}
	shift := 0
	if f == MSBAligned {
		shift = 16 - p.Bits
	}
	buf := rawFrame(p, l.Stride, func(x, y int) uint16 { return uint16(int(p.Bias)+20+(x+y)%50) << shift })
	w, h := p.CroppedSize()
	raw := image.NewGray16(image.Rect(0, 0, w, h))
	dst := image.NewGray(image.Rect(0, 0, 512, 512))
	if err := c.Convert(buf, l, raw, dst); err != nil {
		b.Fatal(err)
	}
	return c, buf, l, raw, dst
}

func benchConvert(b *testing.B, name string, f SampleFormat) {
	c, buf, l, raw, dst := benchFrame(b, name, f)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Convert(buf, l, raw, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// The whole conversion of one frame: raw copy, reduction to 512², turn.
func BenchmarkConvertIMX296(b *testing.B)    { benchConvert(b, "imx296", Unpacked) }
func BenchmarkConvertIMX296MSB(b *testing.B) { benchConvert(b, "imx296", MSBAligned) }
func BenchmarkConvertIMX462(b *testing.B)    { benchConvert(b, "imx462", Unpacked) }
func BenchmarkConvertIMX462MSB(b *testing.B) { benchConvert(b, "imx462", MSBAligned) }
func BenchmarkConvertHQ(b *testing.B)        { benchConvert(b, "hq", Unpacked) }
func BenchmarkConvertHQMSB(b *testing.B)     { benchConvert(b, "hq", MSBAligned) }

// The stages on their own, for the cost table.
func BenchmarkStage(b *testing.B) {
	for _, name := range []string{"imx296", "imx462", "hq"} {
		for _, f := range []SampleFormat{Unpacked, MSBAligned} {
			c, buf, l, raw, _ := benchFrame(b, name, f)
			fr := frame{src: buf, stride: l.Stride}
			if f == MSBAligned {
				fr.shift = uint(16 - c.p.Bits)
			}
			b.Run(name+"/"+f.String()+"/raw", func(b *testing.B) {
				for b.Loop() {
					c.copyRaw(fr, raw)
				}
			})
			b.Run(name+"/"+f.String()+"/reduce", func(b *testing.B) {
				for b.Loop() {
					c.reduce(fr, c.img)
				}
			})
		}
	}
	src := image.NewGray(image.Rect(0, 0, 512, 512))
	dst := image.NewGray(src.Rect)
	b.Run("turn90", func(b *testing.B) {
		for b.Loop() {
			rotateSquare(dst, src, 1)
		}
	})
}
