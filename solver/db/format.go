package db

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

// Magic starts every database file.
const Magic = "PFSOLVDB"

// Version is the format version this package reads and writes.
const Version = 1

// HeaderSize is the fixed size of the header in bytes.
const HeaderSize = 128

const (
	starBytes    = 18
	patternBytes = 14 // 4 × u16 star indices + 48-bit ratio fingerprint
)

// FPScale is the fingerprint's quantisation: each of the five edge ratios is
// stored as round(r·FPScale) in 9 bits.
const FPScale = 511

// Fingerprint packs a pattern's five edge ratios into 45 bits, so lookups
// can reject most candidates without reading the star vectors.
func Fingerprint(r [5]float64) uint64 {
	var fp uint64
	for i, v := range r {
		q := int(math.Round(v * FPScale))
		q = min(max(q, 0), FPScale)
		fp |= uint64(q) << (9 * i)
	}
	return fp
}

// FPRatio returns ratio i of a fingerprint.
func FPRatio(fp uint64, i int) float64 { return float64(fp>>(9*i)&0x1ff) / FPScale }

// Errors returned by Decode, wrapped with detail.
var (
	ErrMagic     = errors.New("db: not a pattern database (bad magic)")
	ErrVersion   = errors.New("db: unsupported format version")
	ErrTruncated = errors.New("db: truncated file")
	ErrCorrupt   = errors.New("db: corrupt file")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Header describes a database: its coverage and how it was built.
type Header struct {
	Version       uint32
	FOVMin        float64 // deg, shorter side of the field
	FOVMax        float64 // deg
	Epoch         float64 // Julian year of the star positions
	MagLimit      float64
	MergeArcsec   float64 // pairs closer than this were merged
	Stars         uint32
	Patterns      uint32
	Buckets       uint32
	KeyBins       uint32
	PatternStars  uint32 // brightest stars per lattice field that form patterns
	Scales        uint32 // pattern scales, geometric from FOVMin to FOVMax
	StarsPerField uint32 // star density cap per smallest field
	Oversample    float32
	BodyLen       uint64
	BodyCRC       uint32
	MinPattern    float32 // smallest pattern (largest edge) as a fraction of its scale
}

// ScaleFOV returns the field diameter in degrees of pattern scale i.
func (h *Header) ScaleFOV(i int) float64 {
	if h.Scales <= 1 {
		return h.FOVMin
	}
	return h.FOVMin * math.Pow(h.FOVMax/h.FOVMin, float64(i)/float64(h.Scales-1))
}

// String summarises the header on several lines.
func (h *Header) String() string {
	return fmt.Sprintf("format version: %d\nFOV range: %.2f-%.2f deg (%d pattern scales)\n"+
		"epoch: %.2f\nmagnitude limit: %.2f\nmerge separation: %.1f arcsec\n"+
		"stars: %d (density cap %d per smallest field)\npatterns: %d in %d buckets (%d key bins)\n"+
		"pattern stars per field: %d, lattice oversampling %.2f, min pattern %.2f\n"+
		"body: %d bytes, CRC-32C %08x",
		h.Version, h.FOVMin, h.FOVMax, h.Scales, h.Epoch, h.MagLimit, h.MergeArcsec,
		h.Stars, h.StarsPerField, h.Patterns, h.Buckets, h.KeyBins,
		h.PatternStars, h.Oversample, h.MinPattern, h.BodyLen, h.BodyCRC)
}

// Star is one database star: a unit vector at the database epoch.
type Star struct {
	Vec  [3]float64
	Vmag float64
	HIP  int
}

// DB is a decoded database.
type DB struct {
	Header   Header
	Stars    []Star      // brightest first
	Patterns [][4]uint16 // star indices, grouped by bucket
	FP       []uint64    // per pattern, Fingerprint of its ratios
	Offsets  []uint32    // bucket b holds Patterns[Offsets[b]:Offsets[b+1]]
}

func (h *Header) encode() []byte {
	b := make([]byte, HeaderSize)
	copy(b, Magic)
	le := binary.LittleEndian
	le.PutUint32(b[8:], h.Version)
	le.PutUint32(b[12:], HeaderSize)
	le.PutUint64(b[16:], math.Float64bits(h.FOVMin))
	le.PutUint64(b[24:], math.Float64bits(h.FOVMax))
	le.PutUint64(b[32:], math.Float64bits(h.Epoch))
	le.PutUint64(b[40:], math.Float64bits(h.MagLimit))
	le.PutUint64(b[48:], math.Float64bits(h.MergeArcsec))
	le.PutUint32(b[56:], h.Stars)
	le.PutUint32(b[60:], h.Patterns)
	le.PutUint32(b[64:], h.Buckets)
	le.PutUint32(b[68:], h.KeyBins)
	le.PutUint32(b[72:], h.PatternStars)
	le.PutUint32(b[76:], h.Scales)
	le.PutUint32(b[80:], h.StarsPerField)
	le.PutUint32(b[84:], math.Float32bits(h.Oversample))
	le.PutUint64(b[88:], h.BodyLen)
	le.PutUint32(b[96:], h.BodyCRC)
	le.PutUint32(b[100:], math.Float32bits(h.MinPattern))
	le.PutUint32(b[124:], crc32.Checksum(b[:124], castagnoli))
	return b
}

// DecodeHeader parses and checks the header at the start of b.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < len(Magic) || string(b[:len(Magic)]) != Magic {
		return h, ErrMagic
	}
	if len(b) < 16 {
		return h, fmt.Errorf("%w: %d bytes, header needs %d", ErrTruncated, len(b), HeaderSize)
	}
	le := binary.LittleEndian
	h.Version = le.Uint32(b[8:])
	if h.Version != Version {
		return h, fmt.Errorf("%w %d (this program reads version %d; rebuild the database)", ErrVersion, h.Version, Version)
	}
	if len(b) < HeaderSize {
		return h, fmt.Errorf("%w: %d bytes, header needs %d", ErrTruncated, len(b), HeaderSize)
	}
	if hs := le.Uint32(b[12:]); hs != HeaderSize {
		return h, fmt.Errorf("%w: header size %d, want %d", ErrCorrupt, hs, HeaderSize)
	}
	if got, want := crc32.Checksum(b[:124], castagnoli), le.Uint32(b[124:]); got != want {
		return h, fmt.Errorf("%w: header checksum %08x, stored %08x", ErrCorrupt, got, want)
	}
	h.FOVMin = math.Float64frombits(le.Uint64(b[16:]))
	h.FOVMax = math.Float64frombits(le.Uint64(b[24:]))
	h.Epoch = math.Float64frombits(le.Uint64(b[32:]))
	h.MagLimit = math.Float64frombits(le.Uint64(b[40:]))
	h.MergeArcsec = math.Float64frombits(le.Uint64(b[48:]))
	h.Stars = le.Uint32(b[56:])
	h.Patterns = le.Uint32(b[60:])
	h.Buckets = le.Uint32(b[64:])
	h.KeyBins = le.Uint32(b[68:])
	h.PatternStars = le.Uint32(b[72:])
	h.Scales = le.Uint32(b[76:])
	h.StarsPerField = le.Uint32(b[80:])
	h.Oversample = math.Float32frombits(le.Uint32(b[84:]))
	h.BodyLen = le.Uint64(b[88:])
	h.BodyCRC = le.Uint32(b[96:])
	h.MinPattern = math.Float32frombits(le.Uint32(b[100:]))
	switch {
	case !(h.FOVMin > 0 && h.FOVMax >= h.FOVMin && h.FOVMax < 180):
		return h, fmt.Errorf("%w: FOV range %g-%g", ErrCorrupt, h.FOVMin, h.FOVMax)
	case math.IsNaN(h.Epoch) || math.IsInf(h.Epoch, 0):
		return h, fmt.Errorf("%w: epoch %g", ErrCorrupt, h.Epoch)
	case h.Stars == 0 || h.Stars > 1<<16:
		return h, fmt.Errorf("%w: star count %d (1..65536)", ErrCorrupt, h.Stars)
	case h.Buckets == 0 || h.Buckets&(h.Buckets-1) != 0 || h.Buckets > 1<<28:
		return h, fmt.Errorf("%w: bucket count %d is not a power of two", ErrCorrupt, h.Buckets)
	case h.KeyBins < 2 || h.KeyBins > 1000:
		return h, fmt.Errorf("%w: key bins %d", ErrCorrupt, h.KeyBins)
	case h.Patterns > 1<<28:
		return h, fmt.Errorf("%w: pattern count %d", ErrCorrupt, h.Patterns)
	}
	want := uint64(h.Stars)*starBytes + uint64(h.Patterns)*patternBytes + (uint64(h.Buckets)+1)*4
	if h.BodyLen != want {
		return h, fmt.Errorf("%w: body length %d, counts need %d", ErrCorrupt, h.BodyLen, want)
	}
	return h, nil
}

// Decode parses a whole database file and checks its integrity.
func Decode(b []byte) (*DB, error) {
	h, err := DecodeHeader(b)
	if err != nil {
		return nil, err
	}
	body := b[HeaderSize:]
	if uint64(len(body)) < h.BodyLen {
		return nil, fmt.Errorf("%w: body has %d bytes, header says %d", ErrTruncated, len(body), h.BodyLen)
	}
	if uint64(len(body)) > h.BodyLen {
		return nil, fmt.Errorf("%w: %d trailing bytes after the body", ErrCorrupt, uint64(len(body))-h.BodyLen)
	}
	if got := crc32.Checksum(body, castagnoli); got != h.BodyCRC {
		return nil, fmt.Errorf("%w: body checksum %08x, header says %08x", ErrCorrupt, got, h.BodyCRC)
	}
	le := binary.LittleEndian
	d := &DB{Header: h}
	d.Stars = make([]Star, h.Stars)
	p := 0
	for i := range d.Stars {
		s := &d.Stars[i]
		x := float64(math.Float32frombits(le.Uint32(body[p:])))
		y := float64(math.Float32frombits(le.Uint32(body[p+4:])))
		z := float64(math.Float32frombits(le.Uint32(body[p+8:])))
		n := math.Sqrt(x*x + y*y + z*z)
		if !(math.Abs(n-1) < 1e-5) {
			return nil, fmt.Errorf("%w: star %d is not a unit vector", ErrCorrupt, i)
		}
		// Kept exactly as stored (|v| is 1 within float32 rounding), so a
		// decoded database re-encodes to the same bytes.
		s.Vec = [3]float64{x, y, z}
		s.Vmag = float64(int16(le.Uint16(body[p+12:]))) / 100
		s.HIP = int(le.Uint32(body[p+14:]))
		p += starBytes
	}
	d.Patterns = make([][4]uint16, h.Patterns)
	d.FP = make([]uint64, h.Patterns)
	for i := range d.Patterns {
		for k := 0; k < 4; k++ {
			v := le.Uint16(body[p+2*k:])
			if uint32(v) >= h.Stars {
				return nil, fmt.Errorf("%w: pattern %d names star %d of %d", ErrCorrupt, i, v, h.Stars)
			}
			d.Patterns[i][k] = v
		}
		d.FP[i] = uint64(le.Uint32(body[p+8:])) | uint64(le.Uint16(body[p+12:]))<<32
		p += patternBytes
	}
	d.Offsets = make([]uint32, h.Buckets+1)
	prev := uint32(0)
	for i := range d.Offsets {
		v := le.Uint32(body[p:])
		p += 4
		if v < prev || v > h.Patterns || (i == 0 && v != 0) {
			return nil, fmt.Errorf("%w: bucket offset %d out of order", ErrCorrupt, i)
		}
		d.Offsets[i] = v
		prev = v
	}
	if prev != h.Patterns {
		return nil, fmt.Errorf("%w: bucket offsets end at %d, want %d", ErrCorrupt, prev, h.Patterns)
	}
	return d, nil
}

// Load reads and decodes a database file.
func Load(path string) (*DB, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	d, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Encode returns the file bytes of d. The header's counts, body length and
// checksum are filled in from the contents.
func (d *DB) Encode() []byte {
	h := d.Header
	h.Version = Version
	h.Stars = uint32(len(d.Stars))
	h.Patterns = uint32(len(d.Patterns))
	h.Buckets = uint32(len(d.Offsets) - 1)
	h.BodyLen = uint64(len(d.Stars))*starBytes + uint64(len(d.Patterns))*patternBytes + uint64(len(d.Offsets))*4
	body := make([]byte, h.BodyLen)
	le := binary.LittleEndian
	p := 0
	for _, s := range d.Stars {
		le.PutUint32(body[p:], math.Float32bits(float32(s.Vec[0])))
		le.PutUint32(body[p+4:], math.Float32bits(float32(s.Vec[1])))
		le.PutUint32(body[p+8:], math.Float32bits(float32(s.Vec[2])))
		le.PutUint16(body[p+12:], uint16(int16(math.Round(s.Vmag*100))))
		le.PutUint32(body[p+14:], uint32(s.HIP))
		p += starBytes
	}
	for i, pt := range d.Patterns {
		for k := 0; k < 4; k++ {
			le.PutUint16(body[p+2*k:], pt[k])
		}
		le.PutUint32(body[p+8:], uint32(d.FP[i]))
		le.PutUint16(body[p+12:], uint16(d.FP[i]>>32))
		p += patternBytes
	}
	for _, o := range d.Offsets {
		le.PutUint32(body[p:], o)
		p += 4
	}
	h.BodyCRC = crc32.Checksum(body, castagnoli)
	d.Header = h
	return append(h.encode(), body...)
}

// Write writes the encoded database to w.
func (d *DB) Write(w io.Writer) error {
	if _, err := w.Write(d.Encode()); err != nil {
		return fmt.Errorf("db: write: %w", err)
	}
	return nil
}
