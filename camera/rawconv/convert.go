package rawconv

import (
	"errors"
	"fmt"
	"image"
)

// ErrFrame marks raw data that is not a valid frame of the profile
// (wrong length, samples beyond the bit depth).
var ErrFrame = errors.New("imaging: bad raw frame")

// Converter turns raw sensor frames into solve images: crop and rotate per
// profile, keep the cropped raw, convert to 8 bits with the profile formula,
// resize to Size×Size, then turn by the solve rotation. One Converter is
// used by one goroutine at a time.
type Converter struct {
	p       Profile
	size    int
	solveK  int
	lut     []uint8
	crop8   *image.Gray
	resized *image.Gray
	rs      Resampler
}

// NewConverter returns a converter for p producing size×size images turned
// solveRotationDeg (a multiple of 90) counter-clockwise.
func NewConverter(p Profile, size, solveRotationDeg int) (*Converter, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if size <= 0 || size > 8192 {
		return nil, fmt.Errorf("imaging: solve size %d", size)
	}
	k, err := QuarterTurns(solveRotationDeg)
	if err != nil {
		return nil, err
	}
	c := &Converter{p: p, size: size, solveK: k, lut: make([]uint8, 1<<p.Bits)}
	for v := range c.lut {
		c.lut[v] = p.To8(uint16(v))
	}
	w, h := p.CroppedSize()
	c.crop8 = image.NewGray(image.Rect(0, 0, w, h))
	if k != 0 {
		c.resized = image.NewGray(image.Rect(0, 0, size, size))
	}
	return c, nil
}

// Profile returns the converter's profile.
func (c *Converter) Profile() Profile { return c.p }

// SampleFormat says where a sample's bits sit in its 16-bit little-endian
// container.
type SampleFormat int

const (
	// Unpacked samples hold the value in the low Bits bits, the rest zero:
	// a Pi 4's Unicam front end with an unpacked mode (rpicam "…:U").
	Unpacked SampleFormat = iota
	// MSBAligned samples hold the value in the high Bits bits, padded with
	// zeros at the least significant end: a Pi 5's PiSP front end, which
	// always writes 16-bit samples.
	MSBAligned
)

func (f SampleFormat) String() string {
	switch f {
	case Unpacked:
		return "unpacked"
	case MSBAligned:
		return "msb-aligned"
	}
	return fmt.Sprintf("SampleFormat(%d)", int(f))
}

// Layout is how one raw frame sits in memory: RawH rows of Stride bytes
// (libcamera pads rows: 32-byte alignment on a Pi 4, 64 on a Pi 5), each
// holding RawW 16-bit little-endian samples in Format, then padding.
type Layout struct {
	Stride int
	Format SampleFormat
}

// Convert reads one raw frame laid out as l. It writes the cropped and
// rotated raw samples (normalised to the low Bits bits) into raw (when not
// nil; it must have the cropped size) and the solve image into dst
// (size×size).
func (c *Converter) Convert(src []byte, l Layout, raw *image.Gray16, dst *image.Gray) error {
	p := c.p
	stride := l.Stride
	shift := uint(0)
	switch l.Format {
	case Unpacked:
	case MSBAligned:
		shift = uint(16 - p.Bits)
	default:
		return fmt.Errorf("%w: sample format %v", ErrFrame, l.Format)
	}
	if stride < 2*p.RawW || stride > 1<<20 {
		return fmt.Errorf("%w: stride %d for rows of %d samples", ErrFrame, stride, p.RawW)
	}
	if len(src) < stride*(p.RawH-1)+2*p.RawW {
		return fmt.Errorf("%w: %d bytes, want %d", ErrFrame, len(src), stride*p.RawH)
	}
	cw, ch := p.RawW-p.CropLeft-p.CropRight, p.RawH-p.CropTop-p.CropBottom
	ow, oh := c.crop8.Rect.Dx(), c.crop8.Rect.Dy()
	if raw != nil && (raw.Rect.Dx() != ow || raw.Rect.Dy() != oh) {
		return fmt.Errorf("imaging: raw destination %dx%d, want %dx%d", raw.Rect.Dx(), raw.Rect.Dy(), ow, oh)
	}
	if dst.Rect.Dx() != c.size || dst.Rect.Dy() != c.size {
		return fmt.Errorf("imaging: solve destination %dx%d, want %dx%d", dst.Rect.Dx(), dst.Rect.Dy(), c.size, c.size)
	}
	maxV := uint16(1<<p.Bits - 1)
	bad := 0
	k := ((p.Rot90 % 4) + 4) % 4
	d8, s8 := c.crop8.Pix, c.crop8.Stride
	var d16 []uint8
	s16 := 0
	if raw != nil {
		d16, s16 = raw.Pix, raw.Stride
	}
	for sr := 0; sr < ch; sr++ {
		off := (sr+p.CropTop)*stride + 2*p.CropLeft
		row := src[off : off+2*cw]
		// Destination of source (sr, 0) and the step per source column,
		// for k counter-clockwise quarter turns.
		var r0, c0, dr, dc int
		switch k {
		case 0:
			r0, c0, dr, dc = sr, 0, 0, 1
		case 1:
			r0, c0, dr, dc = cw-1, sr, -1, 0
		case 2:
			r0, c0, dr, dc = ch-1-sr, cw-1, 0, -1
		default:
			r0, c0, dr, dc = 0, ch-1-sr, 1, 0
		}
		i8, st8 := r0*s8+c0, dr*s8+dc
		i16, st16 := r0*s16+2*c0, dr*s16+2*dc
		for sc := 0; sc < cw; sc++ {
			v := (uint16(row[2*sc]) | uint16(row[2*sc+1])<<8) >> shift
			if v > maxV {
				bad++
				v = maxV
			}
			d8[i8] = c.lut[v]
			i8 += st8
			if d16 != nil {
				d16[i16], d16[i16+1] = uint8(v>>8), uint8(v)
				i16 += st16
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d samples exceed %d bits", ErrFrame, bad, p.Bits)
	}
	if c.solveK == 0 {
		return c.rs.Resize(dst, c.crop8)
	}
	if err := c.rs.Resize(c.resized, c.crop8); err != nil {
		return err
	}
	return RotateGray(dst, c.resized, c.solveK)
}
