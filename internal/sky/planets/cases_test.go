package planets

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
)

const planetCases = "../../../../shared/reference/planet-cases.csv"

// sepArcmin is the angle between two directions in arcminutes.
func sepArcmin(ra1, dec1, ra2, dec2 float64) float64 {
	const d = math.Pi / 180
	s1, c1 := math.Sincos(dec1 * d)
	s2, c2 := math.Sincos(dec2 * d)
	sdr, cdr := math.Sincos((ra2 - ra1) * d)
	x := c1*s2 - s1*c2*cdr
	y := c2 * sdr
	return math.Atan2(math.Hypot(x, y), s1*s2+c1*c2*cdr) / d * 60
}

// TestPlanetCases compares every body against astropy 5.2.1 / ERFA
// (../shared/reference/planet-cases.csv: GCRS topocentric RA/Dec with light
// time and aberration, Alt/Az without refraction). The limits are the
// issue's: 1′ for all, 2′ for Saturn, whose reference (ERFA plan94) is
// itself off by up to 1.4′ against VSOP87.
var tight = map[Body]float64{
	Sun: 0.05, Moon: 0.45, Mercury: 0.1, Venus: 0.1, Mars: 0.15,
	Jupiter: 0.45, Saturn: 1.3, Uranus: 0.15, Neptune: 0.1,
}

func TestPlanetCases(t *testing.T) {
	path, _ := filepath.Abs(planetCases)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("reference cases not found at %s", path)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	worst := map[string][3]float64{} // radec, altaz, distance (relative)
	for _, r := range recs[1:] {
		num := func(i int) float64 {
			v, err := strconv.ParseFloat(r[i], 64)
			if err != nil {
				t.Fatalf("%v: column %d: %v", r, i, err)
			}
			return v
		}
		ts, err := time.Parse("2006-01-02T15:04:05", r[0])
		if err != nil {
			t.Fatal(err)
		}
		obs := astro.Observer{LatDeg: num(1), LonDeg: num(2), HeightM: num(3)}
		b, ok := Parse(r[4])
		if !ok {
			t.Fatalf("unknown body %q", r[4])
		}
		p, err := At(b, ts, obs)
		if err != nil {
			t.Fatal(err)
		}
		eq := sepArcmin(p.RA, p.Dec, num(5), num(6))
		hz := sepArcmin(p.Az, p.Alt, num(8), num(7))
		dd := math.Abs(p.DistanceAU-num(9)) / num(9)
		limit := 1.0
		if b == Saturn {
			limit = 2.0
		}
		// Tighter per-body bounds, a little above what this code reaches,
		// so that dropping aberration (20″), light time or the parallax
		// fails here even though it would pass the 1′.
		limit = math.Min(limit, tight[b])
		if eq > limit || hz > limit {
			t.Errorf("%s %s at %+v: RA/Dec off by %.2f′, Alt/Az by %.2f′ (limit %.0f′)", b, r[0], obs, eq, hz, limit)
		}
		if dd > 1e-4 {
			t.Errorf("%s %s: distance %.8f au, want %s", b, r[0], p.DistanceAU, r[9])
		}
		w := worst[b.String()]
		worst[b.String()] = [3]float64{math.Max(w[0], eq), math.Max(w[1], hz), math.Max(w[2], dd)}
	}
	names := make([]string, 0, len(worst))
	for n := range worst {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w := worst[n]
		t.Logf("%-8s max RA/Dec %.3f′ (%.1f″), Alt/Az %.3f′, distance %.1e", n, w[0], w[0]*60, w[1], w[2])
	}
	if len(worst) != int(numBodies) {
		t.Errorf("cases cover %d bodies, want %d", len(worst), numBodies)
	}
}
