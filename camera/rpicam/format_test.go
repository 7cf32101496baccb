package rpicam

import (
	"errors"
	"strings"
	"testing"

	"github.com/pifinder-go/pifinder/camera/rawconv"
)

func TestParseRawStreamLine(t *testing.T) {
	cases := []struct {
		line   string
		ok     bool
		bad    bool
		want   StreamInfo
		sensor string
		layout rawconv.Layout
		lerr   string
	}{
		// Pi 5, mono imx296: 1456 px × 2 = 2912 bytes padded to 64 → 2944.
		{line: "Raw stream: 1456x1088 stride 2944 format R16", ok: true, want: StreamInfo{1456, 1088, 2944, "R16"},
			sensor: "imx296", layout: rawconv.Layout{Stride: 2944, Format: rawconv.MSBAligned}},
		// Pi 4, mono imx296 as PiFinder asks (R10): 2912 is 32-aligned.
		{line: "Raw stream: 1456x1088 stride 2912 format R10", ok: true, want: StreamInfo{1456, 1088, 2912, "R10"},
			sensor: "imx296", layout: rawconv.Layout{Stride: 2912, Format: rawconv.Unpacked}},
		// Pi 4, HQ binned: 4056 bytes padded to 32 → 4064.
		{line: "Raw stream: 2028x1520 stride 4064 format SBGGR12", ok: true, want: StreamInfo{2028, 1520, 4064, "SBGGR12"},
			sensor: "hq", layout: rawconv.Layout{Stride: 4064, Format: rawconv.Unpacked}},
		// Pi 5, HQ: padded to 64 → 4096.
		{line: "Raw stream: 2028x1520 stride 4096 format SBGGR16", ok: true, want: StreamInfo{2028, 1520, 4096, "SBGGR16"},
			sensor: "hq", layout: rawconv.Layout{Stride: 4096, Format: rawconv.MSBAligned}},
		{line: "Raw stream: 1920x1080 stride 3840 format SRGGB12", ok: true, want: StreamInfo{1920, 1080, 3840, "SRGGB12"},
			sensor: "imx462", layout: rawconv.Layout{Stride: 3840, Format: rawconv.Unpacked}},
		{line: "Raw stream: 2028x1520 stride 3056 format SRGGB12_CSI2P", ok: true, want: StreamInfo{2028, 1520, 3056, "SRGGB12_CSI2P"},
			sensor: "hq", lerr: "csi2-packed"},
		{line: "Raw stream: 1456x1088 stride 1472 format MONO_PISP_COMP1", ok: true, want: StreamInfo{1456, 1088, 1472, "MONO_PISP_COMP1"},
			sensor: "imx296", lerr: "compressed"},
		{line: "Raw stream: 1456x1088 stride 2944 format R12", ok: true, want: StreamInfo{1456, 1088, 2944, "R12"},
			sensor: "imx296", lerr: "12-bit samples"},
		{line: "Raw stream: 728x544 stride 1472 format R10", ok: true, want: StreamInfo{728, 544, 1472, "R10"},
			sensor: "imx296", lerr: "wants 1456x1088"},
		{line: "Raw stream: 1456x1088 stride 2000 format R10", ok: true, want: StreamInfo{1456, 1088, 2000, "R10"},
			sensor: "imx296", lerr: "short of 2912"},
		{line: "Raw stream: 1456x1088 stride 2944 format YUV420", ok: true, want: StreamInfo{1456, 1088, 2944, "YUV420"},
			sensor: "imx296", lerr: "not a raw sensor format"},
		{line: "[0:00:01.5] Raw stream: 1456x1088 stride 2944 format R16", ok: true, want: StreamInfo{1456, 1088, 2944, "R16"},
			sensor: "imx296", layout: rawconv.Layout{Stride: 2944, Format: rawconv.MSBAligned}},
		{line: "Mode selection for 1456:1088:10:U", ok: false},
		{line: "Raw stream: 1456 by 1088", ok: true, bad: true},
		{line: "Raw stream: 1456x1088 stride -64 format R16", ok: true, bad: true},
		{line: "Raw stream: 99999x1088 stride 2944 format R16", ok: true, bad: true},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			info, ok, err := ParseRawStreamLine(c.line)
			if ok != c.ok || (err != nil) != c.bad {
				t.Fatalf("ok %v err %v, want ok %v bad %v", ok, err, c.ok, c.bad)
			}
			if !ok || c.bad {
				return
			}
			if info != c.want {
				t.Fatalf("info %+v, want %+v", info, c.want)
			}
			p, _ := rawconv.Lookup(c.sensor)
			l, err := info.Layout(p)
			if c.lerr != "" {
				if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.lerr) {
					t.Fatalf("layout error %v, want ErrFormat mentioning %q", err, c.lerr)
				}
				return
			}
			if err != nil || l != c.layout {
				t.Fatalf("layout %+v %v, want %+v", l, err, c.layout)
			}
		})
	}
}

func TestFrameHeaderRoundTrip(t *testing.T) {
	h := FrameHeader{Seq: 7, ID: 9, SensorTimestampNS: 123456789, RequestNS: 123456000, SentNS: 133456789,
		ExposureUS: 399990, Gain: 14.9375, Width: 1456, Height: 1088, Stride: 2944, PayloadLen: 2944 * 1088, Format: "R16"}
	b := AppendHeader(nil, h)
	if len(b) != HeaderLen {
		t.Fatalf("%d bytes", len(b))
	}
	got, err := ParseFrameHeader(b)
	h.Len, h.Version = HeaderLen, HeaderVersion
	if err != nil || got != h {
		t.Fatalf("got %+v %v, want %+v", got, err, h)
	}
	bad := []struct {
		name string
		edit func([]byte)
	}{
		{"magic", func(b []byte) { b[0] = 'X' }},
		{"version", func(b []byte) { b[4] = 2 }},
		{"short header length", func(b []byte) { b[6] = 95 }},
		{"payload", func(b []byte) { b[76]++ }},
		{"format name", func(b []byte) { b[81] = 0x01 }},
		{"gain", func(b []byte) { b[63] = 0xFF }}, // NaN
		{"stride", func(b []byte) { b[72], b[73], b[74] = 0, 0, 0xF0 }},
	}
	for _, c := range bad {
		b := AppendHeader(nil, h)
		c.edit(b)
		if _, err := ParseFrameHeader(b); !errors.Is(err, rawconv.ErrFrame) {
			t.Errorf("%s: %v, want ErrFrame", c.name, err)
		}
	}
	if _, err := ParseFrameHeader(b[:50]); !errors.Is(err, rawconv.ErrFrame) {
		t.Errorf("short: %v", err)
	}
}

func TestAppendCommand(t *testing.T) {
	got := string(appendCommand(nil, 42, 400000, 15.5))
	if want := `{"id":42,"exposure_us":400000,"gain":15.5}` + "\n"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}

func FuzzParseRawStreamLine(f *testing.F) {
	for _, s := range []string{
		"Raw stream: 1456x1088 stride 2944 format R16", "Raw stream: 2028x1520 stride 4064 format SBGGR12",
		"Raw stream: 0x0 stride 0 format", "Raw stream: 1x1 stride 1 format R10_CSI2P", "Raw stream:", "x",
	} {
		f.Add(s)
	}
	p, _ := rawconv.Lookup("imx296")
	f.Fuzz(func(t *testing.T, line string) {
		info, ok, err := ParseRawStreamLine(line)
		if !ok || err != nil {
			return
		}
		if info.Width <= 0 || info.Height <= 0 || info.Stride <= 0 || info.Stride > maxStride {
			t.Fatalf("accepted %+v", info)
		}
		if l, err := info.Layout(p); err == nil && (l.Stride < 2*p.RawW || info.Width != p.RawW) {
			t.Fatalf("layout %+v for %+v", l, info)
		}
	})
}

func FuzzParseFrameHeader(f *testing.F) {
	f.Add(AppendHeader(nil, FrameHeader{Seq: 1, ID: 1, Width: 1456, Height: 1088, Stride: 2944, PayloadLen: 2944 * 1088, Format: "R16"}))
	f.Add(make([]byte, HeaderLen))
	f.Add([]byte("PFCH"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseFrameHeader(b)
		if err != nil {
			if !errors.Is(err, rawconv.ErrFrame) {
				t.Fatalf("error %v does not wrap ErrFrame", err)
			}
			return
		}
		if h.PayloadLen != h.Stride*h.Height || h.PayloadLen > maxPayload || h.Len < HeaderLen {
			t.Fatalf("accepted %+v", h)
		}
		if again, err := ParseFrameHeader(AppendHeader(nil, h)); err != nil || again.Seq != h.Seq || again.Format != h.Format {
			t.Fatalf("round trip %+v %v", again, err)
		}
	})
}

func FuzzSampleBits(f *testing.F) {
	for _, s := range []string{"R10", "SRGGB12", "SBGGR16", "R16", "SRGGB10_CSI2P", "BGGR_PISP_COMP1", "YUV420", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bits, packing, err := SampleBits(s)
		if err == nil && (bits < 8 || bits > 16 || packing == "") {
			t.Fatalf("%q: %d %q", s, bits, packing)
		}
	})
}
