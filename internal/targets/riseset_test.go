package targets

import (
	"math"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/planets"
)

func TestRiseSet(t *testing.T) {
	c := catalog(t)
	noon := time.Date(2026, 6, 21, 0, 0, 0, 0, time.UTC)
	sun := BodyTarget(planets.Sun)
	for _, cs := range []struct {
		name      string
		target    Target
		site      astro.Observer
		at        time.Time
		circum    bool
		never     bool
		rise, set string // UTC hh:mm, "" = none expected or not checked
		tol       time.Duration
	}{
		// Brussels midsummer: sunrise 03:29 UTC, sunset 20:00 UTC (the
		// Belgian almanac gives 05:29 and 22:00 CEST).
		{"Sun in Brussels", sun, brussels, noon, false, false, "03:29", "20:00", 3 * time.Minute},
		{"Polaris circumpolar", mustLookup(t, c, "Polaris"), brussels, noon, true, false, "", "", 0},
		{"α Cen never rises", mustLookup(t, c, "Rigil Kentaurus"), brussels, noon, false, true, "", "", 0},
		{"midnight Sun at 70°N", sun, astro.Observer{LatDeg: 70, LonDeg: 20}, noon, true, false, "", "", 0},
		{"polar night at 70°S", sun, astro.Observer{LatDeg: -70, LonDeg: 20}, noon, false, true, "", "", 0},
	} {
		v, err := RiseSet(cs.target, cs.site, cs.at)
		if err != nil {
			t.Fatalf("%s: %v", cs.name, err)
		}
		if v.Circumpolar != cs.circum || v.NeverRises != cs.never {
			t.Errorf("%s: circumpolar %v never %v", cs.name, v.Circumpolar, v.NeverRises)
		}
		if (cs.circum || cs.never) && (!v.Rise.IsZero() || !v.Set.IsZero()) {
			t.Errorf("%s: rise %v set %v for a body that does not cross", cs.name, v.Rise, v.Set)
		}
		check := func(what string, got time.Time, want string) {
			if want == "" {
				return
			}
			w, _ := time.Parse("15:04", want)
			wt := time.Date(cs.at.Year(), cs.at.Month(), cs.at.Day(), w.Hour(), w.Minute(), 0, 0, time.UTC)
			if d := got.Sub(wt); d < -cs.tol || d > cs.tol {
				t.Errorf("%s: %s %v, want %v", cs.name, what, got, wt)
			}
		}
		check("rise", v.Rise, cs.rise)
		check("set", v.Set, cs.set)
		if !cs.never && !v.Transit.IsZero() {
			// At transit the altitude is the day's highest: a minute either
			// side is lower.
			ra, dec, _ := cs.target.Position(v.Transit, cs.site)
			a0, _ := astro.AltAz(ra, dec, cs.site, v.Transit, astro.Weather{})
			for _, d := range []time.Duration{-5 * time.Minute, 5 * time.Minute} {
				ra, dec, _ := cs.target.Position(v.Transit.Add(d), cs.site)
				if a, _ := astro.AltAz(ra, dec, cs.site, v.Transit.Add(d), astro.Weather{}); a > a0 {
					t.Errorf("%s: altitude %v at transit%+v exceeds %v at transit", cs.name, a, d, a0)
				}
			}
			if math.Abs(a0-v.TransitAltDeg) > 0.01 {
				t.Errorf("%s: transit altitude %v, recomputed %v", cs.name, v.TransitAltDeg, a0)
			}
		}
	}
	// The Moon moves ~13°/day: its rise and set are found and the altitude
	// at the returned rise is the horizon value.
	m := BodyTarget(planets.Moon)
	v, err := RiseSet(m, brussels, evening)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []time.Time{v.Rise, v.Set} {
		if ev.IsZero() {
			t.Fatalf("Moon: rise %v set %v", v.Rise, v.Set)
		}
		ra, dec, _ := m.Position(ev, brussels)
		if a, _ := astro.AltAz(ra, dec, brussels, ev, astro.Weather{}); math.Abs(a-HorizonSunMoon) > 0.02 {
			t.Errorf("Moon at event %v: altitude %.3f°, want %.3f°", ev, a, HorizonSunMoon)
		}
	}
	if _, err := RiseSet(Target{}, brussels, evening); err == nil {
		t.Error("invalid target accepted")
	}
	if _, err := RiseSet(sun, astro.Observer{LatDeg: math.NaN()}, evening); err == nil {
		t.Error("bad site accepted")
	}
}

// TestMinAltOverLowerCulmination checks the next-hour altitude floor when
// the hour holds the lower culmination, where the minimum is inside the
// interval rather than at an end: compare with a fine sampling.
func TestMinAltOverLowerCulmination(t *testing.T) {
	for _, startHA := range []float64{150, 170, 179, 185, -60, 10} {
		h := newHorizon(brussels, evening)
		// A direction of date at the wanted hour angle, Dec 60°, taken to
		// J2000 through the matrix's transpose.
		dec := 60.0
		ra := normDeg(h.last - startHA)
		p := unitVec(ra, dec)
		var v [3]float64
		for i := range 3 {
			v[i] = h.m[0][i]*p[0] + h.m[1][i]*p[1] + h.m[2][i]*p[2]
		}
		want := 90.0
		for s := 0.0; s <= 3600; s += 10 {
			ha, d := h.hourAngleDec(v, s)
			want = math.Min(want, h.alt(ha, d))
		}
		if got := h.minAltOver(v, 3600); math.Abs(got-want) > 0.01 {
			t.Errorf("start HA %v°: min altitude %.3f°, sampled %.3f°", startHA, got, want)
		}
	}
}
