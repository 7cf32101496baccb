package ssd1351

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"

	"github.com/pifinder-go/pifinder/hw/display"
)

var _ display.Display = (*Dev)(nil)

// op is one SPI write and the D/C level it was sent with ('C' low, 'D' high).
type op struct {
	DC    byte
	Bytes string // hex
}

func (o op) String() string { return fmt.Sprintf("%c:%s", o.DC, o.Bytes) }

// wire wraps an spi.Conn and records each write with the D/C pin's level
// at that moment; failAt makes the failAt-th Tx (1-based) fail.
type wire struct {
	spi.Conn
	dc     *gpiotest.Pin
	ops    []op
	n      int
	failAt int
	max    int
}

func (w *wire) Tx(b, r []byte) error {
	w.n++
	if w.n == w.failAt {
		return errors.New("spi broke")
	}
	w.dc.Lock()
	l := w.dc.L
	w.dc.Unlock()
	c := byte('C')
	if l == gpio.High {
		c = 'D'
	}
	w.ops = append(w.ops, op{c, fmt.Sprintf("%x", b)})
	return w.Conn.Tx(b, r)
}

func (w *wire) MaxTxSize() int { return w.max }

var _ conn.Limits = (*wire)(nil)

// cmds is the expected transcript of a list of commands (first byte with D/C
// low, the rest with D/C high).
func cmds(seq ...[]byte) []op {
	var out []op
	for _, s := range seq {
		out = append(out, op{'C', fmt.Sprintf("%x", s[:1])})
		if len(s) > 1 {
			out = append(out, op{'D', fmt.Sprintf("%x", s[1:])})
		}
	}
	return out
}

func frameOps(n, chunk int, px []byte) []op {
	e := byte(n - 1)
	out := cmds([]byte{0x15, 0, e}, []byte{0x75, 0, e}, []byte{0x5C})
	for len(px) > 0 {
		k := min(chunk, len(px))
		out = append(out, op{'D', fmt.Sprintf("%x", px[:k])})
		px = px[k:]
	}
	return out
}

func newTest(t *testing.T, opts Opts, max int) (*Dev, *wire, *spitest.Record, *gpiotest.Pin) {
	t.Helper()
	rec := &spitest.Record{}
	c, err := rec.Connect(Speed, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	dc := &gpiotest.Pin{N: "DC"}
	rst := &gpiotest.Pin{N: "RST"}
	w := &wire{Conn: c, dc: dc, max: max}
	var d *Dev
	synctest.Test(t, func(t *testing.T) { d, err = New(w, dc, rst, opts) })
	if err != nil {
		t.Fatal(err)
	}
	if rst.L != gpio.High {
		t.Errorf("RST left %v after reset, want high", rst.L)
	}
	return d, w, rec, dc
}

func TestInitSequence(t *testing.T) {
	black := func(n int) []byte { return make([]byte, 2*n*n) }
	tests := []struct {
		name string
		opts Opts
		want []op
	}{
		{"ssd1351", DefaultOpts(SSD1351), append(append(cmds(
			[]byte{0xFD, 0x12}, []byte{0xFD, 0xB1}, []byte{0xAE}, []byte{0xB3, 0xF1},
			[]byte{0xCA, 0x7F}, []byte{0x15, 0x00, 0x7F}, []byte{0x75, 0x00, 0x7F},
			[]byte{0xA0, 0x74}, []byte{0xA1, 0x00}, []byte{0xA2, 0x00}, []byte{0xB5, 0x00},
			[]byte{0xAB, 0x01}, []byte{0xB1, 0x32}, []byte{0xB4, 0xA0, 0xB5, 0x55},
			[]byte{0xBE, 0x05}, []byte{0xC7, 0x0F}, []byte{0xB6, 0x01}, []byte{0xA6},
			[]byte{0xC1, 0xFF, 0xFF, 0xFF}),
			frameOps(128, 4096, black(128))...), cmds([]byte{0xAF})...)},
		{"ssd1333", DefaultOpts(SSD1333), append(append(cmds(
			[]byte{0xFD, 0x12}, []byte{0xAE}, []byte{0xB3, 0xF1},
			[]byte{0xCA, 0xAF}, []byte{0x15, 0x00, 0xAF}, []byte{0x75, 0x00, 0xAF},
			[]byte{0xA0, 0x74}, []byte{0xA1, 0x00}, []byte{0xA2, 0x00},
			[]byte{0xB1, 0x32}, []byte{0xBB, 0x17}, []byte{0xBE, 0x05}, []byte{0xC7, 0x0F},
			[]byte{0xB6, 0x08}, []byte{0xB9}, []byte{0xA6},
			[]byte{0xC1, 0xFF, 0xFF, 0xFF}),
			frameOps(176, 4096, black(176))...), cmds([]byte{0xAF})...)},
		{"ssd1351 rgb", Opts{RGB: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, w, rec, _ := newTest(t, tt.opts, 0)
			if tt.want == nil {
				if w.ops[14] != (op{'D', "70"}) {
					t.Errorf("remap data = %v, want D:70", w.ops[14])
				}
				return
			}
			if diff := cmp.Diff(tt.want, w.ops); diff != "" {
				t.Errorf("init transcript (-want +got):\n%s", diff)
			}
			// The spitest recorder saw the same bytes.
			if len(rec.Ops) != len(tt.want) {
				t.Errorf("spitest.Record has %d ops, want %d", len(rec.Ops), len(tt.want))
			}
		})
	}
}

// TestInitPlayback replays the SSD1351 init against spitest.Playback, which
// fails on any byte that differs and, at Close, on any write left out.
func TestInitPlayback(t *testing.T) {
	_, w, rec, _ := newTest(t, Opts{}, 0)
	_ = w
	pb := &spitest.Playback{Playback: conntest.Playback{Ops: rec.Ops, DontPanic: true}}
	c, err := pb.Connect(Speed, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		_, err = New(c, &gpiotest.Pin{}, nil, Opts{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDrawFrame(t *testing.T) {
	d, w, _, _ := newTest(t, Opts{}, 0)
	img := image.NewRGBA(image.Rect(0, 0, 128, 128))
	img.Set(0, 0, color.RGBA{0xFF, 0, 0, 0xFF})     // red: F800
	img.Set(1, 0, color.RGBA{0, 0xFF, 0, 0xFF})     // green: 07E0
	img.Set(127, 127, color.RGBA{0, 0, 0xFF, 0xFF}) // blue: 001F
	w.ops = nil
	if err := d.Draw(img); err != nil {
		t.Fatal(err)
	}
	px := make([]byte, 2*128*128)
	copy(px, []byte{0xF8, 0x00, 0x07, 0xE0})
	px[len(px)-2], px[len(px)-1] = 0x00, 0x1F
	if diff := cmp.Diff(frameOps(128, 4096, px), w.ops); diff != "" {
		t.Errorf("frame transcript (-want +got):\n%s", diff)
	}
	if len(w.ops) != 3*2-1+8 { // 2 windows (cmd+data), write RAM, 32768/4096 chunks
		t.Errorf("%d writes, want 13", len(w.ops))
	}
}

func TestDrawChunksToMaxTxSize(t *testing.T) {
	d, w, _, _ := newTest(t, Opts{}, 1000)
	w.ops = nil
	if err := d.Draw(image.NewRGBA(image.Rect(0, 0, 128, 128))); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(frameOps(128, 1000, make([]byte, 32768)), w.ops); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBrightness(t *testing.T) {
	tests := []struct {
		level int
		want  []op
	}{
		{255, cmds([]byte{0xC7, 0x0F}, []byte{0xC1, 0xFF, 0xFF, 0xFF})},
		{16, cmds([]byte{0xC7, 0x0F}, []byte{0xC1, 0x10, 0x10, 0x10})},
		{15, cmds([]byte{0xC7, 0x0F}, []byte{0xC1, 0x0F, 0x0F, 0x0F})},
		{3, cmds([]byte{0xC7, 0x03}, []byte{0xC1, 0x03, 0x03, 0x03})},
		{0, cmds([]byte{0xC7, 0x00}, []byte{0xC1, 0x00, 0x00, 0x00})},
	}
	d, w, _, _ := newTest(t, Opts{}, 0)
	for _, tt := range tests {
		w.ops = nil
		if err := d.SetBrightness(tt.level); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, w.ops); diff != "" {
			t.Errorf("SetBrightness(%d) (-want +got):\n%s", tt.level, diff)
		}
	}
	for _, bad := range []int{-1, 256} {
		if err := d.SetBrightness(bad); err == nil {
			t.Errorf("SetBrightness(%d): no error", bad)
		}
	}
}

func TestCloseTurnsOff(t *testing.T) {
	d, w, _, _ := newTest(t, Opts{}, 0)
	w.ops = nil
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cmds([]byte{0xAE}), w.ops); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := d.Close(); err != nil || len(w.ops) != 1 {
		t.Errorf("second Close: err %v, %d writes; want nil, no more", err, len(w.ops))
	}
	if err := d.Draw(image.NewRGBA(d.Bounds())); err == nil {
		t.Error("Draw after Close: no error")
	}
}

// TestPortErrors breaks each SPI write of init in turn, then each of a
// frame write: the error comes back wrapped, never a panic.
func TestPortErrors(t *testing.T) {
	_, w0, _, _ := newTest(t, Opts{}, 0)
	initWrites := len(w0.ops)
	for i := 1; i <= initWrites; i++ {
		rec := &spitest.Record{}
		c, _ := rec.Connect(Speed, spi.Mode0, 8)
		dc := &gpiotest.Pin{}
		w := &wire{Conn: c, dc: dc, failAt: i}
		var err error
		synctest.Test(t, func(t *testing.T) { _, err = New(w, dc, nil, Opts{}) })
		if err == nil || !strings.Contains(err.Error(), "spi broke") || !strings.Contains(err.Error(), "ssd1351: init") {
			t.Fatalf("write %d failing: err = %v", i, err)
		}
	}
	d, w, _, _ := newTest(t, Opts{}, 0)
	w.failAt = w.n + 4 // the first pixel chunk
	if err := d.Draw(image.NewRGBA(d.Bounds())); err == nil || !strings.Contains(err.Error(), "ssd1351: draw") {
		t.Errorf("Draw with a broken port: err = %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	rec := &spitest.Record{}
	c, _ := rec.Connect(Speed, spi.Mode0, 8)
	tests := []struct {
		name string
		c    spi.Conn
		dc   gpio.PinOut
		opts Opts
	}{
		{"no conn", nil, &gpiotest.Pin{}, Opts{}},
		{"no dc", c, nil, Opts{}},
		{"invalid dc", c, gpio.INVALID, Opts{}},
		{"variant", c, &gpiotest.Pin{}, Opts{Variant: 7}},
		{"rotate", c, &gpiotest.Pin{}, Opts{Rotate: 4}},
	}
	for _, tt := range tests {
		if _, err := New(tt.c, tt.dc, nil, tt.opts); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestConvert(t *testing.T) {
	// A 4×4 image with one marked pixel at (1, 0) in each source type.
	mark := color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	rgba := image.NewRGBA(image.Rect(0, 0, 4, 4))
	rgba.Set(1, 0, mark)
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, mark})
	pal.SetColorIndex(1, 0, 1)
	gray := image.NewGray(image.Rect(0, 0, 4, 4))
	gray.Set(1, 0, mark)
	sub := image.NewRGBA(image.Rect(10, 10, 14, 14)) // bounds not at the origin
	sub.Set(11, 10, mark)
	where := map[int][2]int{0: {1, 0}, 1: {3, 1}, 2: {2, 3}, 3: {0, 2}}
	for name, img := range map[string]image.Image{"rgba": rgba, "paletted": pal, "gray": gray, "offset": sub} {
		for rot, at := range where {
			dst := make([]byte, 32)
			for i := range dst {
				dst[i] = 0xAA // garbage the conversion must overwrite
			}
			Convert(dst, 4, img, rot)
			for y := 0; y < 4; y++ {
				for x := 0; x < 4; x++ {
					v := uint16(dst[2*(4*y+x)])<<8 | uint16(dst[2*(4*y+x)+1])
					want := uint16(0)
					if x == at[0] && y == at[1] {
						want = 0xFFFF
					}
					if v != want {
						t.Errorf("%s rotate %d: pixel (%d,%d) = %04x, want %04x", name, rot, x, y, v, want)
					}
				}
			}
		}
	}
	// A smaller image leaves the rest black.
	dst := make([]byte, 32)
	for i := range dst {
		dst[i] = 0xAA
	}
	Convert(dst, 4, image.NewRGBA(image.Rect(0, 0, 2, 2)), 0)
	for i, b := range dst {
		if b != 0 {
			t.Fatalf("byte %d = %#x after a 2×2 image, want 0", i, b)
		}
	}
}

func uiFrame(n int) (*image.RGBA, *image.Paletted) {
	rgba := image.NewRGBA(image.Rect(0, 0, n, n))
	pal := image.NewPaletted(rgba.Rect, color.Palette{color.Black, color.RGBA{0x80, 0, 0, 0xFF}, color.RGBA{0xFF, 0, 0, 0xFF}})
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			rgba.Pix[rgba.PixOffset(x, y)] = byte(x * y)
			rgba.Pix[rgba.PixOffset(x, y)+3] = 0xFF
			pal.Pix[pal.PixOffset(x, y)] = byte((x + y) % 3)
		}
	}
	return rgba, pal
}

// BenchmarkFrame128 is the conversion of one 128×128 RGBA UI frame to
// RGB565, the per-frame cost of the screen.
func BenchmarkFrame128(b *testing.B) {
	rgba, _ := uiFrame(128)
	dst := make([]byte, 2*128*128)
	for b.Loop() {
		Convert(dst, 128, rgba, 0)
	}
}

func BenchmarkFrame128Paletted(b *testing.B) {
	_, pal := uiFrame(128)
	dst := make([]byte, 2*128*128)
	for b.Loop() {
		Convert(dst, 128, pal, 0)
	}
}

// BenchmarkFrame176Rotated is the SSD1333's frame, turned as PiFinder does.
func BenchmarkFrame176Rotated(b *testing.B) {
	rgba, _ := uiFrame(176)
	dst := make([]byte, 2*176*176)
	for b.Loop() {
		Convert(dst, 176, rgba, 3)
	}
}

// generic hides an image's concrete type, forcing Convert's slow path.
type generic struct{ image.Image }

// TestFastPathsMatchGeneric compares the RGBA and Paletted fast paths with
// the generic color.Color path on frames of every byte value.
func TestFastPathsMatchGeneric(t *testing.T) {
	rgba, pal := uiFrame(128)
	for i := range rgba.Pix {
		if i%4 != 3 {
			rgba.Pix[i] = byte(i * 7 / 3)
		}
	}
	pal.Palette = append(pal.Palette, color.RGBA{0x13, 0x57, 0x9B, 0xFF})
	pal.Pix[5] = 3
	for _, img := range []image.Image{rgba, pal} {
		for rot := 0; rot < 4; rot++ {
			fast, slow := make([]byte, 2*128*128), make([]byte, 2*128*128)
			Convert(fast, 128, img, rot)
			Convert(slow, 128, generic{img}, rot)
			if !slices.Equal(fast, slow) {
				t.Errorf("%T rotate %d: fast path differs from the generic one", img, rot)
			}
		}
	}
	// And the generic path against hand-packed 565 for one odd colour.
	one := image.NewRGBA(image.Rect(0, 0, 1, 1))
	one.Set(0, 0, color.RGBA{0x13, 0x57, 0x9B, 0xFF}) // 00010 010101 10011
	dst := make([]byte, 2)
	Convert(dst, 1, generic{one}, 0)
	if want := []byte{0x12, 0xB3}; !slices.Equal(dst, want) {
		t.Errorf("565 of #13579B = % x, want % x", dst, want)
	}
}
