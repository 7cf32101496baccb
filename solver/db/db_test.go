package db

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

const hip8 = "../../../shared/catalog/hip8.csv"

var (
	catOnce  sync.Once
	catStars []starcat.Star
	catErr   error
)

func loadCatalog(t testing.TB) []starcat.Star {
	catOnce.Do(func() { catStars, catErr = starcat.Load(hip8) })
	if catErr != nil {
		t.Skipf("catalogue not available (%v): run from a checkout with ../shared", catErr)
	}
	return catStars
}

// tinyDB builds a small database from a synthetic catalogue, fast enough
// for every test run.
func tinyDB(t testing.TB) *DB {
	var stars []starcat.Star
	for i := 0; i < 3000; i++ {
		// deterministic pseudo-random sky
		u := math.Mod(float64(i)*0.6180339887, 1)
		v := math.Mod(float64(i)*0.7548776662, 1)
		stars = append(stars, starcat.Star{HIP: i + 1, RA: u * 360, Dec: math.Asin(2*v-1) * 180 / math.Pi,
			Vmag: 2 + 6*math.Mod(float64(i)*0.5698402910, 1)})
	}
	d, err := Build(context.Background(), stars, BuildOptions{FOVMin: 20, FOVMax: 30, Epoch: 2026, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRoundTrip(t *testing.T) {
	d := tinyDB(t)
	b := d.Encode()
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != d.Header {
		t.Errorf("header %+v, want %+v", got.Header, d.Header)
	}
	if len(got.Stars) != len(d.Stars) || len(got.Patterns) != len(d.Patterns) {
		t.Fatalf("counts differ")
	}
	for i := range d.Patterns {
		if got.Patterns[i] != d.Patterns[i] || got.FP[i] != d.FP[i] {
			t.Fatalf("pattern %d differs", i)
		}
	}
	if !bytes.Equal(got.Encode(), b) {
		t.Error("re-encoding differs")
	}
}

func TestDecodeErrors(t *testing.T) {
	b := tinyDB(t).Encode()
	wrongVersion := bytes.Clone(b)
	binary.LittleEndian.PutUint32(wrongVersion[8:], 99)
	flipped := bytes.Clone(b)
	flipped[len(flipped)/2] ^= 0x40
	badHeader := bytes.Clone(b)
	badHeader[20] ^= 1
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrMagic},
		{"not a database", []byte("hip_id,ra_deg\n1,2\n"), ErrMagic},
		{"wrong version", wrongVersion, ErrVersion},
		{"truncated header", b[:40], ErrTruncated},
		{"truncated body", b[:len(b)-100], ErrTruncated},
		{"trailing bytes", append(bytes.Clone(b), 0), ErrCorrupt},
		{"flipped body bit", flipped, ErrCorrupt},
		{"header checksum", badHeader, ErrCorrupt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
}

func FuzzDecode(f *testing.F) {
	b := tinyDB(f).Encode()
	f.Add(b)
	f.Add(b[:HeaderSize])
	f.Add([]byte(Magic))
	f.Add(DefaultBytes()[:4096])
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data)
		if err != nil {
			return
		}
		// A file that decodes must be self-consistent.
		if int(d.Offsets[len(d.Offsets)-1]) != len(d.Patterns) {
			t.Fatal("offsets do not cover the patterns")
		}
		for _, p := range d.Patterns {
			for _, s := range p {
				if int(s) >= len(d.Stars) {
					t.Fatal("pattern names a missing star")
				}
			}
		}
	})
}

func TestDefaultLoads(t *testing.T) {
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	h := d.Header
	if h.FOVMin > 8.3 || h.FOVMax < 22.2 {
		t.Errorf("default database covers %.1f-%.1f deg, want 8.3-22.2", h.FOVMin, h.FOVMax)
	}
	if n := len(DefaultBytes()); n > 12<<20 {
		t.Errorf("default database is %d bytes, want <= 12 MB", n)
	}
}

// TestBuildDeterministic builds the same database twice with different
// worker counts and compares the bytes.
func TestBuildDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full database twice")
	}
	stars := loadCatalog(t)
	o := BuildOptions{FOVMin: 8, FOVMax: 23, Epoch: 2026}
	o.Workers = 1
	a, err := Build(context.Background(), stars, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 3
	b, err := Build(context.Background(), stars, o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Encode(), b.Encode()) {
		t.Fatal("two builds differ")
	}
}

func TestIndexCone(t *testing.T) {
	stars := loadCatalogOrSynthetic(t)
	vec := make([][3]float64, len(stars))
	for i, s := range stars {
		vec[i] = starcat.Vector(s.RA, s.Dec)
	}
	ix := NewIndex(vec, 1)
	for _, c := range [][2]float64{{0, 0}, {359.9, 10}, {120, 89.5}, {200, -88}, {45, 60}} {
		cv := starcat.Vector(c[0], c[1])
		rad := 7 * math.Pi / 180
		got := map[int32]bool{}
		for _, i := range ix.Cone(nil, cv, rad) {
			got[i] = true
		}
		for i, v := range vec {
			in := v[0]*cv[0]+v[1]*cv[1]+v[2]*cv[2] >= math.Cos(rad)
			if in != got[int32(i)] {
				t.Fatalf("cone at %v: star %d in=%v, index says %v", c, i, in, got[int32(i)])
			}
		}
	}
}

func loadCatalogOrSynthetic(t *testing.T) []starcat.Star {
	catOnce.Do(func() { catStars, catErr = starcat.Load(hip8) })
	if catErr == nil {
		return catStars
	}
	var out []starcat.Star
	for i := 0; i < 5000; i++ {
		u := math.Mod(float64(i)*0.6180339887, 1)
		v := math.Mod(float64(i)*0.7548776662, 1)
		out = append(out, starcat.Star{RA: u * 360, Dec: math.Asin(2*v-1) * 180 / math.Pi})
	}
	return out
}

func BenchmarkDecodeDefault(b *testing.B) {
	data := DefaultBytes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	stars := loadCatalog(b)
	for b.Loop() {
		if _, err := Build(context.Background(), stars, BuildOptions{FOVMin: 8, FOVMax: 23, Epoch: 2026}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBuildCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Build(ctx, loadCatalogOrSynthetic(t), BuildOptions{FOVMin: 8, FOVMax: 23, Epoch: 2026})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestBuildOptionErrors(t *testing.T) {
	stars := []starcat.Star{{HIP: 1, RA: 1, Dec: 1, Vmag: 1}}
	cases := []BuildOptions{
		{FOVMin: 0, FOVMax: 10, Epoch: 2026},
		{FOVMin: 10, FOVMax: 5, Epoch: 2026},
		{FOVMin: 8, FOVMax: 23, Epoch: 0},
		{FOVMin: 8, FOVMax: 23, Epoch: 2026, PatternStars: 3},
		{FOVMin: 8, FOVMax: 23, Epoch: 2026}, // too few stars
	}
	for i, o := range cases {
		if _, err := Build(context.Background(), stars, o); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}
