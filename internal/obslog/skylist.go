package obslog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The SkySafari observing list (.skylist) format, as SkySafari writes it
// and as PiFinder reads and writes it (PiFinder python/PiFinder/obslist.py):
//
//	SkySafariObservingListVersion=3.0
//	SortedBy=Constellation            (optional header lines)
//	SkyObject=BeginObject
//		ObjectID=4,0,25
//		CommonName=Andromeda Galaxy
//		CatalogNumber=M 31            (one or more)
//		CatalogNumber=NGC 224
//		DateObserved=2.456892452531104e+06   (Julian date)
//		Comment=...
//	EndObject=SkyObject
//
// The DateObserved form is SkySafari's own (a Julian date in %e notation;
// the example list in the header comment of dso-observations-log's
// SkylistEntry.php). PiFinder's reader also takes EndObjectRA (decimal
// hours) and EndObjectDec (decimal degrees), J2000, for objects that
// SkySafari cannot look up by catalogue number, and PiFinder's writer tags
// every object ObjectID=4,-1,-1 and numbers them with DefaultIndex, which
// lets SkySafari resolve the object from its CatalogNumber lines.
const (
	skylistHeader = "SkySafariObservingListVersion="
	skylistBegin  = "SkyObject=BeginObject"
	skylistEnd    = "EndObject=SkyObject"
	// julianUnixEpoch is the Julian date of 1970-01-01T00:00:00 UTC.
	julianUnixEpoch = 2440587.5
)

func julianDate(t time.Time) float64 {
	return float64(t.UnixMicro())/86400e6 + julianUnixEpoch
}

func fromJulianDate(jd float64) (time.Time, error) {
	// 1900-01-01 .. 9999-12-31, the years an Entry may have.
	if math.IsNaN(jd) || jd < 2415020.5 || jd > 5373484.5 {
		return time.Time{}, fmt.Errorf("julian date %v is outside years 1900-9999", jd)
	}
	us := math.Round((jd - julianUnixEpoch) * 86400e6)
	return time.UnixMicro(int64(us)).UTC(), nil
}

// isSkylist reports whether data's first non-blank line is the skylist
// header.
func isSkylist(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return bytes.HasPrefix(data, []byte(skylistHeader))
}

// parseSkylist reads a .skylist. Objects with neither a name nor a
// position are counted in skipped rather than failing the list: SkySafari
// can list objects (say, a satellite) that it names only by its own ObjectID.
func parseSkylist(data []byte) (items []Item, skipped int, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxListBytes)
	var (
		line, begin     int
		in, seenHeader  bool
		it              Item
		common          string
		raSet, decSet   bool
		raHours, decDeg float64
	)
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if s == "" {
			continue
		}
		if !seenHeader {
			if !strings.HasPrefix(s, skylistHeader) {
				return nil, 0, fmt.Errorf("line %d: want %s..., have %q", line, skylistHeader, clip(s))
			}
			seenHeader = true
			continue
		}
		switch s {
		case skylistBegin:
			if in {
				return nil, 0, fmt.Errorf("line %d: %s inside the object begun at line %d", line, skylistBegin, begin)
			}
			in, begin = true, line
			it, common, raSet, decSet = Item{}, "", false, false
			continue
		case skylistEnd:
			if !in {
				return nil, 0, fmt.Errorf("line %d: %s without %s", line, skylistEnd, skylistBegin)
			}
			in = false
			if raSet != decSet {
				return nil, 0, fmt.Errorf("line %d: object begun at line %d has only one of EndObjectRA and EndObjectDec", line, begin)
			}
			if raSet {
				it.Target.RA, it.Target.Dec, it.Target.HasPosition = raHours*15, decDeg, true
			}
			it.Target.Name = common
			if it.Target.Name == "" && len(it.Target.Designations) > 0 {
				it.Target.Name = it.Target.Designations[0]
			}
			if it.Target.Name == "" && it.Target.HasPosition {
				it.Target.Name = formatRA(it.Target.RA) + " " + formatDec(it.Target.Dec)
			}
			if it.Target.Name == "" {
				skipped++
				continue
			}
			t, err := it.Target.validate()
			if err != nil {
				return nil, 0, fmt.Errorf("line %d: object begun at line %d: %w", line, begin, err)
			}
			it.Target = t
			if len(items) == MaxListItems {
				return nil, 0, fmt.Errorf("line %d: %w: more than %d objects", line, ErrTooLarge, MaxListItems)
			}
			items = append(items, it)
			continue
		}
		key, val, ok := strings.Cut(s, "=")
		if !ok {
			return nil, 0, fmt.Errorf("line %d: want Key=Value, have %q", line, clip(s))
		}
		val = strings.TrimSpace(val)
		if !in {
			// Header lines (SortedBy=...) come before the first object.
			if len(items) > 0 || skipped > 0 {
				return nil, 0, fmt.Errorf("line %d: %s outside an object", line, key)
			}
			continue
		}
		switch key {
		case "CommonName":
			if common == "" {
				common = val
			}
		case "CatalogNumber":
			if val != "" {
				it.Target.Designations = append(it.Target.Designations, val)
			}
		case "Comment":
			if err := checkText("comment", val, maxCommentBytes); err != nil {
				return nil, 0, fmt.Errorf("line %d: %w", line, err)
			}
			it.Comment = val
		case "DateObserved":
			jd, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return nil, 0, fmt.Errorf("line %d: DateObserved %q is not a number", line, clip(val))
			}
			if it.Observed, err = fromJulianDate(jd); err != nil {
				return nil, 0, fmt.Errorf("line %d: DateObserved: %w", line, err)
			}
		case "EndObjectRA":
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || math.IsNaN(v) || v < 0 || v >= 24 {
				return nil, 0, fmt.Errorf("line %d: EndObjectRA %q is not hours in [0, 24)", line, clip(val))
			}
			raHours, raSet = v, true
		case "EndObjectDec":
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || math.IsNaN(v) || v < -90 || v > 90 {
				return nil, 0, fmt.Errorf("line %d: EndObjectDec %q is not degrees in [-90, 90]", line, clip(val))
			}
			decDeg, decSet = v, true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("line %d: %w", line+1, err)
	}
	if !seenHeader {
		return nil, 0, fmt.Errorf("empty: no %s line", skylistHeader)
	}
	if in {
		return nil, 0, fmt.Errorf("line %d: object begun at line %d has no %s", line, begin, skylistEnd)
	}
	return items, skipped, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// writeSkylist writes items as a .skylist in the layout SkySafari writes:
// tab-indented properties, one CatalogNumber per designation.
func writeSkylist(w io.Writer, items []Item) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(skylistHeader + "3.0\n")
	for i, it := range items {
		t := it.Target
		bw.WriteString(skylistBegin + "\n")
		bw.WriteString("\tObjectID=4,-1,-1\n")
		cat := t.Designations
		if len(cat) == 0 && hasDigit(t.Name) && !strings.Contains(t.Name, ":") {
			// "M 31" with no designation list is itself a catalogue
			// number; "Andromeda Galaxy" is a common name, and so is a
			// name made of coordinates ("05:34:31.9 -05:23:28").
			cat = []string{t.Name}
		}
		if !contains(cat, t.Name) {
			fmt.Fprintf(bw, "\tCommonName=%s\n", oneLine(t.Name))
		}
		for _, d := range cat {
			fmt.Fprintf(bw, "\tCatalogNumber=%s\n", oneLine(d))
		}
		fmt.Fprintf(bw, "\tDefaultIndex=%d\n", i)
		if !it.Observed.IsZero() {
			fmt.Fprintf(bw, "\tDateObserved=%.15e\n", julianDate(it.Observed))
		}
		if c := oneLine(it.Comment); c != "" {
			fmt.Fprintf(bw, "\tComment=%s\n", c)
		}
		if t.HasPosition {
			// 9 decimals of an hour is 0.05 mas: the round trip is exact
			// to far below anything a finder can point.
			fmt.Fprintf(bw, "\tEndObjectRA=%.9f\n\tEndObjectDec=%.9f\n", t.RA/15, t.Dec)
		}
		bw.WriteString(skylistEnd + "\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write skylist: %w", err)
	}
	return nil
}

// oneLine folds line breaks and tabs to spaces: the format is one property
// per line.
func oneLine(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }), " ")
	return strings.TrimSpace(s)
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
