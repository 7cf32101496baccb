package targets

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/sky/planets"
)

// Catalog is the searchable set of targets: the catalogue objects and the
// solar-system bodies. It is immutable after New and safe for concurrent
// use.
type Catalog struct {
	targets []Target
	vecs    [][3]float64 // J2000 unit vectors of fixed targets
	keys    []indexKey   // sorted by key
}

// indexKey is one spelling of one target. order packs everything but the
// exactness of a match into one sortable number (see rankOrder), so
// ranking a search is a sort of integers.
type indexKey struct {
	key   string
	order uint64
}

// Match ranks: what matched.
const (
	rankPrimary = iota // the primary designation: "M 31"
	rankDesig          // a cross id: "NGC 224"
	rankName           // a name: "Andromeda Galaxy"
	rankWord           // a later word of a name: "Galaxy"
)

// rankOrder packs, most significant first: rank (2 bits), priority (2
// bits: bodies, then Messier, then the rest), magnitude (16 bits, bright
// first, unknown last) and target index (32 bits). Bit 63 is left for
// "not exact".
func rankOrder(rank, priority int, mag float64, idx int) uint64 {
	m := uint64(0xffff)
	if !math.IsNaN(mag) {
		m = uint64(math.Max(0, math.Min(0xfffe, math.Round((mag+30)*100))))
	}
	return uint64(rank)<<60 | uint64(priority)<<58 | m<<42 | uint64(idx)
}

const (
	notExact = 1 << 63
	idxMask  = 1<<32 - 1
)

// New builds a catalogue over objs (normally objects.All) and the nine
// solar-system bodies. objs must not change afterwards.
func New(objs []objects.Object) *Catalog {
	c := &Catalog{}
	for _, b := range planets.All() {
		c.add(BodyTarget(b), 0, []string{b.String()}, nil)
	}
	for i := range objs {
		o := &objs[i]
		pri := 2
		if strings.HasPrefix(o.Primary(), "M ") && o.Kind != objects.Star {
			pri = 1
		}
		c.add(ObjectTarget(o), pri, o.Designations, o.Names)
	}
	slices.SortFunc(c.keys, func(a, b indexKey) int {
		if n := strings.Compare(a.key, b.key); n != 0 {
			return n
		}
		return cmpU64(a.order, b.order)
	})
	return c
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *Catalog) add(t Target, pri int, desigs, names []string) {
	idx := len(c.targets)
	c.targets = append(c.targets, t)
	var v [3]float64
	if ra, dec, ok := t.J2000(); ok {
		v = unitVec(ra, dec)
	}
	c.vecs = append(c.vecs, v)
	mag := t.Mag()
	seen := map[string]bool{}
	put := func(k string, rank int) {
		if k != "" && !seen[k] {
			seen[k] = true
			c.keys = append(c.keys, indexKey{k, rankOrder(rank, pri, mag, idx)})
		}
	}
	for i, d := range desigs {
		r := rankDesig
		if i == 0 {
			r = rankPrimary
		}
		put(Normalize(d), r)
	}
	for _, n := range names {
		put(Normalize(n), rankName)
		words := strings.Fields(n)
		for i := 1; i < len(words); i++ {
			put(Normalize(strings.Join(words[i:], " ")), rankWord)
		}
	}
}

var defaultCatalog = sync.OnceValues(func() (*Catalog, error) {
	objs, err := objects.All()
	if err != nil {
		return nil, err
	}
	return New(objs), nil
})

// Default returns the catalogue over the embedded objects, built once.
func Default() (*Catalog, error) { return defaultCatalog() }

// Len returns the number of targets.
func (c *Catalog) Len() int { return len(c.targets) }

// Target returns the i-th target (bodies first, then objects.All order).
func (c *Catalog) Target(i int) Target { return c.targets[i] }

// Match is a search result.
type Match struct {
	Target Target
	// Exact is true when the whole query spelled a designation or name;
	// false for a prefix match.
	Exact bool
}

// Lookup returns the best exact match for a designation or name ("M31",
// "ngc 224", "Vega", "α Lyr", "Jupiter"); ok is false when nothing is
// spelled that way.
func (c *Catalog) Lookup(q string) (Target, bool) {
	m, err := c.Search(Query{Text: q, Limit: 1})
	if err != nil || len(m) == 0 || !m[0].Exact {
		return Target{}, false
	}
	return m[0].Target, true
}

// Query is a search: free text (designation or name, any spelling, or a
// prefix of one as the user types; empty lists everything), a Filter and
// the largest number of results (0 means 20).
type Query struct {
	Text   string
	Filter Filter
	Limit  int
}

// Filter narrows a search or a Nearby list. The zero value lets everything
// through. The altitude conditions and the position of the bodies need
// Site and Time; they are geometric (no refraction) to a few arcseconds.
type Filter struct {
	// Kinds keeps only these kinds (objects.SolarSystem for the bodies).
	Kinds []objects.Kind
	// MaxMag keeps objects at most this magnitude when non-nil; objects
	// without a magnitude (dark nebulae, coordinates, bodies) are dropped.
	MaxMag *float64
	// Constellation keeps objects in this constellation (IAU abbreviation,
	// any case).
	Constellation string
	// AboveHorizon keeps what is above the horizon at Time.
	AboveHorizon bool
	// MinAltNextHour keeps what stays at or above this altitude (degrees)
	// from Time for the next hour.
	MinAltNextHour *float64
	Site           astro.Observer
	Time           time.Time
}

// ErrFilter is returned for a filter that cannot be applied.
var ErrFilter = errors.New("targets: bad filter")

func (f *Filter) needsSky() bool { return f.AboveHorizon || f.MinAltNextHour != nil }

// prepared is a filter with its per-query work done once.
type prepared struct {
	f      *Filter
	kinds  uint64
	sky    horizon
	useSky bool
	bodies map[planets.Body][3]float64 // J2000 unit vectors at Time
	con    string
}

func (c *Catalog) prepare(f *Filter) (*prepared, error) {
	p := &prepared{f: f}
	for _, k := range f.Kinds {
		if k == objects.Unknown || int(k) >= 64 {
			return nil, fmt.Errorf("%w: kind %v", ErrFilter, k)
		}
		p.kinds |= 1 << k
	}
	if f.MaxMag != nil && math.IsNaN(*f.MaxMag) {
		return nil, fmt.Errorf("%w: magnitude limit is NaN", ErrFilter)
	}
	if f.MinAltNextHour != nil && !(math.Abs(*f.MinAltNextHour) <= 90) {
		return nil, fmt.Errorf("%w: altitude %v out of range", ErrFilter, *f.MinAltNextHour)
	}
	p.con = strings.ToLower(strings.TrimSpace(f.Constellation))
	if f.needsSky() || p.con != "" {
		if f.Time.IsZero() && f.needsSky() {
			return nil, fmt.Errorf("%w: the altitude conditions need Time and Site", ErrFilter)
		}
		if !(math.Abs(f.Site.LatDeg) <= 90) || math.IsNaN(f.Site.LonDeg) || math.IsInf(f.Site.LonDeg, 0) {
			return nil, fmt.Errorf("%w: bad site %+v", ErrFilter, f.Site)
		}
	}
	if f.needsSky() {
		p.sky, p.useSky = newHorizon(f.Site, f.Time), true
	}
	if !f.Time.IsZero() && (p.kinds == 0 || p.kinds&(1<<objects.SolarSystem) != 0) {
		p.bodies = map[planets.Body][3]float64{}
		for _, b := range planets.All() {
			ra, dec, err := BodyTarget(b).Position(f.Time, f.Site)
			if err != nil {
				return nil, err
			}
			p.bodies[b] = unitVec(ra, dec)
		}
	}
	return p, nil
}

// vec returns the J2000 unit vector of target i; ok is false for a body
// when the filter has no Time.
func (c *Catalog) vec(p *prepared, i int) ([3]float64, bool) {
	t := &c.targets[i]
	if b, ok := t.Body(); ok {
		v, ok := p.bodies[b]
		return v, ok
	}
	return c.vecs[i], true
}

func (p *prepared) keep(c *Catalog, i int) bool {
	t := &c.targets[i]
	if p.kinds != 0 && p.kinds&(1<<t.Kind()) == 0 {
		return false
	}
	if p.f.MaxMag != nil && !(t.Mag() <= *p.f.MaxMag) {
		return false
	}
	if p.con != "" {
		if t.obj != nil {
			if strings.ToLower(t.obj.Constellation) != p.con {
				return false
			}
		} else if v, ok := c.vec(p, i); !ok || strings.ToLower(constellationOf(v)) != p.con {
			return false
		}
	}
	if p.useSky {
		v, ok := c.vec(p, i)
		if !ok {
			return false
		}
		if p.f.AboveHorizon {
			ha, dec := p.sky.hourAngleDec(v, 0)
			if p.sky.alt(ha, dec) < 0 {
				return false
			}
		}
		if p.f.MinAltNextHour != nil && p.sky.minAltOver(v, 3600) < *p.f.MinAltNextHour {
			return false
		}
	}
	return true
}

// Search returns the targets matching q, best first: exact spellings
// before prefixes; then primary designations, cross ids, names, and later
// words of names; then the Sun, Moon and planets, Messier objects, the
// rest; then brightest first.
func (c *Catalog) Search(q Query) ([]Match, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	p, err := c.prepare(&q.Filter)
	if err != nil {
		return nil, err
	}
	key := Normalize(q.Text)
	if key == "" {
		return c.list(p, limit), nil
	}
	lo := sort.Search(len(c.keys), func(i int) bool { return c.keys[i].key >= key })
	cand := make([]uint64, 0, 64)
	for i := lo; i < len(c.keys) && strings.HasPrefix(c.keys[i].key, key); i++ {
		o := c.keys[i].order
		if len(c.keys[i].key) != len(key) {
			o |= notExact
		}
		cand = append(cand, o)
	}
	slices.Sort(cand)
	out := make([]Match, 0, min(limit, len(cand)))
	for _, o := range cand {
		idx := int(o & idxMask)
		if slices.ContainsFunc(out, func(m Match) bool { return m.Target == c.targets[idx] }) || !p.keep(c, idx) {
			continue
		}
		out = append(out, Match{Target: c.targets[idx], Exact: o&notExact == 0})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// list returns the brightest targets passing the filter.
func (c *Catalog) list(p *prepared, limit int) []Match {
	idx := make([]int, 0, 256)
	for i := range c.targets {
		if p.keep(c, i) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpMag(c.targets[a].Mag(), c.targets[b].Mag()) })
	out := make([]Match, 0, min(limit, len(idx)))
	for _, i := range idx[:min(limit, len(idx))] {
		out = append(out, Match{Target: c.targets[i]})
	}
	return out
}

// cmpMag orders magnitudes bright first, unknown last.
func cmpMag(a, b float64) int {
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return 1
	case math.IsNaN(b):
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Order is how Nearby sorts.
type Order uint8

const (
	// Nearest first.
	Nearest Order = iota
	// Brightest first (unknown magnitudes last, then nearest).
	Brightest
)

// Near is a Nearby result.
type Near struct {
	Target        Target
	SeparationDeg float64
}

// Nearby returns the targets within radiusDeg of the J2000 position (the
// current pointing), passing the filter, sorted by order, at most limit
// (0 means 20). Bodies are included when the filter has a Time.
func (c *Catalog) Nearby(raDeg, decDeg, radiusDeg float64, order Order, f Filter, limit int) ([]Near, error) {
	if math.IsNaN(raDeg) || math.IsInf(raDeg, 0) || !(math.Abs(decDeg) <= 90) || !(radiusDeg >= 0 && radiusDeg <= 180) {
		return nil, fmt.Errorf("%w: position (%v, %v) radius %v", ErrCoordinates, raDeg, decDeg, radiusDeg)
	}
	if limit <= 0 {
		limit = 20
	}
	p, err := c.prepare(&f)
	if err != nil {
		return nil, err
	}
	q := unitVec(raDeg, decDeg)
	minDot := math.Cos(radiusDeg * d2r)
	var out []Near
	for i := range c.targets {
		v, ok := c.vec(p, i)
		if !ok {
			continue
		}
		d := v[0]*q[0] + v[1]*q[1] + v[2]*q[2]
		if d < minDot || !p.keep(c, i) {
			continue
		}
		out = append(out, Near{Target: c.targets[i], SeparationDeg: sepVec(q, v)})
	}
	slices.SortStableFunc(out, func(a, b Near) int {
		if order == Brightest {
			if n := cmpMag(a.Target.Mag(), b.Target.Mag()); n != 0 {
				return n
			}
		}
		switch {
		case a.SeparationDeg < b.SeparationDeg:
			return -1
		case a.SeparationDeg > b.SeparationDeg:
			return 1
		}
		return 0
	})
	return out[:min(limit, len(out))], nil
}

// sepVec is the angle between two unit vectors in degrees, accurate at all
// separations (atan2 of the cross and dot products).
func sepVec(a, b [3]float64) float64 {
	x := a[1]*b[2] - a[2]*b[1]
	y := a[2]*b[0] - a[0]*b[2]
	z := a[0]*b[1] - a[1]*b[0]
	return math.Atan2(math.Sqrt(x*x+y*y+z*z), a[0]*b[0]+a[1]*b[1]+a[2]*b[2]) * r2d
}
