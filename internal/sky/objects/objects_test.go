package objects

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const sharedObjects = "../../../../shared/catalog/objects"

func find(t *testing.T, objs []Object, desig string) *Object {
	t.Helper()
	for i := range objs {
		if slices.Contains(objs[i].Designations, desig) {
			return &objs[i]
		}
	}
	t.Fatalf("%s not in the catalogue", desig)
	return nil
}

func TestEmbeddedContents(t *testing.T) {
	objs, err := All()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Kind]int{}
	for i, o := range objs {
		counts[o.Kind]++
		if i < 110 && o.Primary() != "M "+itoa(i+1) {
			t.Errorf("object %d is %s, want M %d", i, o.Primary(), i+1)
		}
	}
	if counts[Constellation] != 88 {
		t.Errorf("%d constellations, want 88", counts[Constellation])
	}
	if counts[Star] < 4700 || counts[Galaxy] < 9000 || len(objs) < 20000 {
		t.Errorf("catalogue too small: %d objects, %d stars, %d galaxies", len(objs), counts[Star], counts[Galaxy])
	}
	for _, c := range []struct {
		desig, other, name, con string
		kind                    Kind
		ra, dec, mag            float64
	}{
		{"M 31", "NGC 224", "Andromeda Galaxy", "And", Galaxy, 10.68, 41.27, 3.4},
		{"M 51", "NGC 5194", "Whirlpool", "CVn", Galaxy, 202.47, 47.20, 8.1},
		{"M 42", "NGC 1976", "Orion Nebula", "Ori", StarFormingRegion, 83.82, -5.39, 4.0},
		{"NGC 7000", "C 20", "North America Nebula", "Cyg", EmissionNebula, 314.7, 44.3, math.NaN()},
		{"α Lyr", "HIP 91262", "Vega", "Lyr", Star, 279.23, 38.78, 0.03},
		{"3 Lyr", "α Lyr", "Vega", "Lyr", Star, 279.23, 38.78, 0.03},
		{"α UMi", "1 UMi", "Polaris", "UMi", Star, 37.95, 89.26, 1.97},
		{"Ori", "Ori", "Orion", "Ori", Constellation, math.NaN(), math.NaN(), math.NaN()},
		{"Ser", "Ser", "Serpens", "Ser", Constellation, math.NaN(), math.NaN(), math.NaN()},
	} {
		o := find(t, objs, c.desig)
		if !slices.Contains(o.Designations, c.other) || !slices.Contains(o.Names, c.name) || o.Constellation != c.con {
			t.Errorf("%s = %+v; want cross id %s, name %q, in %s", c.desig, *o, c.other, c.name, c.con)
		}
		if c.kind != Unknown && c.kind != o.Kind && c.desig != "NGC 7000" {
			t.Errorf("%s is a %v, want %v", c.desig, o.Kind, c.kind)
		}
		if !math.IsNaN(c.ra) && (math.Abs(o.RA-c.ra) > 0.1 || math.Abs(o.Dec-c.dec) > 0.1) {
			t.Errorf("%s at (%.3f, %.3f), want about (%.2f, %.2f)", c.desig, o.RA, o.Dec, c.ra, c.dec)
		}
		if !math.IsNaN(c.mag) && math.Abs(o.Mag-c.mag) > 0.15 {
			t.Errorf("%s magnitude %.2f, want %.2f", c.desig, o.Mag, c.mag)
		}
	}
	if m := find(t, objs, "M 31"); m.MajorArcmin < 100 || m.MinorArcmin <= 0 {
		t.Errorf("M 31 size %v×%v′", m.MajorArcmin, m.MinorArcmin)
	}
	if l := find(t, objs, "M 31").Label(); l != "M 31 Andromeda Galaxy" {
		t.Errorf("M 31 label %q", l)
	}
	if l := find(t, objs, "α Lyr").Label(); l != "Vega" {
		t.Errorf("Vega label %q", l)
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestRegenerate checks that `go generate` on ../shared gives the committed
// bytes.
func TestRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ./gen")
	}
	if _, err := os.Stat(filepath.Join(sharedObjects, "dsos.14.json")); err != nil {
		t.Skipf("shared catalogue not found at %s: cannot check the generator", sharedObjects)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out := filepath.Join(t.TempDir(), "objects.bin.gz")
	if msg, err := exec.Command(goBin, "run", "./gen", "-src", sharedObjects, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, embedded) {
		t.Error("regenerating does not reproduce objects.bin.gz; run go generate ./internal/sky/objects")
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	in := []Object{
		{Designations: []string{"NGC 1", "C 200"}, Names: []string{"Test"}, Kind: Galaxy, Mag: 12.34,
			MajorArcmin: 2.5, MinorArcmin: 1.2, RA: 359.99999, Dec: -89.5, Constellation: "Oct"},
		{Designations: []string{"HIP 5"}, Kind: Star, Mag: math.NaN(), RA: 0, Dec: 90, Constellation: "UMi", HIP: 5},
	}
	var b bytes.Buffer
	if err := Encode(&b, in); err != nil {
		t.Fatal(err)
	}
	out, err := Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Designations[1] != "C 200" || out[0].Names[0] != "Test" || math.Abs(out[0].Mag-12.34) > 1e-9 ||
		math.Abs(out[0].RA-359.99999) > 1e-9 || out[0].Constellation != "Oct" || !math.IsNaN(out[1].Mag) || out[1].HIP != 5 ||
		math.Abs(out[0].MinorArcmin-1.2) > 1e-9 || len(out[1].Names) != 0 {
		t.Errorf("round trip: %+v", out)
	}
	for _, bad := range []Object{
		{Designations: []string{"X"}, Kind: Galaxy, Constellation: "Xyz"},
		{Kind: Galaxy, Constellation: "Ori"},
		{Designations: []string{"X"}, Kind: Unknown, Constellation: "Ori"},
		{Designations: []string{"X"}, Kind: Galaxy, Constellation: "Ori", Dec: 91},
		{Designations: []string{"X"}, Kind: Galaxy, Constellation: "Ori", RA: 360},
	} {
		if err := Encode(&bytes.Buffer{}, []Object{bad}); err == nil {
			t.Errorf("Encode accepted %+v", bad)
		}
	}
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}

func TestDecodeRejectsBadData(t *testing.T) {
	var good bytes.Buffer
	if err := Encode(&good, []Object{{Designations: []string{"M 1"}, Kind: SupernovaRemnant, RA: 1, Constellation: "Tau"}}); err != nil {
		t.Fatal(err)
	}
	zr, _ := gzip.NewReader(bytes.NewReader(good.Bytes()))
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(zr)
	r := raw.Bytes()
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"not gzip", []byte("PFOB")},
		{"magic", gz([]byte("XXXX\x01\x00"))},
		{"version", gz([]byte("PFOB\x09\x00"))},
		{"truncated", gz(r[:len(r)-2])},
		{"trailing", gz(append(slices.Clone(r), 7))},
		{"count too large", gz([]byte("PFOB\x01\xff\xff\xff\x0f"))},
		{"bad kind", gz(append(append(slices.Clone(r[:6]), 99), r[7:]...))},
	} {
		if _, err := Decode(bytes.NewReader(c.b)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", c.name, err)
		}
	}
}

func FuzzDecodeRaw(f *testing.F) {
	var b bytes.Buffer
	_ = Encode(&b, []Object{{Designations: []string{"M 1"}, Names: []string{"Crab"}, Kind: SupernovaRemnant, RA: 83.6, Dec: 22, Constellation: "Tau"}})
	zr, _ := gzip.NewReader(&b)
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(zr)
	f.Add(raw.Bytes())
	f.Add([]byte("PFOB\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		objs, err := decodeRaw(b)
		if err != nil {
			return
		}
		for _, o := range objs {
			if len(o.Designations) == 0 || o.RA < 0 || o.RA >= 360 || math.Abs(o.Dec) > 90 {
				t.Fatalf("decoded an invalid object %+v", o)
			}
		}
	})
}

func TestParseKind(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Kind
		ok   bool
	}{
		{"galaxy", Galaxy, true}, {"Galaxies", Galaxy, true}, {"open cluster", OpenCluster, true},
		{"open_clusters", OpenCluster, true}, {"GC", GlobularCluster, true}, {"planetary nebulae", PlanetaryNebula, true},
		{"pn", PlanetaryNebula, true}, {"star", Star, true}, {"constellations", Constellation, true},
		{"star-forming region", StarFormingRegion, true}, {"nebula", BrightNebula, true}, {"s0", Galaxy, true},
		{"comet", Unknown, false}, {"", Unknown, false}, {"unknown", Unknown, false},
	} {
		k, ok := ParseKind(c.in)
		if k != c.want || ok != c.ok {
			t.Errorf("ParseKind(%q) = %v, %v; want %v, %v", c.in, k, ok, c.want, c.ok)
		}
	}
	for _, k := range Kinds() {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, got, ok)
		}
	}
	if !strings.HasPrefix(Kind(200).String(), "Kind(") {
		t.Error("Kind(200) must print its number")
	}
}
