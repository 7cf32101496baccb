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
// profile, keep the cropped raw, and reduce the crop to Size×Size 8-bit
// pixels turned by the solve rotation. One Converter is used by one
// goroutine at a time.
//
// The reduction is an exact-area (box) average of the raw samples in
// fixed point, with bias, digital gain and the 8-bit scale applied once
// per output pixel instead of through a lookup per input pixel: averaging
// keeps the flux of 1–3 px stars, as the antialiased resize of PiFinder's
// Pillow path does, at a fraction of the work. It runs in the source
// orientation and only the Size×Size result is turned, by the profile's
// and the solve rotation together (resizing a crop to a square commutes
// with quarter turns).
type Converter struct {
	p      Profile
	size   int
	solveK int
	turn   int // quarter turns applied to the reduced image
	cw, ch int // crop size in the source orientation
	ax, ay axis
	sc     scale8
	h      *htab    // NEON tables for the horizontal pass, nil if unusable
	u      []uint16 // one vertically reduced row, padded for block loads
	img    *image.Gray
	line   []byte   // raw row scratch when the caller keeps no raw
	rows   [][]byte // the vertical taps of one output row
	rowW   []uint16 // their weights
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
	c := &Converter{p: p, size: size, solveK: k, sc: newScale8(p)}
	c.turn = (((p.Rot90%4)+4)%4 + k) % 4
	c.cw, c.ch = p.RawW-p.CropLeft-p.CropRight, p.RawH-p.CropTop-p.CropBottom
	c.ax, c.ay = newAxis(c.cw, size), newAxis(c.ch, size)
	c.u = make([]uint16, c.cw+uPad)
	c.h = newHTab(&c.ax, len(c.u))
	c.line = make([]byte, 2*c.cw)
	c.rows = make([][]byte, c.ay.taps)
	c.rowW = make([]uint16, c.ay.taps)
	if c.turn != 0 {
		c.img = image.NewGray(image.Rect(0, 0, size, size))
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
	if raw != nil {
		if w, h := p.CroppedSize(); raw.Rect.Dx() != w || raw.Rect.Dy() != h {
			return fmt.Errorf("imaging: raw destination %dx%d, want %dx%d", raw.Rect.Dx(), raw.Rect.Dy(), w, h)
		}
	}
	if dst.Rect.Dx() != c.size || dst.Rect.Dy() != c.size {
		return fmt.Errorf("imaging: solve destination %dx%d, want %dx%d", dst.Rect.Dx(), dst.Rect.Dy(), c.size, c.size)
	}
	f := frame{src: src, stride: stride, shift: shift}
	if bad := c.copyRaw(f, raw); bad > 0 {
		return fmt.Errorf("%w: %d samples exceed %d bits", ErrFrame, bad, p.Bits)
	}
	if c.turn == 0 {
		c.reduce(f, dst)
		return nil
	}
	c.reduce(f, c.img)
	rotateSquare(dst, c.img, c.turn)
	return nil
}

// frame is one validated raw frame.
type frame struct {
	src    []byte
	stride int
	shift  uint // MSB-aligned samples: 16 − Bits
}

// row returns source row sr of the crop.
func (c *Converter) row(f frame, sr int) []byte {
	off := (sr+c.p.CropTop)*f.stride + 2*c.p.CropLeft
	return f.src[off : off+2*c.cw : off+2*c.cw]
}

// copyRaw writes the cropped, rotated and normalised raw samples into raw
// (or a scratch row when raw is nil: every kept sample is checked either
// way) and returns how many exceed the bit depth.
func (c *Converter) copyRaw(f frame, raw *image.Gray16) int {
	maxV := uint16(1<<c.p.Bits - 1)
	bad := 0
	cw, ch := c.cw, c.ch
	k := ((c.p.Rot90 % 4) + 4) % 4
	for sr := range ch {
		var mx uint16
		if k%2 == 0 || raw == nil {
			out := c.line
			if raw != nil {
				r := sr
				if k == 2 {
					r = ch - 1 - sr
				}
				out = raw.Pix[r*raw.Stride : r*raw.Stride+2*cw]
			}
			mx = rawRow(out, c.row(f, sr), cw, f.shift, k == 2)
		} else {
			mx = rawColumn(raw, c.row(f, sr), sr, cw, ch, f.shift, k)
		}
		if mx > maxV {
			bad += countAbove(c.row(f, sr), f.shift, maxV)
		}
	}
	return bad
}

// reduce writes the size×size box average of the crop, in the source
// orientation, into out: per output row the vertical pass over its source
// rows, then the horizontal pass with the 8-bit scale.
func (c *Converter) reduce(f frame, out *image.Gray) {
	u := c.u[:c.cw]
	inShift, outShift := f.shift, uint(c.p.Bits-1)
	for j := range c.size {
		s := int(c.ay.start[j])
		w := c.ay.w[j*c.ay.taps : (j+1)*c.ay.taps]
		n := 0
		for t, wt := range w {
			if wt != 0 {
				c.rows[n], c.rowW[n] = c.row(f, s+t), wt
				n++
			}
		}
		vsum(u, c.rows[:n], c.rowW[:n], inShift, outShift)
		hsum(out.Pix[j*out.Stride:j*out.Stride+c.size], c.u, &c.ax, c.h, c.sc)
	}
}

// rawColumn writes source row sr as a column of raw (a quarter turn; no
// shipped profile needs one, so it is plain Go).
func rawColumn(raw *image.Gray16, row []byte, sr, cw, ch int, shift uint, k int) uint16 {
	var mx uint16
	for sc := range cw {
		v := (uint16(row[2*sc]) | uint16(row[2*sc+1])<<8) >> shift
		mx = max(mx, v)
		r, col := cw-1-sc, sr // k = 1
		if k == 3 {
			r, col = sc, ch-1-sr
		}
		i := r*raw.Stride + 2*col
		raw.Pix[i], raw.Pix[i+1] = uint8(v>>8), uint8(v)
	}
	return mx
}

// countAbove counts the samples of a row beyond the bit depth, for the
// error message of a bad frame.
func countAbove(row []byte, shift uint, maxV uint16) int {
	n := 0
	for i := 0; i+1 < len(row); i += 2 {
		if (uint16(row[i])|uint16(row[i+1])<<8)>>shift > maxV {
			n++
		}
	}
	return n
}
