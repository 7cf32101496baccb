package starcat

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestEmbeddedMatchesCSV(t *testing.T) {
	emb, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(emb) != 41411 {
		t.Fatalf("embedded catalogue has %d stars, want 41411", len(emb))
	}
	path, _ := filepath.Abs(sharedCatalog)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared catalogue not found at %s; compared the count only", path)
	}
	csv, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range csv {
		a, b := csv[i], emb[i]
		same := a.HIP == b.HIP && a.HasPM == b.HasPM &&
			math.Abs(a.RA-b.RA) < 5e-9 && math.Abs(a.Dec-b.Dec) < 5e-9 && math.Abs(a.Vmag-b.Vmag) < 5e-9 &&
			math.Abs(a.PMRA-b.PMRA) < 5e-9 && math.Abs(a.PMDec-b.PMDec) < 5e-9 &&
			(math.IsNaN(a.BV) == math.IsNaN(b.BV)) && (math.IsNaN(a.BV) || math.Abs(a.BV-b.BV) < 5e-9)
		if !same {
			t.Fatalf("star %d differs: csv %+v, embedded %+v", i, a, b)
		}
	}
	// The generator is deterministic: encoding the CSV again gives the embedded bytes.
	var buf bytes.Buffer
	if err := Encode(&buf, csv); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), embedded) {
		t.Error("re-encoding hip8.csv does not reproduce hip8.bin.gz; run go generate ./internal/sky/starcat")
	}
}

func TestDecodeErrors(t *testing.T) {
	var good bytes.Buffer
	stars := []Star{{HIP: 1, RA: 10, Dec: 20, Vmag: 5, BV: math.NaN()}, {HIP: 2, RA: 359.9999, Dec: -89.5, Vmag: -1.44, PMRA: -546.01, PMDec: -1223.07, BV: 0.009, HasPM: true}}
	if err := Encode(&good, stars); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(bytes.NewReader(good.Bytes()))
	if err != nil || len(back) != 2 || back[1].PMDec != -1223.07 || !math.IsNaN(back[0].BV) {
		t.Fatalf("Decode(Encode(stars)) = %+v, %v; want the 2 stars back unchanged (PMDec −1223.07, unknown BV NaN), no error", back, err)
	}
	cases := map[string][]byte{
		"empty":     nil,
		"not gzip":  []byte("hip_id,ra_deg\n"),
		"truncated": good.Bytes()[:len(good.Bytes())-12],
	}
	for name, in := range cases {
		if _, err := Decode(bytes.NewReader(in)); err == nil {
			t.Errorf("%s: Decode gave no error, want one", name)
		}
	}
}

func FuzzDecode(f *testing.F) {
	var good bytes.Buffer
	_ = Encode(&good, []Star{{HIP: 1, RA: 10, Dec: 20, Vmag: 5, BV: math.NaN()}})
	f.Add(good.Bytes())
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _ = Decode(bytes.NewReader(in))
	})
}
