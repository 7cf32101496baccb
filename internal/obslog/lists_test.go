package obslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseAngles(t *testing.T) {
	const eps = 1e-9
	for _, c := range []struct {
		in      string
		hours   bool
		ra, dec float64 // NaN: error expected
	}{
		{"83.633", false, 83.633, 83.633},
		{"5.5", true, 82.5, 5.5},
		{"5.5h", false, 82.5, math.NaN()},
		{"05:34:31.94", false, 83.633083333, 5.575538889},
		{"5h34m31.94s", false, 83.633083333, math.NaN()},
		{"05 34 31.94", false, 83.633083333, 5.575538889},
		{"05:34", false, 83.5, 5.566666667},
		{"05:34.5", false, 83.625, 5.575},
		{"83d37m59s", false, 83.633055556, 83.633055556},
		{"-05:23:28", false, math.NaN(), -5.391111111},
		{"-00:23:24", false, math.NaN(), -0.39},
		{"−0°23′24″", false, math.NaN(), -0.39},
		{"+41°16'09\"", false, 41.269166667, 41.269166667},
		{"90", false, 90, 90},
		{"0", false, 0, 0},
		{"359.9999", false, 359.9999, math.NaN()},
		{"360", false, math.NaN(), math.NaN()},
		{"24:00:00", false, math.NaN(), 24},
		{"23:59:59.9", false, 359.999583333, 23.999972222},
		{"12:60:00", false, math.NaN(), math.NaN()},
		{"12:30:60", false, math.NaN(), math.NaN()},
		{"12.5:30", false, math.NaN(), math.NaN()},
		{"1:2:3:4", false, math.NaN(), math.NaN()},
		{"", false, math.NaN(), math.NaN()},
		{"-", false, math.NaN(), math.NaN()},
		{"abc", false, math.NaN(), math.NaN()},
		{"1e5", false, math.NaN(), math.NaN()},
		{"NaN", false, math.NaN(), math.NaN()},
		{"1..2", false, math.NaN(), math.NaN()},
		{"12h30d", false, math.NaN(), math.NaN()},
		{"91", false, 91, math.NaN()},
		{"-91", false, math.NaN(), math.NaN()},
	} {
		ra, err := ParseRA(c.in, c.hours)
		if math.IsNaN(c.ra) {
			if err == nil {
				t.Errorf("ParseRA(%q) = %v, want an error", c.in, ra)
			}
		} else if err != nil || math.Abs(ra-c.ra) > eps*100 {
			t.Errorf("ParseRA(%q, %v) = %v, %v; want %v", c.in, c.hours, ra, err, c.ra)
		}
		dec, err := ParseDec(c.in)
		if math.IsNaN(c.dec) {
			if err == nil {
				t.Errorf("ParseDec(%q) = %v, want an error", c.in, dec)
			}
		} else if err != nil || math.Abs(dec-c.dec) > eps*100 {
			t.Errorf("ParseDec(%q) = %v, %v; want %v", c.in, dec, err, c.dec)
		}
	}
}

func TestFormatAnglesRoundTrip(t *testing.T) {
	for _, c := range []struct {
		ra, dec    float64
		sRA, sDec  string
		backRA, bD float64
	}{
		{83.633083333, -5.391111111, "05:34:31.9", "-05:23:28", 83.6329167, -5.3911111},
		{0, -0.39, "00:00:00.0", "-00:23:24", 0, -0.39},
		{359.9999999, 90, "00:00:00.0", "+90:00:00", 0, 90},
	} {
		if s := formatRA(c.ra); s != c.sRA {
			t.Errorf("formatRA(%v) = %s, want %s", c.ra, s, c.sRA)
		}
		if s := formatDec(c.dec); s != c.sDec {
			t.Errorf("formatDec(%v) = %s, want %s", c.dec, s, c.sDec)
		}
		ra, _ := ParseRA(c.sRA, false)
		dec, _ := ParseDec(c.sDec)
		if math.Abs(ra-c.backRA) > 1e-6 || math.Abs(dec-c.bD) > 1e-6 {
			t.Errorf("%s %s read back as %v %v", c.sRA, c.sDec, ra, dec)
		}
	}
}

// skylistSample is laid out as SkySafari writes lists (the example in
// dso-observations-log's SkylistEntry.php), with a coordinate-only object
// as PiFinder's obslist.py reads them and an object SkySafari names only
// by its ObjectID.
const skylistSample = "\ufeffSkySafariObservingListVersion=3.0\r\n" +
	"SortedBy=Constellation\r\n" +
	"SkyObject=BeginObject\r\n" +
	"\tObjectID=4,0,25\r\n" +
	"\tCommonName=Andromeda Galaxy\r\n" +
	"\tCatalogNumber=M 31\r\n" +
	"\tCatalogNumber=NGC 224\r\n" +
	"\tDateObserved=2.456892452531104e+06\r\n" +
	"EndObject=SkyObject\r\n" +
	"SkyObject=BeginObject\r\n" +
	"    ObjectID=4,-1,-1\r\n" +
	"    CatalogNumber=NGC 404\r\n" +
	"    Comment=Mirach's ghost\r\n" +
	"EndObject=SkyObject\r\n" +
	"SkyObject=BeginObject\r\n" +
	"\tObjectID=4,-1,-1\r\n" +
	"\tEndObjectRA=5.575538889\r\n" +
	"\tEndObjectDec=-5.391111111\r\n" +
	"EndObject=SkyObject\r\n" +
	"SkyObject=BeginObject\r\n" +
	"\tObjectID=9,0,1234\r\n" +
	"EndObject=SkyObject\r\n"

func TestParseSkylist(t *testing.T) {
	tl, err := ParseList(strings.NewReader(skylistSample), "autumn")
	if err != nil {
		t.Fatal(err)
	}
	// JD 2456892.452531104 is 2014-08-22 22:51:38.687 UTC.
	obs := time.Date(2014, 8, 22, 22, 51, 38, 687_384_000, time.UTC)
	want := TargetList{Name: "autumn", Format: FormatSkylist, Skipped: 1, Items: []Item{
		{Target: Target{Name: "Andromeda Galaxy", Designations: []string{"M 31", "NGC 224"}}, Observed: obs},
		{Target: Target{Name: "NGC 404", Designations: []string{"NGC 404"}}, Comment: "Mirach's ghost"},
		{Target: Target{Name: "05:34:31.9 -05:23:28", RA: 83.633083335, Dec: -5.391111111, HasPosition: true}},
	}}
	opts := cmp.Options{cmpopts.EquateApprox(0, 1e-9), cmpopts.EquateApproxTime(time.Millisecond)}
	if d := cmp.Diff(want, tl, opts); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestParseSkylistErrors(t *testing.T) {
	const h = "SkySafariObservingListVersion=3.0\n"
	for _, c := range []struct{ name, in, want string }{
		{"nested", h + "SkyObject=BeginObject\nSkyObject=BeginObject\n", "line 3: SkyObject=BeginObject inside the object begun at line 2"},
		{"end without begin", h + "EndObject=SkyObject\n", "line 2: EndObject=SkyObject without"},
		{"unterminated", h + "SkyObject=BeginObject\n\tCatalogNumber=M 1\n", "line 3: object begun at line 2 has no EndObject"},
		{"no equals", h + "SkyObject=BeginObject\n\tgarbage\nEndObject=SkyObject\n", "line 3: want Key=Value"},
		{"bad RA", h + "SkyObject=BeginObject\n\tEndObjectRA=25\n\tEndObjectDec=0\nEndObject=SkyObject\n", "line 3: EndObjectRA \"25\""},
		{"bad Dec", h + "SkyObject=BeginObject\n\tEndObjectRA=2\n\tEndObjectDec=x\nEndObject=SkyObject\n", "line 4: EndObjectDec"},
		{"RA without Dec", h + "SkyObject=BeginObject\n\tEndObjectRA=2\nEndObject=SkyObject\n", "line 4: object begun at line 2 has only one"},
		{"bad date", h + "SkyObject=BeginObject\n\tCatalogNumber=M 1\n\tDateObserved=soon\nEndObject=SkyObject\n", "line 4: DateObserved \"soon\""},
		{"date out of range", h + "SkyObject=BeginObject\n\tCatalogNumber=M 1\n\tDateObserved=1e300\nEndObject=SkyObject\n", "line 4: DateObserved: julian date"},
		{"property between objects", h + "SkyObject=BeginObject\n\tCatalogNumber=M 1\nEndObject=SkyObject\nCatalogNumber=M 2\n", "line 5: CatalogNumber outside an object"},
		{"control character", h + "SkyObject=BeginObject\n\tCatalogNumber=M\x1b1\nEndObject=SkyObject\n", "line 4: object begun at line 2: invalid: target name has control character"},
		{"only header", h, "no targets"},
		{"only unnamed objects", h + "SkyObject=BeginObject\nEndObject=SkyObject\n", "no targets"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseList(strings.NewReader(c.in), "l")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestParseCSVList(t *testing.T) {
	pos := func(name string, ra, dec float64, ds ...string) Item {
		return Item{Target: Target{Name: name, Designations: ds, RA: ra, Dec: dec, HasPosition: true}}
	}
	named := func(name string, ds ...string) Item { return Item{Target: Target{Name: name, Designations: ds}} }
	for _, c := range []struct {
		name, in string
		want     []Item
	}{
		{"names without header", "M 31\nM 42\n\nNGC 7000\n", []Item{named("M 31"), named("M 42"), named("NGC 7000")}},
		{"names with header", "Name\nM 31\n# a comment\nM 42\n", []Item{named("M 31"), named("M 42")}},
		{"name ra dec degrees", "name,ra,dec\nM 42,83.82,-5.39\n", []Item{pos("M 42", 83.82, -5.39)}},
		{"sexagesimal", "Object,RA,Dec\nM 42,05:35:17.3,-05:23:28\n", []Item{pos("M 42", 83.822083333, -5.391111)}},
		{"ra in hours column", "name;RA (h);Dec (deg)\nM 42;5.588;-5.39\n", []Item{pos("M 42", 83.82, -5.39)}},
		{"semicolon and decimal point", "Target;RA;Dec\nX;10.5;20.25\n", []Item{pos("X", 10.5, 20.25)}},
		{"tabs", "name\tra\tdec\nX\t10\t20\n", []Item{pos("X", 10, 20)}},
		{"only coordinates", "ra,dec\n05:35:17.3,-05:23:28\n", []Item{pos("05:35:17.3 -05:23:28", 83.822083333, -5.391111)}},
		{"names and some positions", "name,ra,dec\nM 31,,\nM 42,83.82,-5.39\n", []Item{named("M 31"), pos("M 42", 83.82, -5.39)}},
		{"quoted, designations and comment", "name,designations,comment\n\"Andromeda, the galaxy\",M 31; NGC 224,\"big\"\n",
			[]Item{{Target: Target{Name: "Andromeda, the galaxy", Designations: []string{"M 31", "NGC 224"}}, Comment: "big"}}},
		{"extra unknown columns", "mag,name,type\n3.4,M 31,Gx\n", []Item{named("M 31")}},
		{"short rows", "name,ra,dec\nM 31\n", []Item{named("M 31")}},
		{"CRLF", "name\r\nM 31\r\n", []Item{named("M 31")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tl, err := ParseList(strings.NewReader(c.in), "l")
			if err != nil {
				t.Fatal(err)
			}
			if tl.Format != FormatCSV {
				t.Errorf("format %s", tl.Format)
			}
			if d := cmp.Diff(c.want, tl.Items, cmpopts.EquateApprox(0, 1e-5)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseCSVListErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"no header, two columns", "M 42,83.8\n", "line 1: no header row"},
		{"ra without dec column", "name,ra\nX,1\n", "line 1: header has an RA column but no Dec"},
		{"dec without ra column", "name,dec\nX,1\n", "line 1: header has a Dec column but no RA"},
		{"only a comment column", "comment\nnice\n", "line 1: header names neither"},
		{"bad RA", "name,ra,dec\nA,1,2\nB,25:00:00,2\n", "line 3: invalid: right ascension \"25:00:00\""},
		{"bad Dec", "name,ra,dec\nA,1,95\n", "line 2: invalid: declination \"95\""},
		{"half a position", "name,ra,dec\nA,1,\n", "line 2: invalid: has only one of RA and Dec"},
		{"nothing in a row", "name,ra,dec,comment\n,,,hello\n", "line 2: invalid: no name and no position"},
		{"bare quote", "name\n\"M 31\n", "line 2"},
		{"quote in field", "name\nM \"31\"\n", "line 2"},
		{"control character", "name\nM\x0731\n", "line 2: invalid: target name has control character"},
		{"not UTF-8", "name\nM\xff31\n", "not UTF-8"},
		{"empty", "", "no targets"},
		{"header only", "name,ra,dec\n", "no targets"},
		{"too many columns", "name" + strings.Repeat(",x", 70) + "\n", "line 1: 71 columns"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseList(strings.NewReader(c.in), "l")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := ParseList(strings.NewReader("M 1\n"), " "); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty list name: %v", err)
	}
}

func TestParseListLimits(t *testing.T) {
	var many strings.Builder
	many.WriteString("name\n")
	for i := range MaxListItems + 1 {
		fmt.Fprintf(&many, "T%d\n", i)
	}
	var sky strings.Builder
	sky.WriteString("SkySafariObservingListVersion=3.0\n")
	for i := range MaxListItems + 1 {
		fmt.Fprintf(&sky, "SkyObject=BeginObject\nCatalogNumber=T%d\nEndObject=SkyObject\n", i)
	}
	huge := "name\n" + strings.Repeat("M 31\n", MaxListBytes/5+1)
	for name, in := range map[string]string{"CSV items": many.String(), "skylist items": sky.String(), "bytes": huge} {
		if len(in) > MaxListBytes && name != "bytes" {
			t.Fatalf("%s: input is %d bytes; the item limit is not what is tested", name, len(in))
		}
		if _, err := ParseList(strings.NewReader(in), "l"); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", name, err)
		}
	}
	// MaxListBytes exactly is fine, one byte more is not.
	long := strings.Repeat("x", 149) + "\n" // few enough lines to stay under MaxListItems
	exact := []byte("name\n" + strings.Repeat(long, (MaxListBytes-5)/len(long)))
	for len(exact) < MaxListBytes {
		exact = append(exact, '\n')
	}
	if _, err := ParseList(bytes.NewReader(exact), "l"); err != nil {
		t.Errorf("%d bytes: %v", len(exact), err)
	}
	if _, err := ParseList(bytes.NewReader(append(exact, '\n')), "l"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d bytes: %v, want ErrTooLarge", len(exact)+1, err)
	}
	// Exactly at the item limit is fine.
	var ok strings.Builder
	ok.WriteString("name\n")
	for i := range MaxListItems {
		fmt.Fprintf(&ok, "T%d\n", i)
	}
	if tl, err := ParseList(strings.NewReader(ok.String()), "l"); err != nil || len(tl.Items) != MaxListItems {
		t.Errorf("%d items: %d, %v", MaxListItems, len(tl.Items), err)
	}
}

func TestSkylistWriteFormat(t *testing.T) {
	obs := time.Date(2014, 8, 22, 22, 51, 38, 687_384_000, time.UTC)
	var b bytes.Buffer
	err := WriteSkylist(&b, TargetList{Items: []Item{
		{Target: Target{Name: "Andromeda Galaxy", Designations: []string{"M 31", "NGC 224"}}, Observed: obs, Comment: "two\nlines"},
		{Target: Target{Name: "M 42", RA: 83.82, Dec: -5.39, HasPosition: true}},
		{Target: Target{Name: "Jupiter"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "SkySafariObservingListVersion=3.0\n" +
		"SkyObject=BeginObject\n" +
		"\tObjectID=4,-1,-1\n" +
		"\tCommonName=Andromeda Galaxy\n" +
		"\tCatalogNumber=M 31\n" +
		"\tCatalogNumber=NGC 224\n" +
		"\tDefaultIndex=0\n" +
		"\tDateObserved=2.456892452531104e+06\n" +
		"\tComment=two lines\n" +
		"EndObject=SkyObject\n" +
		"SkyObject=BeginObject\n" +
		"\tObjectID=4,-1,-1\n" +
		"\tCatalogNumber=M 42\n" +
		"\tDefaultIndex=1\n" +
		"\tEndObjectRA=5.588000000\n" +
		"\tEndObjectDec=-5.390000000\n" +
		"EndObject=SkyObject\n" +
		"SkyObject=BeginObject\n" +
		"\tObjectID=4,-1,-1\n" +
		"\tCommonName=Jupiter\n" +
		"\tDefaultIndex=2\n" +
		"EndObject=SkyObject\n"
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestSkylistRoundTrip(t *testing.T) {
	in, err := ParseList(strings.NewReader(skylistSample), "autumn")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteSkylist(&b, in); err != nil {
		t.Fatal(err)
	}
	out, err := ParseList(&b, "autumn")
	if err != nil {
		t.Fatal(err)
	}
	in.Skipped = 0 // the unnamed object is not written back
	opts := cmp.Options{cmpopts.EquateApprox(0, 1e-9), cmpopts.EquateApproxTime(time.Millisecond)}
	if d := cmp.Diff(in, out, opts); d != "" {
		t.Errorf("(-in +out):\n%s", d)
	}
}

func TestStoredLists(t *testing.T) {
	l := openTemp(t)
	ctx := context.Background()
	a, err := l.ImportList(ctx, strings.NewReader(skylistSample), "autumn.skylist")
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.ImportList(ctx, strings.NewReader("name,ra,dec\nM 42,83.82,-5.39\n"), "winter")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.ImportList(ctx, strings.NewReader("name,ra\n"), "bad"); err == nil {
		t.Error("bad list imported")
	}
	infos, err := l.Lists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantInfos := []ListInfo{
		{ID: a.ID, Name: "autumn.skylist", Format: FormatSkylist, Created: a.Created, Items: 3, Skipped: 1},
		{ID: b.ID, Name: "winter", Format: FormatCSV, Created: b.Created, Items: 1},
	}
	if d := cmp.Diff(wantInfos, infos); d != "" {
		t.Errorf("Lists (-want +got):\n%s", d)
	}
	got, err := l.TargetList(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, got); d != "" {
		t.Errorf("TargetList (-imported +stored):\n%s", d)
	}
	if err := l.DeleteList(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.TargetList(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted list: %v", err)
	}
	if err := l.DeleteList(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	// Its items went with it (ON DELETE CASCADE needs foreign_keys on).
	var n int
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM list_items WHERE list_id = ?", a.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d items of the deleted list left (%v)", n, err)
	}
	if infos, _ := l.Lists(ctx); len(infos) != 1 || infos[0].ID != b.ID {
		t.Errorf("after delete: %+v", infos)
	}
}

// TestCSVQuotingIsInvalid: a CSV that encoding/csv cannot read is bad
// input (ErrInvalid, a 400 through the API), with its line.
func TestCSVQuotingIsInvalid(t *testing.T) {
	_, err := ParseList(strings.NewReader("name\nM 31\nM \"31\n"), "bad")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("ParseList of a bare quote = %v, want ErrInvalid naming line 3", err)
	}
}
