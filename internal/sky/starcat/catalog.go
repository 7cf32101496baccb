package starcat

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Star is one catalogue entry. Angles are degrees, proper motions mas/yr
// (PMRA is mu_alpha* = mu_alpha cos dec). HasPM is false for the few stars
// without a Hipparcos-2 solution; their proper motion is taken as zero.
type Star struct {
	HIP   int
	RA    float64 // ICRS right ascension at Epoch, degrees [0, 360)
	Dec   float64 // ICRS declination at Epoch, degrees
	Vmag  float64
	PMRA  float64 // mas/yr, already multiplied by cos(dec)
	PMDec float64 // mas/yr
	BV    float64 // NaN when unknown
	HasPM bool
}

// Epoch of the positions in hip8.csv.
const Epoch = 2000.0

// ErrFormat marks input that is not a hip8-style CSV.
var ErrFormat = errors.New("catalog: bad format")

// Load reads a hip8-style CSV file.
func Load(path string) ([]Star, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	defer f.Close()
	stars, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("catalog: read %s: %w", path, err)
	}
	return stars, nil
}

// Read parses a hip8-style CSV stream: a header line naming the columns
// hip_id, ra_deg, dec_deg, vmag, pmra_mas_yr, pmdec_mas_yr and (optionally) bv,
// in any order, then one star per line.
func Read(r io.Reader) ([]Star, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	need := []string{"hip_id", "ra_deg", "dec_deg", "vmag", "pmra_mas_yr", "pmdec_mas_yr"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("%w: missing column %q", ErrFormat, n)
		}
	}
	bvCol, hasBV := col["bv"]
	var stars []Star
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrFormat, line, err)
		}
		get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		var s Star
		hip, err := strconv.Atoi(get("hip_id"))
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: hip_id: %v", ErrFormat, line, err)
		}
		s.HIP = hip
		for _, f := range []struct {
			name string
			dst  *float64
		}{{"ra_deg", &s.RA}, {"dec_deg", &s.Dec}, {"vmag", &s.Vmag}} {
			v, err := strconv.ParseFloat(get(f.name), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: line %d: %s %q", ErrFormat, line, f.name, get(f.name))
			}
			*f.dst = v
		}
		if s.RA < 0 || s.RA >= 360 || s.Dec < -90 || s.Dec > 90 {
			return nil, fmt.Errorf("%w: line %d: position out of range (%g, %g)", ErrFormat, line, s.RA, s.Dec)
		}
		pmra, pmdec := get("pmra_mas_yr"), get("pmdec_mas_yr")
		if pmra != "" && pmdec != "" {
			a, err1 := strconv.ParseFloat(pmra, 64)
			d, err2 := strconv.ParseFloat(pmdec, 64)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%w: line %d: proper motion %q %q", ErrFormat, line, pmra, pmdec)
			}
			s.PMRA, s.PMDec, s.HasPM = a, d, true
		}
		s.BV = math.NaN()
		if hasBV {
			if v := strings.TrimSpace(rec[bvCol]); v != "" {
				if b, err := strconv.ParseFloat(v, 64); err == nil {
					s.BV = b
				}
			}
		}
		stars = append(stars, s)
	}
	if len(stars) == 0 {
		return nil, fmt.Errorf("%w: no stars", ErrFormat)
	}
	return stars, nil
}

// At returns the star moved by its proper motion to the given epoch
// (Julian years, e.g. 2026.9). Linear in RA/Dec, as the catalogue README
// prescribes; Dec is clamped to the poles and RA wrapped to [0, 360).
func (s Star) At(epoch float64) Star {
	dt := epoch - Epoch
	if !s.HasPM || dt == 0 {
		return s
	}
	out := s
	out.Dec = s.Dec + s.PMDec*dt/3.6e6
	c := math.Cos(s.Dec * math.Pi / 180)
	if c > 1e-9 {
		out.RA = s.RA + s.PMRA/c*dt/3.6e6
	}
	out.Dec = math.Max(-90, math.Min(90, out.Dec))
	out.RA = math.Mod(out.RA, 360)
	if out.RA < 0 {
		out.RA += 360
	}
	return out
}

// Vector returns the unit vector of (ra, dec) in degrees: +x to RA 0/Dec 0,
// +y to RA 90°, +z to the north celestial pole.
func Vector(raDeg, decDeg float64) [3]float64 {
	ra, dec := raDeg*math.Pi/180, decDeg*math.Pi/180
	return [3]float64{math.Cos(dec) * math.Cos(ra), math.Cos(dec) * math.Sin(ra), math.Sin(dec)}
}
