package ui

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// DigitTimeout ends a typed catalogue number: a digit after this pause
// starts a new number.
const DigitTimeout = 2 * time.Second

// The catalogues of the targets screen, in menu order.
const (
	catMessier  = "Messier"
	catNGC      = "NGC"
	catIC       = "IC"
	catCaldwell = "Caldwell"
	catStars    = "Named stars"
	catPlanets  = "Planets"
	catRecent   = "Recent"
	catNearby   = "Nearby"
	catSearch   = "Search"
)

var catalogueMenu = []string{catMessier, catNGC, catIC, catCaldwell, catStars, catPlanets, catRecent, catNearby, catSearch}

// designation prefixes of the numbered catalogues.
var catPrefix = map[string]string{catMessier: "M ", catNGC: "NGC ", catIC: "IC ", catCaldwell: "C "}

// NearbyRadius is the radius of the Nearby list around the pointing.
const NearbyRadius = 10.0

// entry is one row of a catalogue list.
type entry struct {
	t     targets.Target
	label string
	num   int // catalogue number, 0 for unnumbered lists
	code  []string
}

type catalogue struct {
	name     string
	numbered bool
	entries  []entry
}

// catalogue returns the named static catalogue, building it on first use.
func (u *UI) catalogue(name string) (*catalogue, error) {
	if c, ok := u.cats[name]; ok {
		return c, nil
	}
	all, err := objects.All()
	if err != nil {
		return nil, err
	}
	c := &catalogue{name: name}
	if p, ok := catPrefix[name]; ok {
		c.numbered = true
		for i := range all {
			o := &all[i]
			for _, d := range o.Designations {
				rest, ok := strings.CutPrefix(d, p)
				if !ok {
					continue
				}
				n := leadingInt(rest)
				if n <= 0 {
					continue
				}
				label := d
				if len(o.Names) > 0 {
					label += " " + o.Names[0]
				}
				c.entries = append(c.entries, entry{t: targets.ObjectTarget(o), label: label, num: n})
			}
		}
		slices.SortStableFunc(c.entries, func(a, b entry) int { return cmp.Compare(a.num, b.num) })
	} else {
		switch name {
		case catStars:
			for i := range all {
				if o := &all[i]; o.Kind == objects.Star && len(o.Names) > 0 {
					c.entries = append(c.entries, entry{t: targets.ObjectTarget(o), label: o.Names[0]})
				}
			}
			slices.SortStableFunc(c.entries, func(a, b entry) int { return strings.Compare(a.label, b.label) })
		case catPlanets:
			for i := range u.cat.Len() {
				t := u.cat.Target(i)
				if t.Kind() != objects.SolarSystem {
					break
				}
				c.entries = append(c.entries, entry{t: t, label: t.Name()})
			}
		}
		for i := range c.entries {
			c.entries[i].code = t9Words(c.entries[i].label)
		}
	}
	u.cats[name] = c
	return c, nil
}

func leadingInt(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	return n
}

// targetsScreen is the menu of catalogues.
type targetsScreen struct{ sel int }

func (*targetsScreen) name() string { return "targets" }

func (m *targetsScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	if menuKey(u, ev, &m.sel, len(catalogueMenu)) {
		return u.openCatalogue(ctx, catalogueMenu[m.sel])
	}
	return nil
}

func (m *targetsScreen) draw(u *UI, c *canvas, st state.State) {
	drawMenu(c, "Targets", catalogueMenu, m.sel)
}

// openCatalogue pushes the list (or the search) of a catalogue.
func (u *UI) openCatalogue(ctx context.Context, name string) error {
	if u.cat == nil {
		cat, err := targets.Default()
		if err != nil {
			u.say("catalogue: " + err.Error())
			return nil
		}
		u.cat = cat
	}
	switch name {
	case catSearch:
		u.push(&searchScreen{})
		return nil
	case catRecent, catNearby:
		st, err := u.cfg.Store.Snapshot(ctx)
		if err != nil {
			return err
		}
		c := &catalogue{name: name}
		if name == catRecent {
			for _, t := range st.Recent {
				c.entries = append(c.entries, entry{t: t.Object, label: t.Name})
			}
		} else {
			p := st.Estimate.Aligned.Estimate
			if !p.Valid {
				u.say("no solve yet")
				return nil
			}
			at, site, _ := st.Sky(u.cfg.Now())
			near, err := u.cat.Nearby(p.RA, p.Dec, NearbyRadius, targets.Nearest, targets.Filter{Site: site, Time: at}, 50)
			if err != nil {
				u.say(err.Error())
				return nil
			}
			for _, n := range near {
				c.entries = append(c.entries, entry{t: n.Target, label: n.Target.Name()})
			}
		}
		for i := range c.entries {
			c.entries[i].code = t9Words(c.entries[i].label)
		}
		u.push(newList(c))
		return nil
	}
	c, err := u.catalogue(name)
	if err != nil {
		u.say(err.Error())
		return nil
	}
	u.push(newList(c))
	return nil
}

// listFilter narrows a list (SQUARE on a list).
type listFilter struct {
	kind  int // index in kindGroups
	mag   int // index in magLimits
	above bool
}

type kindGroup struct {
	name  string
	kinds []objects.Kind
}

var kindGroups = []kindGroup{
	{"all", nil},
	{"galaxy", []objects.Kind{objects.Galaxy, objects.GalaxyGroup}},
	{"open cluster", []objects.Kind{objects.OpenCluster}},
	{"globular", []objects.Kind{objects.GlobularCluster}},
	{"nebula", []objects.Kind{objects.BrightNebula, objects.EmissionNebula, objects.ReflectionNebula, objects.DarkNebula, objects.SupernovaRemnant, objects.StarFormingRegion}},
	{"planetary", []objects.Kind{objects.PlanetaryNebula}},
	{"star", []objects.Kind{objects.Star, objects.Asterism}},
	{"planet", []objects.Kind{objects.SolarSystem}},
}

var magLimits = []float64{0, 6, 8, 10, 12, 14} // 0: any

func (f listFilter) active() bool { return f.kind != 0 || f.mag != 0 || f.above }

func (f listFilter) String() string {
	var p []string
	if f.kind != 0 {
		p = append(p, kindGroups[f.kind].name)
	}
	if f.mag != 0 {
		p = append(p, fmt.Sprintf("≤%g", magLimits[f.mag]))
	}
	if f.above {
		p = append(p, "up")
	}
	return strings.Join(p, " ")
}

// listScreen browses a catalogue.
type listScreen struct {
	cat      *catalogue
	view     []int // indices into cat.entries passing the filter and T9 text
	filtered []int // indices passing the filter
	sel, top int
	filter   listFilter
	num      string // typed catalogue number
	numAt    time.Time
	t9       string // typed T9 keys (unnumbered lists)
}

func newList(c *catalogue) *listScreen {
	l := &listScreen{cat: c}
	l.applyFilter(nil)
	return l
}

func (*listScreen) name() string { return "list" }

// applyFilter recomputes the view; st is needed for the horizon filter.
func (l *listScreen) applyFilter(sky func(targets.Target) (alt float64, ok bool)) {
	l.filtered = l.filtered[:0]
	g := kindGroups[l.filter.kind]
	lim := magLimits[l.filter.mag]
	for i, e := range l.cat.entries {
		if g.kinds != nil && !slices.Contains(g.kinds, e.t.Kind()) {
			continue
		}
		if lim != 0 && !(e.t.Mag() <= lim) {
			continue
		}
		if l.filter.above && sky != nil {
			if alt, ok := sky(e.t); ok && alt < 0 {
				continue
			}
		}
		l.filtered = append(l.filtered, i)
	}
	l.applyT9()
}

func (l *listScreen) applyT9() {
	l.view = l.view[:0]
	for _, i := range l.filtered {
		if l.t9 == "" || t9Match(l.cat.entries[i].code, l.t9) {
			l.view = append(l.view, i)
		}
	}
	l.sel = min(l.sel, max(0, len(l.view)-1))
	if l.t9 != "" {
		l.sel = 0
	}
}

// jump selects the first entry numbered num, or else the first whose number
// starts with its digits.
func (l *listScreen) jump() {
	n, _ := strconv.Atoi(l.num)
	for j, i := range l.view {
		if l.cat.entries[i].num == n {
			l.sel = j
			return
		}
	}
	for j, i := range l.view {
		if strings.HasPrefix(strconv.Itoa(l.cat.entries[i].num), l.num) {
			l.sel = j
			return
		}
	}
}

func (l *listScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	switch ev.Key {
	case keypad.KeyUp:
		l.sel = max(0, l.sel-1)
	case keypad.KeyDown:
		l.sel = min(max(0, len(l.view)-1), l.sel+1)
	case keypad.KeyLeft:
		u.pop()
	case keypad.KeyRight:
		if len(l.view) > 0 {
			return u.openObject(ctx, l.cat.entries[l.view[l.sel]].t)
		}
	case keypad.KeySquare:
		u.push(&filterScreen{list: l, f: l.filter})
	case keypad.KeyMinus:
		if l.cat.numbered && l.num != "" {
			l.num = l.num[:len(l.num)-1]
			if l.num != "" {
				l.jump()
			}
		} else if l.t9 != "" {
			l.t9 = l.t9[:len(l.t9)-1]
			l.applyT9()
		}
	default:
		d, ok := ev.Key.Digit()
		if !ok || ev.Kind != keypad.Press {
			return nil
		}
		now := u.cfg.Now()
		if l.cat.numbered {
			if now.Sub(l.numAt) > DigitTimeout || len(l.num) >= 5 {
				l.num = ""
			}
			l.num += strconv.Itoa(d)
			l.numAt = now
			l.jump()
		} else if len(l.t9) < 16 {
			l.t9 += strconv.Itoa(d)
			l.applyT9()
		}
	}
	return nil
}

// row formats an entry: the label, then the magnitude flush right.
func row(t targets.Target, label string, cols int) string {
	mag := "    "
	if m := t.Mag(); !math.IsNaN(m) {
		mag = fmt.Sprintf("%4.1f", m)
	}
	w := cols - 5
	l := fit(label, w)
	return l + strings.Repeat(" ", max(0, w-len([]rune(l)))) + " " + mag
}

func (l *listScreen) draw(u *UI, c *canvas, st state.State) {
	right := ""
	switch {
	case l.num != "" && u.cfg.Now().Sub(l.numAt) <= DigitTimeout:
		right = l.num + "_"
	case l.t9 != "":
		right = l.t9 + "_"
	case l.filter.active():
		right = "F"
	}
	c.title(l.cat.name, right)
	if len(l.view) == 0 {
		c.centred(2, "nothing here", colDim)
		if l.filter.active() {
			c.centred(3, "filter: "+l.filter.String(), colDim)
		}
		return
	}
	n := c.rows()
	rows := make([]string, 0, n)
	top := max(0, min(l.top, len(l.view)-n))
	if l.sel < top {
		top = l.sel
	}
	if l.sel >= top+n {
		top = l.sel - n + 1
	}
	l.top = top
	// Only the visible rows are formatted; list() gets them with offsets
	// shifted so that the first visible row is row 0.
	for i := top; i < len(l.view) && i < top+n; i++ {
		e := l.cat.entries[l.view[i]]
		rows = append(rows, row(e.t, e.label, c.cols()))
	}
	c.list(rows, l.sel-top, 0)
	// scroll mark for the whole list
	if len(l.view) > n {
		h := c.h - titleH
		y0 := titleH + h*top/len(l.view)
		y1 := titleH + h*(top+n)/len(l.view)
		c.fill(rectXY(c.w-2, y0, c.w, max(y1, y0+2)), colDim)
	}
}

// filterScreen edits a list's filter; LEFT applies it.
type filterScreen struct {
	list *listScreen
	f    listFilter
	sel  int
}

func (*filterScreen) name() string { return "filter" }

func (s *filterScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	step := 0
	switch ev.Key {
	case keypad.KeyUp:
		s.sel = max(0, s.sel-1)
	case keypad.KeyDown:
		s.sel = min(2, s.sel+1)
	case keypad.KeyRight, keypad.KeyPlus, keypad.KeySquare:
		step = 1
	case keypad.KeyMinus:
		step = -1
	case keypad.KeyLeft:
		return s.apply(ctx, u)
	}
	if step != 0 {
		switch s.sel {
		case 0:
			s.f.kind = (s.f.kind + step + len(kindGroups)) % len(kindGroups)
		case 1:
			s.f.mag = (s.f.mag + step + len(magLimits)) % len(magLimits)
		case 2:
			s.f.above = !s.f.above
		}
	}
	return nil
}

func (s *filterScreen) apply(ctx context.Context, u *UI) error {
	l := s.list
	l.filter = s.f
	var sky func(targets.Target) (float64, bool)
	if s.f.above {
		st, err := u.cfg.Store.Snapshot(ctx)
		if err != nil {
			return err
		}
		at, site, known := st.Sky(u.cfg.Now())
		if !known {
			u.say("no site: horizon off")
		} else {
			sky = func(t targets.Target) (float64, bool) {
				ra, dec, err := t.Position(at, site)
				if err != nil {
					return 0, false
				}
				alt, _ := astro.AltAz(ra, dec, site, at, astro.Weather{})
				return alt, true
			}
		}
	}
	l.sel, l.top = 0, 0
	l.applyFilter(sky)
	u.pop()
	return nil
}

func (s *filterScreen) draw(u *UI, c *canvas, st state.State) {
	c.title("Filter "+s.list.cat.name, "")
	mag := "any"
	if s.f.mag != 0 {
		mag = fmt.Sprintf("≤ %g", magLimits[s.f.mag])
	}
	above := "off"
	if s.f.above {
		above = "on"
	}
	rows := []string{
		"Kind  " + kindGroups[s.f.kind].name,
		"Mag   " + mag,
		"Above " + above,
	}
	c.list(rows, s.sel, 0)
	c.line(c.rows()-2, "RIGHT/+ change", colDim)
	c.line(c.rows()-1, "LEFT apply", colDim)
}

// t9Keys maps letters to the keypad's digits (2 abc … 9 wxyz).
var t9Keys = func() [26]byte {
	var k [26]byte
	for i, g := range []string{"abc", "def", "ghi", "jkl", "mno", "pqrs", "tuv", "wxyz"} {
		for _, r := range g {
			k[r-'a'] = byte('2' + i)
		}
	}
	return k
}()

// t9Words returns the T9 key sequences of the words of s and of s run
// together: "Ring Nebula" gives "7464", "632852" and "7464632852".
func t9Words(s string) []string {
	var words []string
	var cur, all []byte
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range strings.ToLower(s) {
		var b byte
		switch {
		case r >= 'a' && r <= 'z':
			b = t9Keys[r-'a']
		case r >= '0' && r <= '9':
			b = byte(r)
		default:
			if t := translit(r); t != "?" && unicode.IsLetter(r) {
				if c := strings.ToLower(t)[0]; c >= 'a' && c <= 'z' {
					b = t9Keys[c-'a']
				}
			}
		}
		if b == 0 {
			flush()
			continue
		}
		cur = append(cur, b)
		all = append(all, b)
	}
	flush()
	if len(words) > 1 {
		words = append(words, string(all))
	}
	return words
}

func t9Match(codes []string, seq string) bool {
	for _, c := range codes {
		if strings.HasPrefix(c, seq) {
			return true
		}
	}
	return false
}

// t9Entry is one target of the search index.
type t9Entry struct {
	t     targets.Target
	label string
	code  []string
	rank  int
}

// t9Index returns the search index over the named objects and the bodies.
func (u *UI) t9Index() []t9Entry {
	if u.t9 != nil {
		return u.t9
	}
	idx := []t9Entry{}
	for i := range u.cat.Len() {
		t := u.cat.Target(i)
		if t.Kind() == objects.SolarSystem {
			idx = append(idx, t9Entry{t: t, label: t.Name(), code: t9Words(t.Name()), rank: 0})
			continue
		}
		o := t.Object()
		if o == nil || len(o.Names) == 0 || o.Kind == objects.Constellation {
			continue
		}
		rank := 2
		if strings.HasPrefix(o.Primary(), "M ") {
			rank = 1
		}
		var code []string
		for _, n := range o.Names {
			code = append(code, t9Words(n)...)
		}
		idx = append(idx, t9Entry{t: t, label: o.Label(), code: code, rank: rank})
	}
	u.t9 = idx
	return idx
}

// MaxResults caps the search results.
const MaxResults = 50

// searchScreen finds targets by name typed on the keypad, predictive T9.
type searchScreen struct {
	seq     string
	results []t9Entry
	sel     int
}

func (*searchScreen) name() string { return "search" }

func (s *searchScreen) search(u *UI) {
	s.results, s.sel = s.results[:0], 0
	if s.seq == "" {
		return
	}
	for _, e := range u.t9Index() {
		if t9Match(e.code, s.seq) {
			s.results = append(s.results, e)
		}
	}
	slices.SortStableFunc(s.results, func(a, b t9Entry) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		am, bm := a.t.Mag(), b.t.Mag()
		if math.IsNaN(am) {
			am = 99
		}
		if math.IsNaN(bm) {
			bm = 99
		}
		return cmp.Compare(am, bm)
	})
	if len(s.results) > MaxResults {
		s.results = s.results[:MaxResults]
	}
}

func (s *searchScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	switch ev.Key {
	case keypad.KeyUp:
		s.sel = max(0, s.sel-1)
	case keypad.KeyDown:
		s.sel = min(max(0, len(s.results)-1), s.sel+1)
	case keypad.KeyLeft:
		u.pop()
	case keypad.KeyMinus:
		if s.seq != "" {
			s.seq = s.seq[:len(s.seq)-1]
			s.search(u)
		}
	case keypad.KeyRight:
		if len(s.results) > 0 {
			return u.openObject(ctx, s.results[s.sel].t)
		}
	default:
		if d, ok := ev.Key.Digit(); ok && ev.Kind == keypad.Press && d >= 2 && len(s.seq) < 16 {
			s.seq += strconv.Itoa(d)
			s.search(u)
		}
	}
	return nil
}

func (s *searchScreen) draw(u *UI, c *canvas, st state.State) {
	c.title("Search", s.seq+"_")
	if s.seq == "" {
		c.line(0, "type a name:", colMid)
		c.line(1, "2abc 3def 4ghi", colDim)
		c.line(2, "5jkl 6mno 7pqrs", colDim)
		c.line(3, "8tuv 9wxyz", colDim)
		c.line(4, "- erases a key", colDim)
		return
	}
	if len(s.results) == 0 {
		c.centred(2, "no match", colDim)
		return
	}
	rows := make([]string, len(s.results))
	for i, e := range s.results {
		rows[i] = row(e.t, e.label, c.cols())
	}
	c.list(rows, s.sel, 0)
}
