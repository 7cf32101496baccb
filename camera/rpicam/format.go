package rpicam

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/rawconv"
)

// ErrFormat marks a raw stream the converter cannot read: packed or
// compressed samples, a bit depth other than the profile's, a geometry
// other than the profile's raw mode. It wraps camera.ErrBadConfig: a
// restart gives the same stream, so it is a setup mistake, not a glitch.
var ErrFormat = fmt.Errorf("%w: unsupported raw stream", camera.ErrBadConfig)

// maxStride bounds a row's byte length; rawconv refuses more, and no
// Raspberry Pi camera mode comes near it (HQ full resolution: 8128 bytes).
const maxStride = 1 << 20

// StreamInfo is the raw stream's geometry and libcamera pixel format, as
// rpicam-raw reports it on stderr and the picamera2 helper in every frame
// header.
type StreamInfo struct {
	Width, Height int
	Stride        int    // bytes per row, padding included
	Format        string // libcamera pixel format name: SRGGB10, R10, SBGGR16, R16, ...
}

// rawStreamPrefix starts the line rpicam-raw writes to stderr once, when
// the first frame has completed and before that frame is written to the
// output: rpicam-apps apps/rpicam_raw.cpp logs
// "Raw stream: <w>x<h> stride <stride> format <PixelFormat::toString()>"
// at verbosity 1 (the default).
const rawStreamPrefix = "Raw stream:"

// ParseRawStreamLine parses rpicam-raw's "Raw stream: 1456x1088 stride 2944
// format R16" line. ok is false for any other line; err is set for a line
// that starts like one but does not parse.
func ParseRawStreamLine(line string) (info StreamInfo, ok bool, err error) {
	line = strings.TrimSpace(line)
	// rpicam-apps' LOG may prefix nothing today; a timestamp or level
	// prefix from a future version should not hide the line.
	i := strings.Index(line, rawStreamPrefix)
	if i < 0 {
		return StreamInfo{}, false, nil
	}
	f := strings.Fields(line[i+len(rawStreamPrefix):])
	if len(f) != 5 || f[1] != "stride" || f[3] != "format" {
		return StreamInfo{}, true, fmt.Errorf("camera: rpicam: unexpected stream line %q", line)
	}
	ws, hs, found := strings.Cut(f[0], "x")
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	s, errS := strconv.Atoi(f[2])
	if !found || errW != nil || errH != nil || errS != nil {
		return StreamInfo{}, true, fmt.Errorf("camera: rpicam: unexpected stream line %q", line)
	}
	info = StreamInfo{Width: w, Height: h, Stride: s, Format: f[4]}
	if err := info.check(); err != nil {
		return StreamInfo{}, true, err
	}
	return info, true, nil
}

func (s StreamInfo) check() error {
	switch {
	case s.Width <= 0 || s.Height <= 0 || s.Width > 16384 || s.Height > 16384:
		return fmt.Errorf("%w: size %dx%d", ErrFormat, s.Width, s.Height)
	case s.Stride <= 0 || s.Stride > maxStride:
		return fmt.Errorf("%w: stride %d", ErrFormat, s.Stride)
	case s.Format == "" || len(s.Format) > 32:
		return fmt.Errorf("%w: format %q", ErrFormat, s.Format)
	}
	return nil
}

// FrameBytes is the length of one frame on the wire: every row, the last
// included, is padded to the stride (libcamera allocates stride × height
// and rpicam-raw's null encoder writes the whole buffer).
func (s StreamInfo) FrameBytes() int { return s.Stride * s.Height }

// SampleBits parses a libcamera raw pixel format name into its container
// bit depth and packing. Names follow libcamera's formats.yaml: Bayer
// S<order><bits> (SRGGB10, SBGGR16), mono R<bits> (R10, R16), the _CSI2P
// suffix for MIPI-packed samples, and <order>_PISP_COMP<n> or
// MONO_PISP_COMP<n> for the Pi 5 front end's compressed format.
func SampleBits(format string) (bits int, packing string, err error) {
	name := strings.ToUpper(strings.TrimSpace(format))
	if strings.Contains(name, "_PISP_COMP") {
		return 0, "", fmt.Errorf("%w: %s is the Pi 5 front end's compressed raw format (ask for an unpacked mode)", ErrFormat, format)
	}
	base, packed := strings.CutSuffix(name, "_CSI2P")
	var digits string
	switch {
	case len(base) == 7 && base[0] == 'S' && isBayerOrder(base[1:5]):
		digits = base[5:]
	case len(base) >= 2 && base[0] == 'R':
		digits = base[1:]
	default:
		return 0, "", fmt.Errorf("%w: %q is not a raw sensor format", ErrFormat, format)
	}
	n, convErr := strconv.Atoi(digits)
	if convErr != nil || n < 8 || n > 16 {
		return 0, "", fmt.Errorf("%w: %q is not a raw sensor format", ErrFormat, format)
	}
	if packed {
		return n, "csi2-packed", nil
	}
	return n, "unpacked", nil
}

func isBayerOrder(s string) bool {
	switch s {
	case "RGGB", "GRBG", "GBRG", "BGGR":
		return true
	}
	return false
}

// Layout maps the stream to the converter's layout for profile p, or
// explains why it cannot be read:
//
//   - unpacked samples of the profile's depth (SRGGB12 on a Pi 4's Unicam,
//     R10 for the mono imx296: PiFinder's camera_pi.py asks for exactly
//     these) hold the value in the low bits: rawconv.Unpacked;
//   - 16-bit unpacked samples (SRGGB16, R16) are what a Pi 5 delivers for
//     any unpacked request: libcamera's PiSP pipeline handler
//     (pipeline/rpi/pisp/pisp.cpp, platformValidate) turns every
//     non-16-bit unpacked raw format into its 16-bit form, the front end
//     writing the sample at the top of the word: rawconv.MSBAligned;
//   - CSI-2 packed and PiSP compressed samples are refused.
//
// The stride is whatever the stream says: libcamera pads rows (a Pi 4's
// Unicam to 32 bytes, bcm2835-unicam.c BPL_ALIGNMENT; a Pi 5 to 64 bytes
// through libpisp's compute_optimal_stride), so 2 × width is never assumed.
func (s StreamInfo) Layout(p rawconv.Profile) (rawconv.Layout, error) {
	if err := s.check(); err != nil {
		return rawconv.Layout{}, err
	}
	if s.Width != p.RawW || s.Height != p.RawH {
		return rawconv.Layout{}, fmt.Errorf("%w: stream %dx%d, the %s profile wants %dx%d (is --sensor right?)",
			ErrFormat, s.Width, s.Height, p.Name, p.RawW, p.RawH)
	}
	// The format first: a packed or compressed stream's short stride
	// would otherwise hide what is wrong.
	bits, packing, err := SampleBits(s.Format)
	if err != nil {
		return rawconv.Layout{}, err
	}
	if packing != "unpacked" {
		return rawconv.Layout{}, fmt.Errorf("%w: %s holds %s samples (ask for an unpacked mode)", ErrFormat, s.Format, packing)
	}
	if s.Stride < 2*s.Width {
		return rawconv.Layout{}, fmt.Errorf("%w: stride %d is short of %d bytes for %d 16-bit samples", ErrFormat, s.Stride, 2*s.Width, s.Width)
	}
	switch {
	case bits == p.Bits:
		return rawconv.Layout{Stride: s.Stride, Format: rawconv.Unpacked}, nil
	case bits == 16:
		return rawconv.Layout{Stride: s.Stride, Format: rawconv.MSBAligned}, nil
	}
	return rawconv.Layout{}, fmt.Errorf("%w: %s holds %d-bit samples, the %s profile is %d-bit", ErrFormat, s.Format, bits, p.Name, p.Bits)
}
