package rpicam

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pifinder-go/pifinder/camera/rawconv"
)

// The picamera2 helper's frame stream (see the package doc for the whole
// protocol). Every frame is a header of HeaderLen or more bytes, then
// PayloadLen bytes of raw rows. All integers are little-endian.
//
//	off len field
//	  0   4 magic "PFCH"
//	  4   2 version (1)
//	  6   2 header length in bytes (96; a longer header's extra bytes are skipped)
//	  8   8 seq: frames written since the helper started, from 1
//	 16   8 id: the capture command this frame answers
//	 24   8 sensor timestamp, ns (libcamera SensorTimestamp; 0 when absent)
//	 32   8 helper's CLOCK_MONOTONIC, ns, when it read the command
//	 40   8 helper's CLOCK_MONOTONIC, ns, just before it wrote this header
//	 48   8 exposure actually used, µs (ExposureTime metadata)
//	 56   8 analogue gain actually used, float64 (AnalogueGain metadata)
//	 64   4 width, px
//	 68   4 height, px
//	 72   4 stride, bytes per row
//	 76   4 payload length, bytes (stride × height)
//	 80  16 libcamera pixel format name, ASCII, NUL-padded
const (
	HeaderMagic   = "PFCH"
	HeaderVersion = 1
	HeaderLen     = 96
	// maxHeaderLen bounds a future header's length.
	maxHeaderLen = 4096
	// maxPayload bounds one frame: the HQ sensor's full 4056×3040 mode at
	// 16 bits with a 64-byte stride is 24.7 MB.
	maxPayload = 64 << 20
)

// FrameHeader is one frame's header on the helper's stdout.
type FrameHeader struct {
	Seq, ID               uint64
	SensorTimestampNS     int64
	RequestNS, SentNS     int64
	ExposureUS            int64
	Gain                  float64
	Width, Height, Stride int
	PayloadLen            int
	Format                string
	Len                   int // header length as sent, ≥ HeaderLen
	Version               int
}

// ParseFrameHeader decodes the first HeaderLen bytes of a frame header and
// checks them; Len says how many more header bytes follow.
func ParseFrameHeader(b []byte) (FrameHeader, error) {
	if len(b) < HeaderLen {
		return FrameHeader{}, fmt.Errorf("%w: frame header of %d bytes, want %d", rawconv.ErrFrame, len(b), HeaderLen)
	}
	if string(b[:4]) != HeaderMagic {
		return FrameHeader{}, fmt.Errorf("%w: frame header starts %q, not %q (the helper's output is out of step)", rawconv.ErrFrame, b[:4], HeaderMagic)
	}
	le := binary.LittleEndian
	h := FrameHeader{
		Version: int(le.Uint16(b[4:])), Len: int(le.Uint16(b[6:])),
		Seq: le.Uint64(b[8:]), ID: le.Uint64(b[16:]),
		SensorTimestampNS: int64(le.Uint64(b[24:])), RequestNS: int64(le.Uint64(b[32:])), SentNS: int64(le.Uint64(b[40:])),
		ExposureUS: int64(le.Uint64(b[48:])), Gain: math.Float64frombits(le.Uint64(b[56:])),
		Width: int(le.Uint32(b[64:])), Height: int(le.Uint32(b[68:])), Stride: int(le.Uint32(b[72:])),
		PayloadLen: int(le.Uint32(b[76:])),
		Format:     strings.TrimRight(string(b[80:96]), "\x00"),
	}
	switch {
	case h.Version != HeaderVersion:
		return FrameHeader{}, fmt.Errorf("%w: frame header version %d, want %d (helper and binary from different releases?)", rawconv.ErrFrame, h.Version, HeaderVersion)
	case h.Len < HeaderLen || h.Len > maxHeaderLen:
		return FrameHeader{}, fmt.Errorf("%w: frame header length %d", rawconv.ErrFrame, h.Len)
	case h.PayloadLen > maxPayload:
		return FrameHeader{}, fmt.Errorf("%w: frame payload of %d bytes", rawconv.ErrFrame, h.PayloadLen)
	case h.ExposureUS < 0 || math.IsNaN(h.Gain) || math.IsInf(h.Gain, 0) || h.Gain < 0:
		return FrameHeader{}, fmt.Errorf("%w: frame metadata exposure %d µs gain %g", rawconv.ErrFrame, h.ExposureUS, h.Gain)
	}
	for i := 0; i < len(h.Format); i++ {
		if c := h.Format[i]; c < 0x21 || c > 0x7e {
			return FrameHeader{}, fmt.Errorf("%w: frame format name %s", rawconv.ErrFrame, strconv.Quote(h.Format))
		}
	}
	if err := h.Stream().check(); err != nil {
		return FrameHeader{}, fmt.Errorf("%w: %w", rawconv.ErrFrame, err)
	}
	if h.PayloadLen != h.Stream().FrameBytes() {
		return FrameHeader{}, fmt.Errorf("%w: payload %d bytes, want stride %d × height %d", rawconv.ErrFrame, h.PayloadLen, h.Stride, h.Height)
	}
	return h, nil
}

// Stream returns the frame's geometry and format.
func (h FrameHeader) Stream() StreamInfo {
	return StreamInfo{Width: h.Width, Height: h.Height, Stride: h.Stride, Format: h.Format}
}

// AppendHeader appends h's HeaderLen-byte encoding to b (Len and Version
// are written as HeaderLen and HeaderVersion). The helper is the real
// writer; this is its reference for tests and fakes.
func AppendHeader(b []byte, h FrameHeader) []byte {
	le := binary.LittleEndian
	b = append(b, HeaderMagic...)
	b = le.AppendUint16(b, HeaderVersion)
	b = le.AppendUint16(b, HeaderLen)
	b = le.AppendUint64(b, h.Seq)
	b = le.AppendUint64(b, h.ID)
	b = le.AppendUint64(b, uint64(h.SensorTimestampNS))
	b = le.AppendUint64(b, uint64(h.RequestNS))
	b = le.AppendUint64(b, uint64(h.SentNS))
	b = le.AppendUint64(b, uint64(h.ExposureUS))
	b = le.AppendUint64(b, math.Float64bits(h.Gain))
	b = le.AppendUint32(b, uint32(h.Width))
	b = le.AppendUint32(b, uint32(h.Height))
	b = le.AppendUint32(b, uint32(h.Stride))
	b = le.AppendUint32(b, uint32(h.PayloadLen))
	var name [16]byte
	copy(name[:], h.Format)
	return append(b, name[:]...)
}

// command is one line on the helper's stdin: capture one frame with these
// settings (the helper applies them live when they differ from the last).
// It is formatted by hand: strconv does not allocate into a reused buffer.
func appendCommand(b []byte, id uint64, exposureUS int64, gain float64) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, `,"exposure_us":`...)
	b = strconv.AppendInt(b, exposureUS, 10)
	b = append(b, `,"gain":`...)
	b = strconv.AppendFloat(b, gain, 'g', -1, 64)
	return append(b, "}\n"...)
}
