package lx200

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
)

// j2000 is the instant T17 uses for its formatting cases (J2000.0 in UTC).
var j2000 = time.Date(2000, 1, 1, 11, 58, 55, 816e6, time.UTC)

func identity(ra, dec float64, _ time.Time) (float64, float64) { return ra, dec }

func withPointing(ra, dec float64) state.State {
	st := state.Default()
	st.Estimate.Aligned.Estimate = state.PointingOf(ra, dec, 0)
	st.Estimate.Camera.Estimate = st.Estimate.Aligned.Estimate
	return st
}

// run feeds a byte stream through a fresh scanner and session and returns
// the concatenated replies and the targets.
func run(stream string, in Input, sess *Session) (string, []state.Target) {
	var sc Scanner
	var out strings.Builder
	var targets []state.Target
	for _, c := range sc.Feed([]byte(stream), nil) {
		r := sess.Handle(c, in)
		out.WriteString(r.Reply)
		if r.Target != nil {
			targets = append(targets, *r.Target)
		}
	}
	return out.String(), targets
}

// TestT17 is reference test T17 with its exact replies. The formatting rows
// at J2000.0 use the identity conversion: at that instant the true equator
// of date still differs from J2000 by nutation and frame bias (about −1 s of
// RA and −6″ of Dec for the Crab), which T17's own later rows allow for.
func TestT17(t *testing.T) {
	noPointing := Input{State: state.Default(), Now: j2000, ToDate: identity, FromDate: identity}
	tests := []struct {
		name string
		in   Input
		send string
		want string
	}{
		{"product", noPointing, ":GVP#", "PiFinder#"},
		{"alignment", noPointing, ":GW#", "AT1"},
		{"slew", noPointing, ":MS#", "0"},
		{"quit", noPointing, ":Q#", ""},
		{"sync without a target", noPointing, ":CM#", syncReply},
		{"motion and rates ignored", noPointing, ":Me#:Mn#:Ms#:Mw#:Qe#:Qn#:Qs#:Qw#:RS#:RM#:RC#:RG#", ""},
		{"ack", noPointing, "\x06", "A"},
		{"no pointing RA", noPointing, ":GR#", "+00*00'01#"},
		{"no pointing Dec", noPointing, ":GD#", "+00*00'01#"},
		{"dec without RA", noPointing, ":Sd+22*00:52#", "0"},
		{"malformed RA", noPointing, ":Sr5:34:32#", "0"},
		{"other version replies", noPointing, ":GVD#:GVN#:GVT#:D#", "Jan 28 2026#01.0#17:25:00#\x7f#"},
		{"crab", Input{State: withPointing(83.6331, 22.0145), Now: j2000, ToDate: identity}, ":GR#:GD#", "05:34:32#+22*00'52#"},
		{"sirius", Input{State: withPointing(101.2875, -16.7161), Now: j2000, ToDate: identity}, ":GR#:GD#", "06:45:09#-16*42'58#"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sess Session
			got, targets := run(tc.send, tc.in, &sess)
			if got != tc.want {
				t.Errorf("%q → %q, want %q", tc.send, got, tc.want)
			}
			if len(targets) != 0 {
				t.Errorf("unexpected targets %v", targets)
			}
		})
	}
}

func TestT17Goto(t *testing.T) {
	var sess Session
	in := Input{State: state.Default(), Now: j2000, ToDate: DefaultToDate, FromDate: DefaultFromDate}
	got, targets := run(":Sr05:34:32#:Sd+22*00:52#", in, &sess)
	if got != "11" {
		t.Fatalf("replies %q, want \"11\"", got)
	}
	if len(targets) != 1 {
		t.Fatalf("targets %v, want one", targets)
	}
	tg := targets[0]
	if sep := geom.Separation(tg.RA, tg.Dec, 83.633, 22.014) * 3600; sep > 30 || tg.Source != "lx200" {
		t.Errorf("target %+v is %.1f″ from (83.633, 22.014), want < 30″ and source lx200", tg, sep)
	}
}

// TestT17DefaultConversion checks T17's formatting rows through the real
// J2000 → JNow conversion, to T17's stated tolerance (±2 s RA, ±30″ Dec).
func TestT17DefaultConversion(t *testing.T) {
	june := time.Date(2025, 6, 28, 11, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ra, dec      float64
		when         time.Time
		raS, decAsec float64 // expected seconds of time and arcseconds
	}{
		{83.6331, 22.0145, j2000, (5*60+34)*60 + 32, (22*60+0)*60 + 52},
		{101.2875, -16.7161, j2000, (6*60+45)*60 + 9, -((16*60+42)*60 + 58)},
		{0, 0, june, 78, 8*60 + 31},
		{279.2347, 38.7837, june, (18*60+37)*60 + 48, (38*60+48)*60 + 24},
	} {
		in := Input{State: withPointing(tc.ra, tc.dec), Now: tc.when, ToDate: DefaultToDate}
		var sess Session
		got, _ := run(":GR#:GD#", in, &sess)
		ra, dec, err := parseReplies(got)
		if err != nil {
			t.Fatalf("(%g, %g): %v", tc.ra, tc.dec, err)
		}
		if math.Abs(ra/15*3600-tc.raS) > 2 || math.Abs(dec*3600-tc.decAsec) > 30 {
			t.Errorf("(%g, %g) at %v → %q", tc.ra, tc.dec, tc.when, got)
		}
	}
}

// parseReplies reads "HH:MM:SS#sDD*MM'SS#" back into degrees.
func parseReplies(s string) (ra, dec float64, err error) {
	parts := strings.Split(s, "#")
	if len(parts) != 3 || parts[2] != "" {
		return 0, 0, strconv.ErrSyntax
	}
	if ra, err = ParseRA(parts[0]); err != nil {
		return 0, 0, err
	}
	dec, err = ParseDec(parts[1])
	return ra, dec, err
}

func TestFormat(t *testing.T) {
	tests := []struct {
		deg     float64
		ra, dec string
	}{
		{0, "00:00:00#", "+00*00'00#"},
		{-0.39, "23:58:26#", "-00*23'24#"},
		{-0.392383, "23:58:26#", "-00*23'33#"},
		{-0.0001, "00:00:00#", "+00*00'00#"}, // Dec rounds to zero: no sign
		{15 * (59.0/60 + 59.6/3600), "01:00:00#", "+14*59'54#"},
		{10 + 59.0/60 + 59.6/3600, "00:44:00#", "+11*00'00#"},
		{-(10 + 59.0/60 + 59.6/3600), "23:16:00#", "-11*00'00#"},
		{359.99999, "00:00:00#", "+90*00'00#"},
		{90, "06:00:00#", "+90*00'00#"},
		{-90, "18:00:00#", "-90*00'00#"},
		{360 + 15, "01:00:00#", "+90*00'00#"},
		{math.NaN(), NoPointing, NoPointing},
	}
	for _, tc := range tests {
		if ra := FormatRA(tc.deg); ra != tc.ra {
			t.Errorf("FormatRA(%v) = %q, want %q", tc.deg, ra, tc.ra)
		}
		if dec := FormatDec(tc.deg); dec != tc.dec {
			t.Errorf("FormatDec(%v) = %q, want %q", tc.deg, dec, tc.dec)
		}
	}
	// Never 60 seconds or minutes: values just below a whole minute, and random ones.
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20000 {
		deg := float64(rng.IntN(90*60))/60 + (59.5+rng.Float64()*0.5)/3600
		if i%2 == 1 {
			deg = rng.Float64()*180 - 90
		}
		if i%4 == 0 {
			deg = -deg
		}
		ra, dec := FormatRA(deg*4), FormatDec(deg)
		if strings.Contains(ra, ":60") || strings.Contains(dec, "'60") || strings.Contains(dec, "*60") {
			t.Fatalf("%v: %q %q", deg, ra, dec)
		}
	}
	// Seconds carry: 59.6 s of RA and 59.6″ of Dec round up into the next unit.
	if got := FormatRA(15 * (1 + 59.0/60 + 59.6/3600)); got != "02:00:00#" {
		t.Errorf("RA carry: %q", got)
	}
	if got := FormatDec(-(1 + 59.0/60 + 59.6/3600)); got != "-02*00'00#" {
		t.Errorf("Dec carry: %q", got)
	}
	if got := FormatDec(45 + 59.0/60 + 59.4/3600); got != "+45*59'59#" {
		t.Errorf("Dec no carry: %q", got)
	}
}

func TestParse(t *testing.T) {
	ras := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"05:34:32", 15 * (5 + 34.0/60 + 32.0/3600), true},
		{" 05:34:32", 15 * (5 + 34.0/60 + 32.0/3600), true},
		{"05:34:32.5", 15 * (5 + 34.0/60 + 32.5/3600), true},
		{"05:34.5", 15 * (5 + 34.5/60), true},
		{"23:59:59", 15 * (23 + 59.0/60 + 59.0/3600), true},
		{"5:34:32", 0, false},
		{"24:00:00", 0, false},
		{"05:60:00", 0, false},
		{"05:34:60", 0, false},
		{"05:34:3", 0, false},
		{"05:34:32x", 0, false},
		{"05:34:1e1", 0, false},
		{"", 0, false},
		{"ab:cd:ef", 0, false},
	}
	for _, tc := range ras {
		got, err := ParseRA(tc.in)
		if (err == nil) != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("ParseRA(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	decs := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"+22*00:52", 22 + 52.0/3600, true},
		{"-16*42'58", -(16 + 42.0/60 + 58.0/3600), true},
		{"-00*23:24", -(23.0/60 + 24.0/3600), true}, // the sign PiFinder lost
		{"-00:30:00", -0.5, true},
		{"+22\xdf00:52", 22 + 52.0/3600, true},
		{"22*00:52", 22 + 52.0/3600, true},
		{" -05*30", -5.5, true},
		{"+90*00:00", 90, true},
		{"+90*00:01", 0, false},
		{"+91*00:00", 0, false},
		{"+2*00:52", 0, false},
		{"++22*00:52", 0, false},
		{"+22*00:5", 0, false},
		{"", 0, false},
	}
	for _, tc := range decs {
		got, err := ParseDec(tc.in)
		if (err == nil) != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("ParseDec(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	// Format and parse are inverse to the protocol's precision.
	for _, deg := range []float64{-0.39, -89.99, 0.0001, 45.5, -16.7161} {
		got, err := ParseDec(strings.TrimSuffix(FormatDec(deg), "#"))
		if err != nil || math.Abs(got-deg) > 0.5/3600+1e-12 {
			t.Errorf("Dec %v → %q → %v, %v", deg, FormatDec(deg), got, err)
		}
	}
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   []Command
	}{
		{"two in one read", []string{":GR#:GD#"}, []Command{{"GR", ""}, {"GD", ""}}},
		{"split across reads", []string{":G", "R#:Sr05:3", "4:32#"}, []Command{{"GR", ""}, {"Sr", "05:34:32"}}},
		{"garbage between", []string{"xx\r\n:GR#zz#:GD#"}, []Command{{"GR", ""}, {"GD", ""}}},
		{"binary inside drops only that command", []string{":G\x00R#:GD#"}, []Command{{"GD", ""}}},
		{"ack", []string{"\x06"}, []Command{{"ACK", ""}}},
		{"no letters", []string{":#:12#"}, nil},
		{"oversized then good", []string{":" + strings.Repeat("A", 100) + "#:GR#"}, []Command{{"GR", ""}}},
		{"degree sign", []string{":Sd+22\xdf00:52#"}, []Command{{"Sd", "+22\xdf00:52"}}},
		{"space argument", []string{":Sr 05:34:32#"}, []Command{{"Sr", " 05:34:32"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sc Scanner
			var got []Command
			for _, c := range tc.chunks {
				got = sc.Feed([]byte(c), got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSessionOrderAndSign: a multi-command read is answered in order, and a
// goto just south of the equator keeps its sign.
func TestSessionOrderAndSign(t *testing.T) {
	var sess Session
	in := Input{State: withPointing(45, -0.39), Now: j2000, ToDate: identity, FromDate: identity}
	got, targets := run(":GVP#:GR#:GD#:Sr03:00:00#:Sd-00*23:24#:MS#:GW#", in, &sess)
	if want := "PiFinder#03:00:00#-00*23'24#110AT1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(targets) != 1 || math.Abs(targets[0].Dec-(-0.39)) > 1e-9 || math.Abs(targets[0].RA-45) > 1e-9 {
		t.Errorf("targets %+v, want (45, -0.39)", targets)
	}
	// A Stellarium client (after ACK) sends J2000: no conversion.
	sess = Session{}
	in.FromDate = func(ra, dec float64, _ time.Time) (float64, float64) { return ra + 1, dec }
	_, targets = run("\x06:Sr03:00:00#:Sd+10*00:00#", in, &sess)
	if len(targets) != 1 || targets[0].RA != 45 {
		t.Errorf("stellarium goto %+v, want RA 45 unconverted", targets)
	}
}

// TestJNowCases formats every row of jnow-cases.csv through the default
// conversion: the converted position is within 1″ of the ERFA value, and the
// replies match the reference's replies to the protocol's precision.
func TestJNowCases(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "reference", "jnow-cases.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared reference data absent (%v); skipping the JNow table", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		num := func(i int) float64 {
			v, err := strconv.ParseFloat(r[i], 64)
			if err != nil {
				t.Fatalf("%s: column %d: %v", r[0], i, err)
			}
			return v
		}
		when, err := time.Parse("2006-01-02T15:04:05", r[3])
		if err != nil {
			t.Fatal(err)
		}
		ra, dec := num(1), num(2)
		wantRA, wantDec := num(4), num(5)
		gotRA, gotDec := DefaultToDate(ra, dec, when)
		if sep := geom.Separation(gotRA, gotDec, wantRA, wantDec) * 3600; sep > 1 {
			t.Errorf("%s: JNow (%.6f, %.6f) is %.2f″ from ERFA (%.6f, %.6f)", r[0], gotRA, gotDec, sep, wantRA, wantDec)
		}
		var sess Session
		st := withPointing(ra, dec)
		got, _ := run(":GR#:GD#", Input{State: st, Now: when, ToDate: DefaultToDate}, &sess)
		want := FormatRA(wantRA) + FormatDec(wantDec)
		pr, pd, err := parseReplies(got)
		if err != nil {
			t.Fatalf("%s: replies %q: %v", r[0], got, err)
		}
		// One unit of the last digit: 1 s of RA (scaled by cos Dec near the
		// pole, where a second of RA is a tiny angle), 1″ of Dec.
		raTol := 15.0/3600 + 0.5/3600/math.Max(math.Cos(wantDec*math.Pi/180), 1e-6)
		dra := math.Abs(math.Remainder(pr-wantRA, 360))
		if dra > raTol || math.Abs(pd-wantDec) > 1.0/3600+1e-9 {
			t.Errorf("%s: replies %q, reference %q", r[0], got, want)
		}
		if r[0] == "Dec_minus_half" && !strings.Contains(got, "#-00*23'") {
			t.Errorf("%s: %q lost the minus sign", r[0], got)
		}
		t.Logf("%-18s %s (reference %s)", r[0], got, want)
		// And back: a goto of the formatted reply lands within the rounding of the input.
		sess = Session{}
		_, targets := run(":Sr"+strings.TrimSuffix(FormatRA(wantRA), "#")+"#:Sd"+strings.ReplaceAll(strings.TrimSuffix(FormatDec(wantDec), "#"), "'", ":")+"#",
			Input{State: st, Now: when, FromDate: DefaultFromDate}, &sess)
		if len(targets) != 1 {
			t.Fatalf("%s: goto gave %v", r[0], targets)
		}
		if sep := geom.Separation(targets[0].RA, targets[0].Dec, ra, dec) * 3600; sep > 8+1 {
			t.Errorf("%s: goto back to J2000 is %.1f″ off", r[0], sep)
		}
	}
}

// FuzzProtocol feeds arbitrary bytes through the scanner and a session:
// nothing panics, replies are short printable ASCII, and any target is a
// valid sky position.
func FuzzProtocol(f *testing.F) {
	for _, s := range []string{":GR#:GD#", ":Sr05:34:32#:Sd-00*23:24#:MS#", "\x06", ":Sd+22\xdf00:52#", ":Sr 23:59:59.9#:Sd-90*00:00#",
		":" + strings.Repeat("x", 200) + "#", ":Sr05:34.5#:Sd+22*00#", "\x00\xff:G#R#"} {
		f.Add([]byte(s))
	}
	in := Input{State: withPointing(83.6331, -0.39), Now: j2000, ToDate: DefaultToDate, FromDate: DefaultFromDate}
	f.Fuzz(func(t *testing.T, data []byte) {
		var sc Scanner
		var sess Session
		// Split the input in two reads to exercise the carry-over.
		half := len(data) / 2
		cmds := sc.Feed(data[:half], nil)
		cmds = sc.Feed(data[half:], cmds)
		if len(cmds) > len(data) {
			t.Fatalf("%d commands from %d bytes", len(cmds), len(data))
		}
		for _, c := range cmds {
			if len(c.Name)+len(c.Arg) > DefaultMaxCommandLen {
				t.Fatalf("command %q longer than the limit", c)
			}
			r := sess.Handle(c, in)
			if len(r.Reply) > 16 || !utf8.ValidString(r.Reply) {
				t.Fatalf("reply %q to %q", r.Reply, c)
			}
			for _, b := range []byte(r.Reply) {
				if b > 0x7f || (b < 0x20 && b != 0) {
					t.Fatalf("reply %q to %q has byte %#x", r.Reply, c, b)
				}
			}
			if tg := r.Target; tg != nil && !(tg.RA >= 0 && tg.RA < 360 && tg.Dec >= -90 && tg.Dec <= 90) {
				t.Fatalf("target %+v from %q", tg, c)
			}
		}
	})
}
