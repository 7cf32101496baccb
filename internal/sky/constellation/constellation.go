package constellation

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

//go:generate go run ./gen -bounds ../../../../shared/catalog/constellations.bounds.json -names ../../../../shared/catalog/constellations.csv -o constellations.bin

//go:embed constellations.bin
var constellationData []byte

// polygon is one constellation boundary ring in J2000 RA/Dec degrees.
type polygon struct {
	abbr     string
	ra, dec  []float64 // RA in [0, 360)
	raStart  float64   // RA bounding interval [raStart, raStart+raSpan], wrapping
	raSpan   float64   // 360 for the polar caps
	decMin   float64
	decMax   float64
	northCap bool // the ring winds round the north pole (UMi)
}

type constName struct{ name, genitive string }

// constTable is the decoded boundary table with a Dec band index: band i
// covers Dec [−90+i, −89+i] and lists the polygons overlapping it.
type constTable struct {
	polys []polygon
	bands [180][]int32
	names map[string]constName
}

var (
	constTab, constErr = decodeConstellations(constellationData)
)

func decodeConstellations(b []byte) (*constTable, error) {
	r := &reader{b: b}
	if string(r.next(4)) != "PFCB" || r.byte() != 1 {
		return nil, errors.New("skymath: constellation table: bad header")
	}
	t := &constTable{names: map[string]constName{}}
	nn := int(r.byte())
	for range nn {
		abbr := string(r.next(3))
		name := string(r.next(int(r.byte())))
		gen := string(r.next(int(r.byte())))
		t.names[abbr] = constName{name, gen}
	}
	np := int(r.byte())
	for range np {
		p := polygon{abbr: string(r.next(3))}
		nv := int(binary.LittleEndian.Uint16(r.next(2)))
		for range nv {
			v := r.next(8)
			p.ra = append(p.ra, float64(int32(binary.LittleEndian.Uint32(v)))*1e-4)
			p.dec = append(p.dec, float64(int32(binary.LittleEndian.Uint32(v[4:])))*1e-4)
		}
		if r.err != nil {
			break
		}
		if _, ok := t.names[p.abbr]; !ok || nv < 3 {
			return nil, fmt.Errorf("skymath: constellation table: polygon %q invalid", p.abbr)
		}
		p.bounds()
		t.polys = append(t.polys, p)
	}
	if r.err != nil || r.off != len(b) {
		return nil, fmt.Errorf("skymath: constellation table: truncated or trailing data at %d of %d", r.off, len(b))
	}
	for i, p := range t.polys {
		for band := range 180 {
			lo, hi := float64(band-90), float64(band-89)
			if p.decMin <= hi && p.decMax >= lo {
				t.bands[band] = append(t.bands[band], int32(i))
			}
		}
	}
	return t, nil
}

// bounds fills the bounding box and detects rings that wind round a pole.
func (p *polygon) bounds() {
	u := p.ra[0]
	lo, hi := u, u
	p.decMin, p.decMax = p.dec[0], p.dec[0]
	n := len(p.ra)
	for i := range n {
		j := (i + 1) % n
		u += wrap180(p.ra[j] - p.ra[i])
		lo, hi = math.Min(lo, u), math.Max(hi, u)
		p.decMin, p.decMax = math.Min(p.decMin, p.dec[j]), math.Max(p.decMax, p.dec[j])
	}
	if math.Abs(u-p.ra[0]) > 180 { // winds once round a pole
		p.raStart, p.raSpan = 0, 360
		if p.decMax > 0 {
			p.northCap, p.decMax = true, 90
		} else {
			p.decMin = -90
		}
		return
	}
	p.raStart, p.raSpan = normDeg(lo), hi-lo
}

// contains reports whether (ra, dec) lies inside the ring whose edges join
// the J2000 vertices by straight lines in RA/Dec. It counts crossings of
// the meridian arc from the point north to the pole; a ring round the north
// pole contains the point when that count is even.
func (p *polygon) contains(ra, dec float64) bool {
	if dec < p.decMin || dec > p.decMax {
		return false
	}
	if p.raSpan < 360 && normDeg(ra-p.raStart) > p.raSpan {
		return false
	}
	n := len(p.ra)
	inside := p.northCap
	ua := wrap180(p.ra[n-1] - ra)
	da := p.dec[n-1]
	for i := range n {
		ub := wrap180(p.ra[i] - ra)
		db := p.dec[i]
		if (ua > 0) != (ub > 0) && math.Abs(ub-ua) < 180 {
			if da+(db-da)*(-ua)/(ub-ua) > dec {
				inside = !inside
			}
		}
		ua, da = ub, db
	}
	return inside
}

// Constellation returns the IAU abbreviation (e.g. "Ori") of the
// constellation containing the J2000 position (raDeg, decDeg). Any RA is
// accepted; Dec is clamped to [−90, 90]. Every finite position gets exactly
// one answer (a point in a rounding sliver between two boundaries goes to
// the nearest boundary's constellation); NaN or infinite input returns "".
func At(raDeg, decDeg float64) string {
	if constErr != nil || math.IsNaN(raDeg) || math.IsNaN(decDeg) || math.IsInf(raDeg, 0) || math.IsInf(decDeg, 0) {
		return ""
	}
	ra, dec := normDeg(raDeg), math.Max(-90, math.Min(90, decDeg))
	band := int(dec + 90)
	if band > 179 {
		band = 179
	}
	for _, i := range constTab.bands[band] {
		if p := &constTab.polys[i]; p.contains(ra, dec) {
			return p.abbr
		}
	}
	return constTab.nearest(ra, dec)
}

// nearest returns the constellation whose boundary passes closest to the
// point, measured in the local tangent plane.
func (t *constTable) nearest(ra, dec float64) string {
	best, bestD := "", math.Inf(1)
	cd := math.Cos(dec * d2r)
	for k := range t.polys {
		p := &t.polys[k]
		n := len(p.ra)
		for i := range n {
			j := (i + 1) % n
			ax, ay := wrap180(p.ra[i]-ra)*cd, p.dec[i]-dec
			bx, by := wrap180(p.ra[j]-ra)*cd, p.dec[j]-dec
			if math.Abs(bx-ax) > 180*cd {
				continue
			}
			if d := segDist(ax, ay, bx, by); d < bestD {
				best, bestD = p.abbr, d
			}
		}
	}
	return best
}

// segDist is the distance from the origin to segment a–b.
func segDist(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	s := 0.0
	if l2 > 0 {
		s = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+s*dx, ay+s*dy)
}

// ConstellationName returns the Latin name and genitive for an IAU
// abbreviation such as "Ori" (case sensitive, as returned by
// Constellation). Serpens (both parts share "Ser") is "Serpens".
func Name(abbr string) (name, genitive string, ok bool) {
	if constErr != nil {
		return "", "", false
	}
	n, ok := constTab.names[abbr]
	return n.name, n.genitive, ok
}

// Constellations returns the 88 IAU abbreviations in alphabetical order.
func All() []string {
	if constErr != nil {
		return nil
	}
	out := make([]string, 0, len(constTab.names))
	seen := map[string]bool{}
	for _, p := range constTab.polys {
		if !seen[p.abbr] {
			seen[p.abbr] = true
			out = append(out, p.abbr)
		}
	}
	slices.Sort(out)
	return out
}

// wrap180 wraps an RA difference of two values in [0, 360) to (−180, 180].
func wrap180(d float64) float64 {
	if d > 180 {
		return d - 360
	}
	if d <= -180 {
		return d + 360
	}
	return d
}

// reader decodes the embedded table, remembering the first overrun.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) next(n int) []byte {
	if r.err != nil || r.off+n > len(r.b) {
		r.err = errors.New("short table")
		return make([]byte, n)
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) byte() byte { return r.next(1)[0] }

// normDeg maps an angle to [0, 360).
func normDeg(a float64) float64 {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	if a >= 360 {
		a = 0
	}
	return a
}

const (
	d2r = math.Pi / 180
	r2d = 180 / math.Pi
)
