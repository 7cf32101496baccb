package chart

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"math"
	"sync"
)

//go:embed lines.bin
var linesBin []byte

// ErrFormat reports a malformed embedded lines table.
var ErrFormat = errors.New("chart: bad lines format")

// Figure is one constellation's stick figure: polylines of J2000 RA, Dec
// in degrees (RA in [0, 360)).
type Figure struct {
	ID    string // IAU abbreviation, "Ori"
	Lines [][][2]float64
}

// decodeLines reads the lines.bin form written by gen.
func decodeLines(b []byte) ([]Figure, error) {
	le := binary.LittleEndian
	if len(b) < 7 || string(b[:4]) != "PFCL" || b[4] != 1 {
		return nil, ErrFormat
	}
	n := int(le.Uint16(b[5:]))
	b = b[7:]
	u16 := func() (int, bool) {
		if len(b) < 2 {
			return 0, false
		}
		v := le.Uint16(b)
		b = b[2:]
		return int(v), true
	}
	figs := make([]Figure, 0, n)
	for range n {
		if len(b) < 3 {
			return nil, ErrFormat
		}
		f := Figure{ID: string(b[:3])}
		b = b[3:]
		nl, ok := u16()
		if !ok {
			return nil, ErrFormat
		}
		for range nl {
			np, ok := u16()
			if !ok || len(b) < 8*np {
				return nil, ErrFormat
			}
			ln := make([][2]float64, np)
			for i := range ln {
				ln[i][0] = float64(int32(le.Uint32(b))) / 1e5
				ln[i][1] = float64(int32(le.Uint32(b[4:]))) / 1e5
				b = b[8:]
				if ln[i][0] < 0 || ln[i][0] >= 360 || math.Abs(ln[i][1]) > 90 {
					return nil, ErrFormat
				}
			}
			f.Lines = append(f.Lines, ln)
		}
		figs = append(figs, f)
	}
	if len(b) != 0 {
		return nil, ErrFormat
	}
	return figs, nil
}

// Figures returns the embedded constellation stick figures, sorted by id,
// decoded once and shared read-only.
func Figures() ([]Figure, error) { return figures() }

var figures = sync.OnceValues(func() ([]Figure, error) { return decodeLines(linesBin) })
