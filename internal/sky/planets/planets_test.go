package planets

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
)

// TestRegenerate runs the generator on ../shared and checks it reproduces
// the committed planets.bin byte for byte.
func TestRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ./gen")
	}
	src := "../../../../shared/catalog/objects/"
	if _, err := os.Stat(src + "vsop87b-truncated.csv"); err != nil {
		t.Skipf("shared catalogue not found at %s: cannot check the generator", src)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out := filepath.Join(t.TempDir(), "planets.bin")
	cmd := exec.Command(goBin, "run", "./gen", "-vsop", src+"vsop87b-truncated.csv",
		"-elp", src+"elpmpp02-truncated.csv", "-w1", src+"elpmpp02-W1.json", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, tableData) {
		t.Error("regenerating does not reproduce planets.bin; run go generate ./internal/sky/planets")
	}
}

func TestTableCounts(t *testing.T) {
	tb, err := loadTables()
	if err != nil {
		t.Fatal(err)
	}
	var nv, ne int
	for p := range tb.vsop {
		for v := range tb.vsop[p] {
			for _, s := range tb.vsop[p][v] {
				nv += len(s.terms) / 3
			}
		}
	}
	for v := range tb.elp {
		for _, s := range tb.elp[v] {
			ne += len(s.terms) / 6
		}
	}
	// The counts the source README gives for the truncated tables.
	if nv != 3922 || ne != 1433 {
		t.Errorf("tables hold %d VSOP87 and %d ELP terms, want 3922 and 1433", nv, ne)
	}
}

func TestDecodeRejectsBadData(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"magic", []byte("XXXX\x01")},
		{"version", []byte("PFPL\x02")},
		{"truncated", tableData[:len(tableData)/2]},
		{"trailing", append(append([]byte{}, tableData...), 0)},
	} {
		if _, err := decodeTables(c.b); !errors.Is(err, errFormat) {
			t.Errorf("%s: err = %v, want errFormat", c.name, err)
		}
	}
}

func FuzzDecodeTables(f *testing.F) {
	f.Add(tableData[:200])
	f.Add([]byte("PFPL\x01\x01\x00\x00\x00\x00\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeTables(b) // must not panic
	})
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Body
		ok   bool
	}{
		{"Jupiter", Jupiter, true}, {"  moon ", Moon, true}, {"SUN", Sun, true},
		{"neptune", Neptune, true}, {"Pluto", 0, false}, {"", 0, false}, {"Earth", 0, false},
	} {
		b, ok := Parse(c.in)
		if ok != c.ok || (ok && b != c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", c.in, b, ok, c.want, c.ok)
		}
	}
	for _, b := range All() {
		if got, ok := Parse(b.String()); !ok || got != b {
			t.Errorf("Parse(%v.String()) = %v, %v", b, got, ok)
		}
	}
	if Body(42).Valid() || Body(42).String() != "Body(42)" {
		t.Error("Body(42) must be invalid and print its number")
	}
}

func TestAtBadInput(t *testing.T) {
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := At(Body(99), ts, astro.Observer{}); !errors.Is(err, ErrBody) {
		t.Errorf("unknown body: err = %v", err)
	}
	for _, o := range []astro.Observer{{LatDeg: 91}, {LatDeg: math.NaN()}, {LonDeg: math.Inf(1)}, {HeightM: math.NaN()}} {
		if _, err := At(Mars, ts, o); err == nil {
			t.Errorf("observer %+v accepted", o)
		}
	}
}

// TestMoonParallax checks the topocentric correction has the right size and
// sign: seen from the ground the Moon is displaced away from the zenith by
// up to its horizontal parallax (57′), so the difference from the
// geocentric direction must be 0.95 sin z × 57′ within a few arcminutes.
func TestMoonParallax(t *testing.T) {
	ts := time.Date(2026, 3, 20, 21, 0, 0, 0, time.UTC)
	obs := astro.Observer{LatDeg: 50.85, LonDeg: 4.35}
	topo, err := At(Moon, ts, obs)
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := loadTables()
	d := astro.JulianDateTT(ts) - jd2000
	g := tb.moonGeo(d / daysJC)
	gra, gdec := radec(g)
	shift := sepArcmin(gra, gdec, topo.AstrometricRA, topo.AstrometricDec)
	hp := math.Asin(6378.137/(g.norm()*auKm)) * 180 / math.Pi * 60
	want := hp * math.Sin((90-topo.Alt)*math.Pi/180)
	if math.Abs(shift-want) > 0.02*hp {
		t.Errorf("parallax shift %.2f′, want about %.2f′ (HP %.2f′, alt %.1f°)", shift, want, hp, topo.Alt)
	}
	// Lower than the geocentric altitude.
	galt, _ := astro.AltAz(gra, gdec, obs, ts, astro.Weather{})
	if !(topo.Alt < galt) {
		t.Errorf("topocentric Moon altitude %.3f° is not below geocentric %.3f°", topo.Alt, galt)
	}
}
