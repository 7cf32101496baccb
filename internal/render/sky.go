package render

import (
	"math"
	"sort"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
	"gonum.org/v1/gonum/spatial/r3"
)

// bandDeg is the height of a declination band of the star index.
const bandDeg = 1.0

type skyStar struct {
	hip     int
	ra, dec float64
	vmag    float64
	v       r3.Vec
}

// Sky is a star catalogue moved to one epoch and indexed by declination band
// and right ascension, so that rendering a field touches only nearby stars.
// A Sky is read-only after NewSky and safe for concurrent use.
type Sky struct {
	bands [][]skyStar // bands[i] covers Dec [-90+i, -89+i), sorted by RA
}

// NewSky applies proper motion to epoch (Julian years, e.g. 2026.9) and
// indexes the stars.
func NewSky(stars []starcat.Star, epoch float64) *Sky {
	n := int(180 / bandDeg)
	s := &Sky{bands: make([][]skyStar, n)}
	// Two passes: count each band, then fill one exactly sized array, so
	// the sky costs len(stars) records and no append slack (it is kept for
	// the whole run, and append's doubling left about half of it unused).
	// (Proper motion is cheap: applying it twice beats a temporary copy.)
	count := make([]int, n)
	for _, st := range stars {
		count[bandOf(st.At(epoch).Dec)]++
	}
	all := make([]skyStar, 0, len(stars))
	for b, c := range count {
		s.bands[b] = all[len(all) : len(all) : len(all)+c]
		all = all[:len(all)+c]
	}
	for _, st := range stars {
		m := st.At(epoch)
		b := bandOf(m.Dec)
		s.bands[b] = append(s.bands[b], skyStar{hip: m.HIP, ra: m.RA, dec: m.Dec, vmag: m.Vmag, v: geom.Vector(m.RA, m.Dec)})
	}
	for _, b := range s.bands {
		sort.Slice(b, func(i, j int) bool { return b[i].ra < b[j].ra })
	}
	return s
}

func bandOf(dec float64) int {
	b := int((dec + 90) / bandDeg)
	if b < 0 {
		b = 0
	}
	if b >= int(180/bandDeg) {
		b = int(180/bandDeg) - 1
	}
	return b
}

// Len returns the number of indexed stars.
func (s *Sky) Len() int {
	n := 0
	for _, b := range s.bands {
		n += len(b)
	}
	return n
}

// near appends to out every star within radius degrees of (ra, dec) (and some
// beyond: the test is a box in RA/Dec).
func (s *Sky) near(ra, dec, radius float64, out []*skyStar) []*skyStar {
	if s == nil {
		return out
	}
	lo, hi := bandOf(dec-radius), bandOf(dec+radius)
	cosMax := math.Cos(math.Min(89.9, math.Max(math.Abs(dec-radius), math.Abs(dec+radius))) * math.Pi / 180)
	for b := lo; b <= hi; b++ {
		band := s.bands[b]
		if len(band) == 0 {
			continue
		}
		if dec+radius >= 89.5 || dec-radius <= -89.5 || cosMax < 1e-3 || radius/cosMax >= 180 {
			for i := range band {
				out = append(out, &band[i])
			}
			continue
		}
		dra := radius / cosMax
		out = scanRA(band, ra-dra, ra+dra, out)
	}
	return out
}

// scanRA visits the stars of a band with RA in [a, b], handling wrap-around.
func scanRA(band []skyStar, a, b float64, out []*skyStar) []*skyStar {
	switch {
	case b-a >= 360:
		return scanRange(band, 0, 360, out)
	case a < 0:
		out = scanRange(band, a+360, 360, out)
		return scanRange(band, 0, math.Min(b, a+360-1e-9), out)
	case b >= 360:
		out = scanRange(band, a, 360, out)
		return scanRange(band, 0, math.Min(b-360, a-1e-9), out)
	}
	return scanRange(band, a, b, out)
}

// scanRange appends the stars with RA in [a, b].
func scanRange(band []skyStar, a, b float64, out []*skyStar) []*skyStar {
	// Binary search by hand: sort.Search's closure would allocate per call.
	lo, hi := 0, len(band)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if band[m].ra < a {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := lo; i < len(band) && band[i].ra <= b; i++ {
		out = append(out, &band[i])
	}
	return out
}
