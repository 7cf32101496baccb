package starcat

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sharedCatalog = "../../../../shared/catalog/hip8.csv"

func TestReadSmall(t *testing.T) {
	in := "hip_id,ra_deg,dec_deg,vmag,pmra_mas_yr,pmdec_mas_yr,bv\n" +
		"57939,178.2441,37.7186,6.42,4003.69,-5813.00,0.754\n" +
		"55203,169.5454,31.5292,3.79,,,\n"
	stars, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(stars) != 2 || stars[0].HIP != 57939 || !stars[0].HasPM || stars[1].HasPM {
		t.Fatalf("got %+v, want 2 stars: HIP 57939 with a proper motion, then one without", stars)
	}
	if !math.IsNaN(stars[1].BV) {
		t.Errorf("missing bv should be NaN, got %v", stars[1].BV)
	}
	// Groombridge 1830 moves about 2.4' in Dec over 25 years.
	moved := stars[0].At(2025)
	want := -5813.0 * 25 / 3.6e6 * 60
	if d := (moved.Dec - stars[0].Dec) * 60; math.Abs(d-want) > 1e-9 {
		t.Errorf("HIP 57939 At(2025): Dec moved %.9f', want μδ·25 yr = %.9f'", d, want)
	}
	if got := stars[1].At(2025); got.RA != stars[1].RA || got.Dec != stars[1].Dec {
		t.Errorf("HIP 55203 (no proper motion) At(2025) = (%g, %g), want it unmoved at (%g, %g)", got.RA, got.Dec, stars[1].RA, stars[1].Dec)
	}
}

func TestReadErrors(t *testing.T) {
	cases := map[string]string{
		"empty":        "",
		"no column":    "hip_id,ra_deg\n1,2\n",
		"bad ra":       "hip_id,ra_deg,dec_deg,vmag,pmra_mas_yr,pmdec_mas_yr\n1,x,2,3,,\n",
		"out of range": "hip_id,ra_deg,dec_deg,vmag,pmra_mas_yr,pmdec_mas_yr\n1,400,2,3,,\n",
		"no stars":     "hip_id,ra_deg,dec_deg,vmag,pmra_mas_yr,pmdec_mas_yr\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(strings.NewReader(in)); err == nil {
				t.Fatalf("Read(%q) gave no error, want an ErrFormat error", in)
			}
		})
	}
}

func TestLoadShared(t *testing.T) {
	path, _ := filepath.Abs(sharedCatalog)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared catalogue not found at %s (a fresh clone without ../shared): %v", path, err)
	}
	stars, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(stars) != 41411 {
		t.Fatalf("got %d stars, want 41411", len(stars))
	}
}

func FuzzRead(f *testing.F) {
	f.Add("hip_id,ra_deg,dec_deg,vmag,pmra_mas_yr,pmdec_mas_yr,bv\n1,2,3,4,5,6,7\n")
	f.Fuzz(func(t *testing.T, in string) {
		_, _ = Read(strings.NewReader(in))
	})
}
