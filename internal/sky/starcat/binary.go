package starcat

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"sync"
)

//go:generate go run ./gen -catalog ../../../../shared/catalog/hip8.csv -o hip8.bin.gz

// The binary catalogue keeps every field of hip8.csv at the CSV's own
// precision (1e-4° positions, 0.01 mag, 0.01 mas/yr, 0.001 mag colour), so
// Encode(Read(csv)) loses nothing. Layout, little-endian, gzip-compressed:
//
//	magic "PFCAT\x00", version uint16, count uint32, crc32 (IEEE) of the records uint32,
//	then per star: hip uint32, ra int32, dec int32, vmag int16, pmra int32,
//	pmdec int32, bv int16 (math.MinInt16: unknown), flags uint8 (1: has pm).
const (
	binMagic   = "PFCAT\x00"
	binVersion = 1
	recordSize = 4 + 4 + 4 + 2 + 4 + 4 + 2 + 1
)

//go:embed hip8.bin.gz
var embedded []byte

var (
	embeddedOnce  sync.Once
	embeddedStars []Star
	embeddedErr   error
)

// Embedded returns the Hipparcos catalogue built into the binary (hip8.csv
// to V 8.0, encoded by the generator). The slice is shared: do not modify it.
func Embedded() ([]Star, error) {
	embeddedOnce.Do(func() {
		embeddedStars, embeddedErr = Decode(bytes.NewReader(embedded))
		if embeddedErr != nil {
			embeddedErr = fmt.Errorf("catalog: embedded catalogue: %w", embeddedErr)
		}
	})
	return embeddedStars, embeddedErr
}

// DecodeEmbedded decodes the built-in catalogue afresh, uncached, for a
// caller that indexes the stars once and drops them (the sim camera's
// sky): Embedded's cache would keep 2.5 MB alive for the whole run.
func DecodeEmbedded() ([]Star, error) {
	stars, err := Decode(bytes.NewReader(embedded))
	if err != nil {
		return nil, fmt.Errorf("catalog: embedded catalogue: %w", err)
	}
	return stars, nil
}

func q(v, unit float64) int64 { return int64(math.Round(v / unit)) }

// Encode writes stars in the binary catalogue format. It is deterministic.
func Encode(w io.Writer, stars []Star) error {
	body := make([]byte, 0, len(stars)*recordSize)
	for _, s := range stars {
		bv := int16(math.MinInt16)
		if !math.IsNaN(s.BV) {
			bv = int16(q(s.BV, 1e-3))
		}
		var flags uint8
		if s.HasPM {
			flags = 1
		}
		body = binary.LittleEndian.AppendUint32(body, uint32(s.HIP))
		body = binary.LittleEndian.AppendUint32(body, uint32(int32(q(s.RA, 1e-4))))
		body = binary.LittleEndian.AppendUint32(body, uint32(int32(q(s.Dec, 1e-4))))
		body = binary.LittleEndian.AppendUint16(body, uint16(int16(q(s.Vmag, 1e-2))))
		body = binary.LittleEndian.AppendUint32(body, uint32(int32(q(s.PMRA, 1e-2))))
		body = binary.LittleEndian.AppendUint32(body, uint32(int32(q(s.PMDec, 1e-2))))
		body = binary.LittleEndian.AppendUint16(body, uint16(bv))
		body = append(body, flags)
	}
	head := []byte(binMagic)
	head = binary.LittleEndian.AppendUint16(head, binVersion)
	head = binary.LittleEndian.AppendUint32(head, uint32(len(stars)))
	head = binary.LittleEndian.AppendUint32(head, crc32.ChecksumIEEE(body))
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(head); err != nil {
		return err
	}
	if _, err := zw.Write(body); err != nil {
		return err
	}
	return zw.Close()
}

// Decode reads a binary catalogue, checking its header and checksum.
func Decode(r io.Reader) ([]Star, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not a gzip stream: %v", ErrFormat, err)
	}
	head := make([]byte, len(binMagic)+2+4+4)
	if _, err := io.ReadFull(zr, head); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	if string(head[:len(binMagic)]) != binMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	p := head[len(binMagic):]
	if v := binary.LittleEndian.Uint16(p); v != binVersion {
		return nil, fmt.Errorf("%w: version %d, this program reads %d", ErrFormat, v, binVersion)
	}
	n := int(binary.LittleEndian.Uint32(p[2:]))
	sum := binary.LittleEndian.Uint32(p[6:])
	if n <= 0 || n > 10_000_000 {
		return nil, fmt.Errorf("%w: star count %d", ErrFormat, n)
	}
	body := make([]byte, n*recordSize)
	if _, err := io.ReadFull(zr, body); err != nil {
		return nil, fmt.Errorf("%w: truncated after the header (%d stars announced): %v", ErrFormat, n, err)
	}
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrFormat)
	}
	if _, err := zr.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: trailing data after %d stars", ErrFormat, n)
	}
	le := binary.LittleEndian
	stars := make([]Star, n)
	for i := range stars {
		b := body[i*recordSize:]
		s := &stars[i]
		s.HIP = int(le.Uint32(b))
		s.RA = float64(int32(le.Uint32(b[4:]))) * 1e-4
		s.Dec = float64(int32(le.Uint32(b[8:]))) * 1e-4
		s.Vmag = float64(int16(le.Uint16(b[12:]))) * 1e-2
		s.PMRA = float64(int32(le.Uint32(b[14:]))) * 1e-2
		s.PMDec = float64(int32(le.Uint32(b[18:]))) * 1e-2
		bv := int16(le.Uint16(b[22:]))
		s.BV = math.NaN()
		if bv != math.MinInt16 {
			s.BV = float64(bv) * 1e-3
		}
		s.HasPM = b[24]&1 != 0
		if s.RA < 0 || s.RA >= 360 || s.Dec < -90 || s.Dec > 90 {
			return nil, fmt.Errorf("%w: star %d (HIP %d) out of range", ErrFormat, i, s.HIP)
		}
	}
	return stars, nil
}
