package obslog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Header names the CSV importer recognises, folded by columnKey ("RA (deg)"
// → "radeg"). The first matching column of each kind wins. "target",
// "designations", "target_ra_deg", "target_dec_deg" and "notes" are the
// columns ExportCSV writes, so an exported log imports as a target list.
var (
	nameColumns    = set("name", "object", "objectname", "target", "designation", "commonname", "catalognumber")
	desigColumns   = set("designations", "aliases", "alsoknownas", "crossids")
	raColumns      = set("ra", "radeg", "radegrees", "raj2000", "rightascension", "targetradeg", "alpha")
	raHourColumns  = set("rah", "rahours", "rahr", "rahrs", "raj2000h")
	decColumns     = set("dec", "decdeg", "decdegrees", "decj2000", "declination", "de", "decl", "targetdecdeg", "delta")
	commentColumns = set("comment", "comments", "notes", "note", "description")
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// columnKey folds a header cell to letters and digits, lower case.
func columnKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type csvColumns struct {
	name, desig, ra, dec, comment int
	raHours                       bool
}

// findColumns recognises a header row; ok is false if no cell is a column
// name this importer knows.
func findColumns(header []string) (c csvColumns, ok bool) {
	c = csvColumns{name: -1, desig: -1, ra: -1, dec: -1, comment: -1}
	for i, h := range header {
		k := columnKey(h)
		switch {
		case nameColumns[k] && c.name < 0:
			c.name = i
		case desigColumns[k] && c.desig < 0:
			c.desig = i
		case raColumns[k] && c.ra < 0:
			c.ra = i
		case raHourColumns[k] && c.ra < 0:
			c.ra, c.raHours = i, true
		case decColumns[k] && c.dec < 0:
			c.dec = i
		case commentColumns[k] && c.comment < 0:
			c.comment = i
		default:
			continue
		}
		ok = true
	}
	return c, ok
}

// sniffComma picks the delimiter of the first line: the most frequent of
// comma, semicolon (spreadsheets in locales with a decimal comma) and tab.
func sniffComma(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// parseCSVList reads a CSV list of targets. The first row is a header
// naming a name column, or RA and Dec columns, or both (see nameColumns
// and friends); a file with one column and no header is a list of names.
// Errors give the line number.
func parseCSVList(data []byte) ([]Item, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffComma(data)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true

	var items []Item
	var cols csvColumns
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		// FieldPos is only valid after a successful Read.
		line, _ := r.FieldPos(0)
		if len(rec) > maxListFieldsPerLine {
			return nil, fmt.Errorf("line %d: %d columns, at most %d", line, len(rec), maxListFieldsPerLine)
		}
		if first {
			first = false
			var ok bool
			if cols, ok = findColumns(rec); ok {
				if cols.ra >= 0 && cols.dec < 0 {
					return nil, fmt.Errorf("line %d: header has an RA column but no Dec column", line)
				}
				if cols.dec >= 0 && cols.ra < 0 {
					return nil, fmt.Errorf("line %d: header has a Dec column but no RA column", line)
				}
				if cols.name < 0 && cols.ra < 0 {
					return nil, fmt.Errorf("line %d: header names neither a name column nor RA and Dec columns", line)
				}
				continue
			}
			if len(rec) != 1 {
				return nil, fmt.Errorf("line %d: no header row: the first row must name the columns (name, ra, dec)", line)
			}
			cols = csvColumns{name: 0, desig: -1, ra: -1, dec: -1, comment: -1}
		}
		if blank(rec) {
			continue
		}
		it, err := csvItem(rec, cols)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(items) == MaxListItems {
			return nil, fmt.Errorf("line %d: %w: more than %d targets", line, ErrTooLarge, MaxListItems)
		}
		items = append(items, it)
	}
	return items, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func csvItem(rec []string, c csvColumns) (Item, error) {
	var it Item
	it.Target.Name = field(rec, c.name)
	if d := field(rec, c.desig); d != "" {
		for _, x := range strings.Split(d, ";") {
			if x = strings.TrimSpace(x); x != "" {
				it.Target.Designations = append(it.Target.Designations, x)
			}
		}
	}
	ra, dec := field(rec, c.ra), field(rec, c.dec)
	switch {
	case ra != "" && dec != "":
		var err error
		if it.Target.RA, err = ParseRA(ra, c.raHours); err != nil {
			return it, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if it.Target.Dec, err = ParseDec(dec); err != nil {
			return it, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		it.Target.HasPosition = true
	case ra != "" || dec != "":
		return it, fmt.Errorf("%w: has only one of RA and Dec", ErrInvalid)
	}
	if it.Target.Name == "" && len(it.Target.Designations) == 0 {
		if !it.Target.HasPosition {
			return it, fmt.Errorf("%w: no name and no position", ErrInvalid)
		}
		it.Target.Name = formatRA(it.Target.RA) + " " + formatDec(it.Target.Dec)
	}
	it.Comment = strings.TrimSpace(field(rec, c.comment))
	if err := checkNotes(it.Comment); err != nil || len(it.Comment) > maxCommentBytes {
		return it, fmt.Errorf("%w: comment is too long or has control characters", ErrInvalid)
	}
	t, err := it.Target.validate()
	if err != nil {
		return it, err
	}
	it.Target = t
	return it, nil
}
