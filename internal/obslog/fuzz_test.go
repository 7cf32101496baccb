package obslog

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var listSeeds = []string{
	skylistSample,
	"SkySafariObservingListVersion=3.0\nSkyObject=BeginObject\n\tCatalogNumber=M 1\nEndObject=SkyObject\n",
	"SkySafariObservingListVersion=3.0\nSkyObject=BeginObject\nSkyObject=BeginObject\n",
	"SkySafariObservingListVersion=3.0\nSkyObject=BeginObject\n\tEndObjectRA=23.99\n\tEndObjectDec=-90\n\tDateObserved=2.4e6\nEndObject=SkyObject\n",
	"M 31\nM 42\n",
	"name,ra,dec\nM 42,05:35:17.3,-05:23:28\n",
	"name;RA (h);Dec\nX;5.5;-0:30\n",
	"ra,dec\n83.8,-5.4\n",
	"name,designations,comment\n\"a, b\",M 1;M 2,\"multi\nline\"\n",
	"name\n\"unterminated\n",
	"\ufeffname\r\nM 31\r\n",
	"",
}

// FuzzImportList feeds ParseList arbitrary bytes: it must never panic, any
// error must be a plain error, and a list it accepts must survive being
// written as a skylist and read back with the same names and positions.
func FuzzImportList(f *testing.F) {
	for _, s := range listSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tl, err := ParseList(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		if len(tl.Items) == 0 || len(tl.Items) > MaxListItems {
			t.Fatalf("accepted %d items", len(tl.Items))
		}
		for _, it := range tl.Items {
			if _, err := it.Target.validate(); err != nil {
				t.Fatalf("accepted an invalid target %+v: %v", it.Target, err)
			}
		}
		checkSkylistRoundTrip(t, tl)
	})
}

func checkSkylistRoundTrip(t *testing.T, tl TargetList) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSkylist(&b, tl); err != nil {
		t.Fatal(err)
	}
	back, err := ParseList(&b, "again")
	if err != nil {
		t.Fatalf("own skylist does not parse: %v\n%s", err, b.String())
	}
	if len(back.Items) != len(tl.Items) {
		t.Fatalf("%d items back from %d", len(back.Items), len(tl.Items))
	}
	for i, it := range tl.Items {
		got := back.Items[i].Target
		if got.Name != it.Target.Name || got.HasPosition != it.Target.HasPosition ||
			abs(got.RA-it.Target.RA) > 1e-6 || abs(got.Dec-it.Target.Dec) > 1e-6 {
			t.Fatalf("item %d: %+v came back as %+v", i, it.Target, got)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// FuzzSkylist drives the skylist reader on its own (behind the header the
// detector wants), so the fuzzer spends its time inside objects.
func FuzzSkylist(f *testing.F) {
	for _, s := range listSeeds {
		if strings.HasPrefix(s, skylistHeader) {
			f.Add(strings.TrimPrefix(s, "SkySafariObservingListVersion=3.0\n"))
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		items, skipped, err := parseSkylist([]byte(skylistHeader + "3.0\n" + body))
		if err != nil {
			if errors.Is(err, ErrTooLarge) && len(items) != 0 {
				t.Fatal("items returned with an error")
			}
			return
		}
		if skipped < 0 {
			t.Fatal("negative skipped")
		}
		if len(items) > 0 {
			checkSkylistRoundTrip(t, TargetList{Items: items})
		}
	})
}

// FuzzCSVList drives the CSV reader on its own.
func FuzzCSVList(f *testing.F) {
	for _, s := range listSeeds {
		if !strings.HasPrefix(s, skylistHeader) {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := parseCSVList([]byte(s))
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Target.HasPosition && (it.Target.RA < 0 || it.Target.RA >= 360 || it.Target.Dec < -90 || it.Target.Dec > 90) {
				t.Fatalf("position out of range: %+v", it.Target)
			}
		}
	})
}

// FuzzParseAngle: ParseRA and ParseDec never panic and stay in range.
func FuzzParseAngle(f *testing.F) {
	for _, s := range []string{"05:34:31.9", "-00:23:24", "83.6", "5h34m", "−0°23′24″", "1:2:3:4", "+", "..."} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, hours bool) {
		if ra, err := ParseRA(s, hours); err == nil && (ra < 0 || ra >= 360 || ra != ra) {
			t.Fatalf("ParseRA(%q) = %v", s, ra)
		}
		if dec, err := ParseDec(s); err == nil && (dec < -90 || dec > 90 || dec != dec) {
			t.Fatalf("ParseDec(%q) = %v", s, dec)
		}
	})
}

// FuzzPiFinderRow: the per-row conversion of an imported PiFinder row
// never panics and yields a valid entry or a skip.
func FuzzPiFinderRow(f *testing.F) {
	f.Add("1719550123.25", "M", "31", `{"RA": 10.7, "Dec": 41.25, "Matches": 17, "solve_source": "CAM"}`, `{"Seeing": "Good"}`)
	f.Add("2020-09-13 12:30:00", "NGC", "7000", `{}`, `"x"`)
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, when, catalog, seq, solution, notes string) {
		e, ok := piFinderEntry(when, catalog, seq, solution, notes)
		if !ok {
			return
		}
		if _, err := e.validate(); err != nil {
			t.Fatalf("entry from (%q %q %q %q %q) invalid: %v", when, catalog, seq, solution, notes, err)
		}
	})
}
