package imaging

import (
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"
)

const (
	fitsBlock = 2880
	fitsCard  = 80
)

// decodeFITS reads the primary HDU of a FITS file: 2880-byte blocks of
// 80-character header cards up to END, then big-endian data. NAXIS must be
// 2 (or 3 with NAXIS3 = 1). Physical values are BZERO + BSCALE·raw.
// BITPIX 8 gives *image.Gray; 16 gives *image.Gray16 (clipped to 0…65535,
// so signed data with BZERO 32768 is the usual unsigned frame); 32, -32 and
// -64 are scaled linearly from their finite minimum…maximum to 0…65535
// (NaN becomes 0). The first stored row is image row 0: no flip, the same
// convention astrometry.net uses.
func decodeFITS(data []byte) (image.Image, error) {
	hdr := map[string]string{}
	end := -1
	for off := 0; off+fitsCard <= len(data); off += fitsCard {
		card := string(data[off : off+fitsCard])
		key := strings.TrimSpace(card[:8])
		if key == "END" {
			end = off + fitsCard
			break
		}
		if len(card) > 10 && card[8:10] == "= " {
			v := card[10:]
			if i := strings.IndexByte(v, '/'); i >= 0 && !strings.HasPrefix(strings.TrimSpace(v), "'") {
				v = v[:i]
			}
			hdr[key] = strings.TrimSpace(v)
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("%w: FITS header has no END card", ErrFormat)
	}
	if hdr["SIMPLE"] != "T" {
		return nil, fmt.Errorf("%w: FITS SIMPLE is not T", ErrFormat)
	}
	geti := func(k string) (int, error) {
		v, ok := hdr[k]
		if !ok {
			return 0, fmt.Errorf("%w: FITS header lacks %s", ErrFormat, k)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%w: FITS %s = %q", ErrFormat, k, v)
		}
		return n, nil
	}
	getf := func(k string, def float64) (float64, error) {
		v, ok := hdr[k]
		if !ok {
			return def, nil
		}
		f, err := strconv.ParseFloat(strings.Replace(strings.Replace(v, "D", "E", 1), "d", "e", 1), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%w: FITS %s = %q", ErrFormat, k, v)
		}
		return f, nil
	}
	bitpix, err := geti("BITPIX")
	if err != nil {
		return nil, err
	}
	naxis, err := geti("NAXIS")
	if err != nil {
		return nil, err
	}
	if naxis != 2 && naxis != 3 {
		return nil, fmt.Errorf("%w: FITS NAXIS = %d, want 2", ErrFormat, naxis)
	}
	w, err := geti("NAXIS1")
	if err != nil {
		return nil, err
	}
	h, err := geti("NAXIS2")
	if err != nil {
		return nil, err
	}
	if naxis == 3 {
		if n3, err := geti("NAXIS3"); err != nil || n3 != 1 {
			return nil, fmt.Errorf("%w: FITS cube with NAXIS3 ≠ 1 (colour or stack) is not supported", ErrFormat)
		}
	}
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	bzero, err := getf("BZERO", 0)
	if err != nil {
		return nil, err
	}
	bscale, err := getf("BSCALE", 1)
	if err != nil {
		return nil, err
	}
	var bpp int
	switch bitpix {
	case 8:
		bpp = 1
	case 16:
		bpp = 2
	case 32, -32:
		bpp = 4
	case -64:
		bpp = 8
	default:
		return nil, fmt.Errorf("%w: FITS BITPIX %d not supported", ErrFormat, bitpix)
	}
	// The data the header declares is what the file holds and what is
	// converted; the grey image made of it is no larger.
	if err := checkDecoded(w, h, fmt.Sprintf("FITS BITPIX %d", bitpix), int64(bpp)); err != nil {
		return nil, err
	}
	start := (end + fitsBlock - 1) / fitsBlock * fitsBlock
	need := w * h * bpp
	if start > len(data) || len(data)-start < need {
		return nil, fmt.Errorf("%w: FITS data truncated: need %d bytes after the header, have %d", ErrFormat, need, max(len(data)-start, 0))
	}
	px := data[start : start+need]
	rect := image.Rect(0, 0, w, h)
	switch bitpix {
	case 8:
		g := image.NewGray(rect)
		for i, b := range px {
			g.Pix[i] = uint8(clamp(float64(b)*bscale+bzero, 0, 255))
		}
		return g, nil
	case 16:
		g := image.NewGray16(rect)
		for i := 0; i < w*h; i++ {
			raw := int16(binary.BigEndian.Uint16(px[2*i:]))
			v := uint16(clamp(float64(raw)*bscale+bzero, 0, 65535))
			g.Pix[2*i], g.Pix[2*i+1] = uint8(v>>8), uint8(v)
		}
		return g, nil
	}
	// 32, -32 and -64: two passes over the data (range, then scale), so
	// no w×h array of float64 is held on top of the image.
	value := func(i int) float64 {
		var v float64
		switch bitpix {
		case 32:
			v = float64(int32(binary.BigEndian.Uint32(px[4*i:])))
		case -32:
			v = float64(math.Float32frombits(binary.BigEndian.Uint32(px[4*i:])))
		case -64:
			v = math.Float64frombits(binary.BigEndian.Uint64(px[8*i:]))
		}
		v = v*bscale + bzero
		if math.IsInf(v, 0) {
			return math.NaN()
		}
		return v
	}
	n := w * h
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range n {
		if v := value(i); !math.IsNaN(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	g := image.NewGray16(rect)
	scale := 0.0
	if hi > lo {
		scale = 65535 / (hi - lo)
	}
	for i := range n {
		u := uint16(0)
		if v := value(i); !math.IsNaN(v) {
			u = uint16(clamp((v-lo)*scale+0.5, 0, 65535))
		}
		g.Pix[2*i], g.Pix[2*i+1] = uint8(u>>8), uint8(u)
	}
	return g, nil
}

func clamp(v, lo, hi float64) float64 {
	if v < lo || math.IsNaN(v) {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
