package constellation

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestConstellationKnown(t *testing.T) {
	cases := []struct {
		name    string
		ra, dec float64
		want    string
	}{
		// ../shared/catalog/README.md
		{"Betelgeuse", 88.7929, 7.4071, "Ori"},
		{"Polaris", 37.9546, 89.2641, "UMi"},
		{"Vega", 279.2347, 38.7837, "Lyr"},
		{"Sirius", 101.2872, -16.7161, "CMa"},
		{"Alcyone", 56.8712, 24.1051, "Tau"},
		{"Antares", 247.3519, -26.4320, "Sco"},
		{"Deneb", 310.3580, 45.2803, "Cyg"},
		{"Acrux", 186.6496, -63.0991, "Cru"},
		{"Canopus", 95.9880, -52.6957, "Car"},
		{"sigma Oct", 317.195, -88.956, "Oct"},
		{"Alpheratz", 2.0969, 29.0904, "And"},
		// T18
		{"T18 Psc", 22.866, 15.347, "Psc"},
		{"T18 Tau", 83.63, 22.01, "Tau"},
		{"T18 Lyr", 279.23, 38.78, "Lyr"},
		{"T18 UMi", 37.95, 89.26, "UMi"},
		{"T18 CMa", 101.29, -16.72, "CMa"},
		// poles, RA wrap, both parts of Serpens
		{"north pole", 0, 90, "UMi"},
		{"north pole other RA", 200, 90, "UMi"},
		{"south pole", 123, -90, "Oct"},
		{"RA 360 wraps", 360 + 2.0969, 29.0904, "And"},
		{"negative RA", 2.0969 - 360, 29.0904, "And"},
		{"Unukalhai (Ser Caput)", 236.0670, 6.4256, "Ser"},
		{"Alya (Ser Cauda)", 284.0549, 4.2036, "Ser"},
		{"Dec beyond pole clamps", 10, 95, "UMi"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := At(c.ra, c.dec); got != c.want {
				t.Errorf("At(%g, %g) = %q, want %q", c.ra, c.dec, got, c.want)
			}
		})
	}
}

func TestConstellationBadInput(t *testing.T) {
	for _, v := range [][2]float64{{math.NaN(), 0}, {0, math.NaN()}, {math.Inf(1), 0}, {0, math.Inf(-1)}} {
		if got := At(v[0], v[1]); got != "" {
			t.Errorf("At(%v) = %q, want \"\"", v, got)
		}
	}
}

func TestConstellationNames(t *testing.T) {
	if constErr != nil {
		t.Fatal(constErr)
	}
	all := All()
	if len(all) != 88 {
		t.Fatalf("%d constellations, want 88", len(all))
	}
	for _, a := range all {
		if n, g, ok := Name(a); !ok || n == "" || g == "" {
			t.Errorf("Name(%q) = %q, %q, %v", a, n, g, ok)
		}
	}
	for _, c := range []struct{ abbr, name, gen string }{
		{"Ori", "Orion", "Orionis"}, {"UMi", "Ursa Minor", "Ursae Minoris"}, {"Ser", "Serpens", "Serpentis"},
		{"CMa", "Canis Major", "Canis Majoris"}, {"Oct", "Octans", "Octantis"},
	} {
		n, g, ok := Name(c.abbr)
		if !ok || n != c.name || g != c.gen {
			t.Errorf("Name(%q) = %q, %q, %v; want %q, %q", c.abbr, n, g, ok, c.name, c.gen)
		}
	}
	if _, _, ok := Name("Xyz"); ok {
		t.Error("Name(Xyz) ok")
	}
}

// containing lists every polygon holding the point (the property test's
// view, bypassing the first-match shortcut and the sliver fallback).
func containing(ra, dec float64) []string {
	var out []string
	for i := range constTab.polys {
		if constTab.polys[i].contains(ra, dec) {
			out = append(out, constTab.polys[i].abbr)
		}
	}
	return out
}

func TestConstellationPartition(t *testing.T) {
	// An equal-area grid of ~50,000 points (a Fibonacci lattice) plus the
	// poles: each point must lie in exactly one boundary polygon.
	const n = 50000
	golden := math.Pi * (3 - math.Sqrt(5))
	counts := map[string]int{}
	var none, many int
	for i := range n + 2 {
		var ra, dec float64
		switch i {
		case n:
			ra, dec = 0, 90
		case n + 1:
			ra, dec = 0, -90
		default:
			z := 1 - (2*float64(i)+1)/n
			dec = math.Asin(z) * r2d
			ra = normDeg(float64(i) * golden * r2d)
		}
		got := containing(ra, dec)
		switch {
		case len(got) == 0:
			none++
			t.Errorf("(%.5f, %.5f) in no constellation (lookup gives %q)", ra, dec, At(ra, dec))
		case len(got) > 1:
			many++
			t.Errorf("(%.5f, %.5f) in %v", ra, dec, got)
		default:
			counts[got[0]]++
			if c := At(ra, dec); c != got[0] {
				t.Errorf("(%.5f, %.5f): Constellation %q, polygon %q", ra, dec, c, got[0])
			}
		}
		if none+many > 20 {
			t.Fatal("too many failures")
		}
	}
	if len(counts) != 88 {
		t.Errorf("grid hit %d constellations, want 88", len(counts))
	}
	// Hydra is the largest (1303 deg² of 41253), Crux the smallest (68 deg²).
	if f := float64(counts["Hya"]) / n; math.Abs(f-1303.0/41253) > 0.002 {
		t.Errorf("Hya area fraction %.4f, want ≈%.4f", f, 1303.0/41253)
	}
	if f := float64(counts["Cru"]) / n; math.Abs(f-68.0/41253) > 0.0005 {
		t.Errorf("Cru area fraction %.5f, want ≈%.5f", f, 68.0/41253)
	}
}

func TestConstellationRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		ra := rng.Float64()*720 - 360
		dec := math.Asin(2*rng.Float64()-1) * r2d
		if c := At(ra, dec); c == "" {
			t.Fatalf("At(%g, %g) empty", ra, dec)
		}
	}
}

func FuzzConstellation(f *testing.F) {
	f.Add(88.7929, 7.4071)
	f.Add(0.0, 90.0)
	f.Add(0.0, -90.0)
	f.Add(-1e9, 45.0)
	f.Add(180.0, 0.0)
	f.Fuzz(func(t *testing.T, ra, dec float64) {
		c := At(ra, dec)
		finite := !math.IsNaN(ra) && !math.IsNaN(dec) && !math.IsInf(ra, 0) && !math.IsInf(dec, 0)
		if finite && c == "" {
			t.Fatalf("At(%g, %g) empty", ra, dec)
		}
		if c != "" {
			if _, _, ok := Name(c); !ok {
				t.Fatalf("At(%g, %g) = %q has no name", ra, dec, c)
			}
		}
	})
}

func TestDecodeConstellationsRejectsBadData(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("PFCB"), []byte("XXXX\x01"), constellationData[:len(constellationData)-3],
		append(append([]byte{}, constellationData...), 0)} {
		if _, err := decodeConstellations(b); err == nil {
			t.Errorf("decode of %d bytes: no error", len(b))
		}
	}
}

func TestConstellationNearestFallback(t *testing.T) {
	// The sliver fallback picks a constellation bordering the point.
	for _, c := range []struct {
		ra, dec float64
		want    map[string]bool
	}{
		{186.6496, -63.0991, map[string]bool{"Cru": true, "Cen": true, "Mus": true}},
		{0.001, 89.999, map[string]bool{"UMi": true, "Cep": true}},
	} {
		if got := constTab.nearest(c.ra, c.dec); !c.want[got] {
			t.Errorf("nearest(%g, %g) = %q, want one of %v", c.ra, c.dec, got, c.want)
		}
	}
}
