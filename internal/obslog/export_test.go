package obslog

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func addSome(t *testing.T, l *Log) []Entry {
	t.Helper()
	ctx := context.Background()
	in := []Entry{
		m31(t0),
		{Time: t0.Add(time.Hour), Target: Target{Name: "M 42", RA: 83.82208, Dec: -5.39111, HasPosition: true},
			Notes: `quotes " and, commas`},
		{Time: t0.Add(2 * time.Hour), Target: Target{Name: "Jupiter"}, Site: Site{Lat: -33.9, Lon: 18.4, Source: "config"}},
	}
	var out []Entry
	for _, e := range in {
		e, err := l.Add(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestExportCSV(t *testing.T) {
	l := openTemp(t)
	es := addSome(t, l)
	var b bytes.Buffer
	if err := l.ExportCSV(context.Background(), &b, Filter{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v\n%s", err, b.String())
	}
	if d := cmp.Diff(csvHeader, recs[0]); d != "" {
		t.Errorf("header (-want +got):\n%s", d)
	}
	want := [][]string{
		{"1", "2025-06-28T04:30:00Z", "Andromeda Galaxy", "M 31;NGC 224", "10.6847", "41.2687",
			"41.13", "-120.97", "1315", "gps", "10.7", "41.25", "solve", "23", "Dust lane visible\nwith averted vision"},
		{"2", "2025-06-28T05:30:00Z", "M 42", "", "83.82208", "-5.39111", "", "", "", "", "", "", "", "0", `quotes " and, commas`},
		{"3", "2025-06-28T06:30:00Z", "Jupiter", "", "", "", "-33.9", "18.4", "0", "config", "", "", "", "0", ""},
	}
	if d := cmp.Diff(want, recs[1:]); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}

	// The export comes back as a target list with the same targets.
	tl, err := ParseList(bytes.NewReader(b.Bytes()), "export")
	if err != nil {
		t.Fatal(err)
	}
	var targets []Target
	for _, it := range tl.Items {
		targets = append(targets, it.Target)
	}
	var wantTargets []Target
	for _, e := range es {
		wantTargets = append(wantTargets, e.Target)
	}
	if d := cmp.Diff(wantTargets, targets); d != "" {
		t.Errorf("CSV round trip (-want +got):\n%s", d)
	}
	if tl.Items[1].Comment != `quotes " and, commas` {
		t.Errorf("notes came back as %q", tl.Items[1].Comment)
	}
}

func TestExportSkylist(t *testing.T) {
	l := openTemp(t)
	es := addSome(t, l)
	ctx := context.Background()
	var b bytes.Buffer
	if err := l.ExportSkylist(ctx, &b, Filter{Newest: true, Limit: 2}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "SkySafariObservingListVersion=3.0\nSkyObject=BeginObject\n") {
		t.Errorf("export starts %q", b.String()[:60])
	}
	tl, err := ParseList(&b, "back")
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Target: Target{Name: "Jupiter"}, Observed: es[2].Time},
		{Target: es[1].Target, Observed: es[1].Time, Comment: es[1].Notes},
	}
	// "M 42" is written as its CatalogNumber and read back as one.
	want[1].Target.Designations = []string{"M 42"}
	// EndObjectRA has 9 decimals of an hour: 1.5e-8°.
	opts := cmp.Options{cmpopts.EquateApprox(0, 1e-7), cmpopts.EquateApproxTime(time.Millisecond)}
	if d := cmp.Diff(want, tl.Items, opts); d != "" {
		t.Errorf("skylist round trip (-want +got):\n%s", d)
	}

	// A stored list exports and re-imports unchanged.
	stored, err := l.ImportList(ctx, strings.NewReader(skylistSample), "s")
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := WriteSkylist(&b, stored); err != nil {
		t.Fatal(err)
	}
	again, err := ParseList(&b, "s")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(stored.Items, again.Items, opts); d != "" {
		t.Errorf("stored list round trip (-want +got):\n%s", d)
	}
}
