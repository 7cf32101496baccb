package targets

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
)

func catalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"M31", "m31"}, {"m 31", "m31"}, {"Messier 31", "m31"}, {"NGC224", "ngc224"}, {" ngc  224 ", "ngc224"},
		{"Andromeda Galaxy", "andromedagalaxy"}, {"α Lyr", "alphalyr"}, {"alpha Lyr", "alphalyr"},
		{"alf Lyr", "alphalyr"}, {"Alpha Lyrae", "alphalyr"}, {"β1 Cyg", "beta1cyg"}, {"beta1 Cygni", "beta1cyg"},
		{"61 Cygni", "61cyg"}, {"Great Orion Nebula", "greatorionnebula"}, {"Véga", "vega"},
		{"Sh2-155", "sh2155"}, {"C 20", "c20"}, {"Caldwell 20", "c20"}, {"Ptolemy's Cluster", "ptolemyscluster"},
		{"", ""}, {"   ", ""}, {"orion", "orion"}, {"tau", "tau"}, {"eps", "epsilon"},
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"M31", "α Lyr", "alpha1 Lyrae", "NGC 224", "\xff\xfe", "β¹ Cyg", strings.Repeat("x ", 200)} {
		f.Add(s)
	}
	c := catalog(f)
	f.Fuzz(func(t *testing.T, q string) {
		k := Normalize(q)
		if len(k) > 8*maxQuery {
			t.Fatalf("key of %d bytes from %d", len(k), len(q))
		}
		if k2 := Normalize(k); k2 != k && !strings.ContainsAny(k, "0123456789") {
			// Folding is idempotent on keys without digit suffixes
			// (a Greek short form with digits may re-expand).
			t.Fatalf("Normalize not idempotent: %q → %q → %q", q, k, k2)
		}
		if _, err := c.Search(Query{Text: q, Limit: 5}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSearchSpellings(t *testing.T) {
	c := catalog(t)
	for _, s := range []struct{ q, want string }{
		{"M31", "M 31"}, {"m 31", "M 31"}, {"NGC224", "M 31"}, {"ngc 224", "M 31"},
		{"Andromeda Galaxy", "M 31"}, {"andromeda", "M 31"}, {"Vega", "α Lyr"}, {"alpha Lyr", "α Lyr"},
		{"α Lyr", "α Lyr"}, {"HIP 91262", "α Lyr"}, {"3 Lyr", "α Lyr"}, {"Jupiter", "Jupiter"}, {"moon", "Moon"},
		{"m51", "M 51"}, {"Whirlpool", "M 51"}, {"C 20", "NGC 7000"}, {"Polaris", "α UMi"}, {"Orion", "Ori"},
		{"orion nebula", "M 42"}, {"Pleiades", "M 45"}, {"Messier 1", "M 1"}, {"Albireo", "β1 Cyg"},
	} {
		m, err := c.Search(Query{Text: s.q, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Errorf("Search(%q): nothing", s.q)
			continue
		}
		got := m[0].Target.Name()
		if o := m[0].Target.Object(); o != nil {
			got = o.Primary()
		}
		if got != s.want || !m[0].Exact {
			t.Errorf("Search(%q)[0] = %s (exact %v), want %s", s.q, got, m[0].Exact, s.want)
		}
	}
	// "andromeda" also finds the constellation, among the exact matches.
	m, _ := c.Search(Query{Text: "andromeda", Limit: 5})
	if !slices.ContainsFunc(m, func(x Match) bool { return x.Target.Kind() == objects.Constellation && x.Exact }) {
		t.Errorf("Search(andromeda) lacks the constellation: %v", names(m))
	}
	if _, ok := c.Lookup("no such thing"); ok {
		t.Error("Lookup found a made-up name")
	}
	if _, ok := c.Lookup("M3"); !ok {
		t.Error("Lookup(M3) failed")
	}
}

func names(m []Match) []string {
	var s []string
	for _, x := range m {
		s = append(s, x.Target.Name())
	}
	return s
}

func TestSearchPrefix(t *testing.T) {
	c := catalog(t)
	m, err := c.Search(Query{Text: "M1", Limit: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 12 || m[0].Target.Object().Primary() != "M 1" || !m[0].Exact {
		t.Fatalf("Search(M1) = %v", names(m))
	}
	for _, x := range m[1:] {
		if x.Exact || !strings.HasPrefix(x.Target.Object().Primary(), "M 1") {
			t.Errorf("Search(M1) gave %s (exact %v)", x.Target.Name(), x.Exact)
		}
	}
	// Prefix matches come brightest first within a rank.
	m, _ = c.Search(Query{Text: "andr", Limit: 3})
	if len(m) == 0 || m[0].Target.Object().Primary() != "M 31" {
		t.Errorf("Search(andr) = %v", names(m))
	}
	m, _ = c.Search(Query{Text: "jup"})
	if len(m) == 0 || m[0].Target.Name() != "Jupiter" || m[0].Exact {
		t.Errorf("Search(jup) = %v", names(m))
	}
}

func ptr(v float64) *float64 { return &v }

func TestSearchFilters(t *testing.T) {
	c := catalog(t)
	site := astro.Observer{LatDeg: 50.85, LonDeg: 4.35}
	at := time.Date(2026, 12, 24, 20, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		q     Query
		check func(Target) bool
		min   int
	}{
		{"galaxies", Query{Filter: Filter{Kinds: []objects.Kind{objects.Galaxy}}, Limit: 50},
			func(t Target) bool { return t.Kind() == objects.Galaxy }, 50},
		{"mag 5", Query{Filter: Filter{MaxMag: ptr(5)}, Limit: 500},
			func(t Target) bool { return t.Mag() <= 5 }, 500},
		{"in Ori", Query{Text: "ngc", Filter: Filter{Constellation: "ori"}, Limit: 40},
			func(t Target) bool { return t.Object().Constellation == "Ori" }, 30},
		{"planets", Query{Filter: Filter{Kinds: []objects.Kind{objects.SolarSystem}, Time: at, Site: site}},
			func(t Target) bool { _, ok := t.Body(); return ok }, 9},
	}
	for _, cs := range cases {
		m, err := c.Search(cs.q)
		if err != nil {
			t.Fatalf("%s: %v", cs.name, err)
		}
		if len(m) < cs.min {
			t.Errorf("%s: %d results, want %d", cs.name, len(m), cs.min)
		}
		for _, x := range m {
			if !cs.check(x.Target) {
				t.Errorf("%s: %s should have been filtered out", cs.name, x.Target.Name())
			}
		}
	}
	// Above the horizon: every result is up by astro.AltAz; and a
	// circumpolar object (Polaris from Brussels) is always kept while a far
	// southern one (α Cen) never is.
	m, err := c.Search(Query{Filter: Filter{AboveHorizon: true, MaxMag: ptr(2), Site: site, Time: at}, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range m {
		ra, dec, _ := x.Target.Position(at, site)
		if alt, _ := astro.AltAz(ra, dec, site, at, astro.Weather{}); alt < -0.01 {
			t.Errorf("%s is at altitude %.2f°", x.Target.Name(), alt)
		}
	}
	has := func(m []Match, name string) bool {
		return slices.ContainsFunc(m, func(x Match) bool { return x.Target.Name() == name })
	}
	if !has(m, "Polaris") || has(m, "Rigil Kentaurus") || !has(m, "Vega") {
		t.Errorf("above horizon: %v", names(m))
	}
	// Next hour: Vega sets low in the north-west on a Brussels December
	// evening; at 20:00 UTC it is near 20° and sinking, so a 25° floor for
	// the next hour must drop it while a 5° floor keeps it.
	va, vd, _ := mustLookup(t, c, "Vega").Position(at, site)
	alt0, _ := astro.AltAz(va, vd, site, at, astro.Weather{})
	alt1, _ := astro.AltAz(va, vd, site, at.Add(time.Hour), astro.Weather{})
	lo := min(alt0, alt1)
	for _, floor := range []float64{lo - 0.5, lo + 0.5} {
		m, err := c.Search(Query{Text: "Vega", Filter: Filter{MinAltNextHour: ptr(floor), Site: site, Time: at}})
		if err != nil {
			t.Fatal(err)
		}
		if (len(m) == 1) != (floor < lo) {
			t.Errorf("Vega (%.1f° → %.1f°) with floor %.1f°: %v", alt0, alt1, floor, names(m))
		}
	}
	for _, bad := range []Filter{
		{AboveHorizon: true},
		{MaxMag: ptr(nanF())},
		{Kinds: []objects.Kind{objects.Unknown}},
		{MinAltNextHour: ptr(100), Time: at},
		{AboveHorizon: true, Time: at, Site: astro.Observer{LatDeg: 95}},
	} {
		if _, err := c.Search(Query{Filter: bad}); err == nil {
			t.Errorf("filter %+v accepted", bad)
		}
	}
}

func nanF() float64 { var z float64; return z / z }

func mustLookup(t testing.TB, c *Catalog, q string) Target {
	t.Helper()
	x, ok := c.Lookup(q)
	if !ok {
		t.Fatalf("Lookup(%q) failed", q)
	}
	return x
}

func TestNearby(t *testing.T) {
	c := catalog(t)
	m31 := mustLookup(t, c, "M 31").Object()
	n, err := c.Nearby(m31.RA, m31.Dec, 1.5, Nearest, Filter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(n) < 3 || n[0].Target.Object() != m31 || n[0].SeparationDeg > 1e-6 {
		t.Fatalf("Nearby M 31: %+v", n)
	}
	for i := 1; i < len(n); i++ {
		if n[i].SeparationDeg < n[i-1].SeparationDeg || n[i].SeparationDeg > 1.5 {
			t.Errorf("not nearest first within 1.5°: %v then %v", n[i-1].SeparationDeg, n[i].SeparationDeg)
		}
	}
	if !slices.ContainsFunc(n, func(x Near) bool { return x.Target.Object().Primary() == "M 32" }) {
		t.Error("M 32 is 0.4° from M 31 and missing")
	}
	b, err := c.Nearby(m31.RA, m31.Dec, 10, Brightest, Filter{Kinds: []objects.Kind{objects.Galaxy}}, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(b); i++ {
		if cmpMag(b[i-1].Target.Mag(), b[i].Target.Mag()) > 0 {
			t.Errorf("not brightest first: %v", b)
		}
	}
	if b[0].Target.Object() != m31 {
		t.Errorf("brightest galaxy near M 31 is %s", b[0].Target.Name())
	}
	// Across RA 0: a point at RA 359.9 finds objects at RA 0.05.
	x, err := c.Nearby(359.9, 0, 180, Nearest, Filter{}, 1)
	if err != nil || len(x) != 1 || x[0].SeparationDeg > 5 {
		t.Errorf("Nearby across RA 0: %+v %v", x, err)
	}
	if _, err := c.Nearby(0, 91, 1, Nearest, Filter{}, 1); err == nil {
		t.Error("Dec 91 accepted")
	}
	if _, err := c.Nearby(0, 0, -1, Nearest, Filter{}, 1); err == nil {
		t.Error("negative radius accepted")
	}
}
