package ui

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/golden")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// skyTime is the fixed instant of the tests: 2025-04-15 22:00 UTC (the
// half second keeps the clock's nanosecond drift off the second's edge).
var skyTime = time.Date(2025, 4, 15, 22, 0, 0, 5e8, time.UTC)

// fixture is a fixed clock: the local Now and a shared Clock reading
// skyTime at that instant.
type fixture struct {
	now   time.Time
	clock state.Clock
}

func newFixture() fixture {
	now := time.Now()
	return fixture{now: now, clock: state.NewClock(skyTime, false)}
}

func (f fixture) Now() time.Time { return f.now }

// startStore runs a store until the test ends.
func startStore(t testing.TB, st state.State) *state.Store {
	t.Helper()
	s := state.New(st)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func lookup(t testing.TB, name string) targets.Target {
	t.Helper()
	cat, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, ok := cat.Lookup(name)
	if !ok {
		t.Fatalf("no %s in the catalogue", name)
	}
	return tg
}

var site = state.Location{Lat: 50, Lon: 10, AltitudeM: 300, Source: "GPS", Lock: true, LockType: 3, ErrorM: 4, Timezone: "UTC"}

func baseState(f fixture) state.State {
	st := state.Default()
	st.Clock = f.clock
	return st
}

// solved is a state pointing near M 51 with a 3-D GPS fix.
func solved(f fixture) state.State {
	st := baseState(f)
	p := state.PointingOf(200.1, 44.9, 30)
	st.Estimate = state.Estimate{
		Camera: state.Axis{Solve: p, Estimate: p}, Aligned: state.Axis{Solve: p, Estimate: p},
		Alt: 62.3, Az: 48.7, HasAltAz: true, Source: state.SourceCamera, Constellation: "CVn",
		Diag: state.SolveDiag{Matches: 17, FOV: 10.2}, ErrArcsec: -1,
	}
	st.Location = site
	st.GPS = state.GPSStatus{Connected: true, Mode: state.Fix3D, SatsSeen: 12, SatsUsed: 9, HasSats: true, ErrorM: 4}
	return st
}

// withTarget adds tg as the target with the guidance from the pointing.
func withTarget(t testing.TB, st state.State, tg targets.Target, mount targets.Mount) state.State {
	t.Helper()
	ra, dec, err := tg.Position(skyTime, geomSite())
	if err != nil {
		t.Fatal(err)
	}
	st.Target = state.Target{RA: ra, Dec: dec, Source: "ui", Seq: 1, Name: tg.Name(), Object: tg}
	st.HasTarget = true
	st.Mount = mount
	p := st.Estimate.Aligned.Estimate
	if p.Valid {
		g, err := targets.Guide(targets.GuideInput{
			Aligned:  geom.Attitude{RA: p.RA, Dec: p.Dec, Roll: p.Roll},
			TargetRA: ra, TargetDec: dec, Site: geomSite(), Time: skyTime, Mount: mount,
			Camera: geom.Attitude{RA: p.RA, Dec: p.Dec, Roll: p.Roll}, Frame: geom.Camera{W: 512, H: 512, FOV: 10.2},
		})
		if err != nil {
			t.Fatal(err)
		}
		st.Guidance = state.Guidance{Guidance: g, Valid: true, TargetSeq: 1, Time: skyTime}
	}
	return st
}

func geomSite() astro.Observer {
	return astro.Observer{LatDeg: site.Lat, LonDeg: site.Lon, HeightM: site.AltitudeM}
}

// fakeTuning is an api.Tuning in memory.
type fakeTuning struct {
	v       api.SettingsView
	patches []api.SettingsPatch
}

func newFakeTuning() *fakeTuning {
	return &fakeTuning{v: api.SettingsView{
		SleepTimeout: "2m", Exposure: config.Exposure{Auto: true}, Lens: "cine 25mm", Mount: "altaz",
		ScreenBrightness: 128, Sensor: "imx296", FOVDeg: 10.2, Persisted: true,
		Choices: api.SettingsChoices{SleepTimeout: []string{"Off", "30s", "1m", "2m", "5m"}, Lens: []string{"cine 25mm", "cine 50mm"}, Mount: []string{"altaz", "equatorial"}},
	}}
}

func (f *fakeTuning) Settings() api.SettingsView { return f.v }

func (f *fakeTuning) ApplySettings(_ context.Context, p api.SettingsPatch) (api.SettingsView, error) {
	f.patches = append(f.patches, p)
	if p.ScreenBrightness != nil {
		f.v.ScreenBrightness = *p.ScreenBrightness
	}
	if p.Mount != nil {
		f.v.Mount = *p.Mount
	}
	return f.v, nil
}

// testFrame is a synthetic 512×512 solve frame with five stars.
func testFrame() solver.FrameView {
	stars := [][2]float64{{256, 250}, {100, 120}, {400, 90}, {300, 420}, {60, 400}, {420, 300}}
	g := image.NewGray(image.Rect(0, 0, 512, 512))
	for i := range g.Pix {
		g.Pix[i] = uint8(12 + (i*7)%9)
	}
	for k, s := range stars {
		amp := 250.0 - float64(k)*25
		for y := int(s[1]) - 8; y <= int(s[1])+8; y++ {
			for x := int(s[0]) - 8; x <= int(s[0])+8; x++ {
				d2 := (float64(x)-s[0])*(float64(x)-s[0]) + (float64(y)-s[1])*(float64(y)-s[1])
				v := float64(g.GrayAt(x, y).Y) + amp*math.Exp(-d2/8)
				g.SetGray(x, y, color.Gray{uint8(min(255, v))})
			}
		}
	}
	return solver.FrameView{Gray: g, Meta: state.FrameMeta{Seq: 7, Width: 512, Height: 512}, Stars: stars, TargetPixel: state.Pixel{Y: 256, X: 256}}
}

func press(k keypad.Key) keypad.Event  { return keypad.Event{Key: k, Kind: keypad.Press} }
func chord(k keypad.Key) keypad.Event  { return keypad.Event{Key: k, Kind: keypad.Press, Square: true} }
func long(k keypad.Key) keypad.Event   { return keypad.Event{Key: k, Kind: keypad.Long} }
func repeat(k keypad.Key) keypad.Event { return keypad.Event{Key: k, Kind: keypad.Repeat} }

func digits(s string) []keypad.Event {
	var evs []keypad.Event
	for _, r := range s {
		evs = append(evs, press(keypad.Key0+keypad.Key(r-'0')))
	}
	return evs
}

func keys(t testing.TB, u *UI, evs ...keypad.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := u.Key(context.Background(), ev); err != nil {
			t.Fatalf("key %v: %v", ev, err)
		}
	}
}

// longestName is the object with the longest label.
func longestName(t testing.TB) targets.Target {
	all, err := objects.All()
	if err != nil {
		t.Fatal(err)
	}
	best := 0
	for i := range all {
		if utf8.RuneCountInString(all[i].Label()) > utf8.RuneCountInString(all[best].Label()) && all[i].Kind != objects.Constellation {
			best = i
		}
	}
	return targets.ObjectTarget(&all[best])
}

// goldenMismatch compares got with want and describes the difference: the
// screen, the number of differing pixels and their bounding box. It returns
// "" when they are equal.
func goldenMismatch(name string, got, want image.Image) string {
	if got.Bounds() != want.Bounds() {
		return fmt.Sprintf("screen %s: size %v, golden %v", name, got.Bounds(), want.Bounds())
	}
	n := 0
	var box image.Rectangle
	b := got.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("screen %s: %d pixels differ from the golden, within %v", name, n, box)
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

// checkGolden compares img with testdata/golden/<name>.png, or rewrites it
// with -update.
func checkGolden(t *testing.T, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".png")
	if *update {
		if err := writePNG(path, img); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := readPNG(path)
	if err != nil {
		t.Fatalf("screen %s: %v (run go test -update to create it)", name, err)
	}
	if msg := goldenMismatch(name, img, want); msg != "" {
		got := filepath.Join(t.TempDir(), name+".got.png")
		if err := writePNG(got, img); err != nil {
			t.Errorf("writing %s: %v", got, err)
		}
		t.Errorf("%s; got image written to %s", msg, got)
	}
}

func TestGolden(t *testing.T) {
	f := newFixture()
	m51 := lookup(t, "M 51")
	tests := []struct {
		name  string
		size  image.Point
		state func() state.State
		keys  []keypad.Event
	}{
		{name: "status_no_solve", state: func() state.State { return baseState(f) }},
		{name: "status_solved_gps3d", state: func() state.State { return solved(f) }},
		{name: "status_gps_searching", state: func() state.State {
			st := solved(f)
			st.GPS = state.GPSStatus{Connected: true, Mode: state.FixNone, SatsSeen: 7, HasSats: true}
			st.Estimate.Source = state.SourceIMU
			return st
		}},
		{name: "status_176", size: Size176, state: func() state.State { return withTarget(t, solved(f), m51, targets.AltAz) }},
		{name: "menu", state: func() state.State { return solved(f) }, keys: []keypad.Event{press(keypad.KeyRight)}},
		{name: "targets_menu", state: func() state.State { return solved(f) }, keys: []keypad.Event{chord(keypad.Key2)}},
		{name: "messier_51", state: func() state.State { return solved(f) },
			keys: append([]keypad.Event{chord(keypad.Key2), press(keypad.KeyRight)}, digits("51")...)},
		{name: "search_ring", state: func() state.State { return solved(f) },
			keys: append([]keypad.Event{chord(keypad.Key2), press(keypad.Key9), press(keypad.KeyRight)}, digits("7464")...)},
		{name: "object_m51", state: func() state.State { return withTarget(t, solved(f), m51, targets.AltAz) },
			keys: append([]keypad.Event{chord(keypad.Key2), press(keypad.KeyRight)}, append(digits("51"), press(keypad.KeyRight))...)},
		{name: "object_m51_eq", state: func() state.State { return withTarget(t, solved(f), m51, targets.Equatorial) },
			keys: []keypad.Event{chord(keypad.Key7)}},
		{name: "object_m51_176", size: Size176, state: func() state.State { return withTarget(t, solved(f), m51, targets.AltAz) },
			keys: []keypad.Event{chord(keypad.Key7)}},
		{name: "object_below_horizon", state: func() state.State { return withTarget(t, solved(f), lookup(t, "NGC 5139"), targets.AltAz) },
			keys: []keypad.Event{chord(keypad.Key7)}},
		{name: "object_long_name", state: func() state.State { return withTarget(t, solved(f), longestName(t), targets.AltAz) },
			keys: []keypad.Event{chord(keypad.Key7)}},
		{name: "object_no_solve", state: func() state.State { return withTarget(t, baseState(f), m51, targets.AltAz) },
			keys: []keypad.Event{chord(keypad.Key7)}},
		{name: "chart", state: func() state.State { return withTarget(t, solved(f), m51, targets.AltAz) },
			keys: []keypad.Event{chord(keypad.Key3)}},
		{name: "chart_no_solve", state: func() state.State { return baseState(f) }, keys: []keypad.Event{chord(keypad.Key3)}},
		{name: "align", state: func() state.State { return solved(f) }, keys: []keypad.Event{chord(keypad.Key4), press(keypad.Key6)}},
		{name: "settings", state: func() state.State { return solved(f) }, keys: []keypad.Event{chord(keypad.Key5)}},
		{name: "site_entry", state: func() state.State { return solved(f) },
			keys: append([]keypad.Event{chord(keypad.Key5)}, append(slices.Repeat([]keypad.Event{press(keypad.KeyDown)}, setSite),
				append([]keypad.Event{press(keypad.KeyRight)}, digits("5012340")...)...)...)},
		{name: "asleep", state: func() state.State { st := solved(f); st.Power = state.Asleep; return st }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.state()
			store := startStore(t, st)
			fv := testFrame()
			u, err := New(Config{Store: store, Size: tc.size, Now: f.Now, Tuning: newFakeTuning(), Version: "v0.0.0-test",
				Frame: func() (solver.FrameView, bool) { return fv, true }})
			if err != nil {
				t.Fatal(err)
			}
			keys(t, u, tc.keys...)
			checkGolden(t, tc.name, u.Draw(st))
		})
	}
}

func TestGoldenMismatch(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 16, 16))
	b := image.NewRGBA(image.Rect(0, 0, 16, 16))
	if msg := goldenMismatch("status", a, b); msg != "" {
		t.Fatalf("equal images: %q", msg)
	}
	b.SetRGBA(3, 5, colRed)
	b.SetRGBA(7, 6, colRed)
	msg := goldenMismatch("status", a, b)
	want := "screen status: 2 pixels differ from the golden, within (3,5)-(8,7)"
	if msg != want {
		t.Errorf("got %q, want %q", msg, want)
	}
	c := image.NewRGBA(image.Rect(0, 0, 8, 8))
	if msg := goldenMismatch("chart", a, c); msg == "" || msg[:13] != "screen chart:" {
		t.Errorf("size mismatch: %q", msg)
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"M 51", 10, "M 51"},
		{"M 51 Whirlpool Galaxy", 10, "M 51 Whir…"},
		{"M 51 Whirlpool Galaxy", 6, "M 51…"},
		{"abc", 0, ""},
	} {
		if got := fit(tc.s, tc.n); got != tc.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{fmtRA(202.4696), "13:29:53"},
		{fmtRA(359.9999), "00:00:00"},
		{fmtDec(47.1953), "+47°12′"},
		{fmtDec(-5.5), "-05°30′"},
		{fmtDeg(12.345), "12.3"},
		{fmtDeg(-123.4), "-123"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestT9Words(t *testing.T) {
	got := t9Words("Ring Nebula")
	want := []string{"7464", "632852", "7464632852"}
	if !slices.Equal(got, want) {
		t.Errorf("t9Words = %v, want %v", got, want)
	}
}
