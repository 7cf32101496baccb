package obslog

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors a caller can test for with errors.Is.
var (
	// ErrNotFound: no entry or list has the given id.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a value given to Add, Update or an importer is out of
	// range or malformed. The wrapping error says which field and why.
	ErrInvalid = errors.New("invalid")
	// ErrTooLarge: an imported list is over MaxListBytes or MaxListItems.
	ErrTooLarge = errors.New("too large")
)

// Limits on what one entry or list may hold. They keep a typo or a hostile
// upload from filling the SD card or the server's memory; real targets and
// notes are far smaller.
const (
	MaxNameBytes         = 200
	MaxDesignations      = 32
	MaxNotesBytes        = 16 << 10
	MaxSourceBytes       = 64
	MaxListNameBytes     = 200
	MaxListBytes         = 1 << 20
	MaxListItems         = 10_000
	maxCommentBytes      = 4 << 10
	maxListFieldsPerLine = 64
)

// Target is what was observed or is to be observed.
type Target struct {
	// Name is what the user sees: "M 31", "Andromeda Galaxy", "NGC 7000".
	Name string
	// Designations are the catalogue numbers ("M 31", "NGC 224"); the
	// SkySafari export writes one CatalogNumber line per designation so
	// SkySafari can find the object in its own catalogues.
	Designations []string
	// RA and Dec are J2000 degrees, meaningful when HasPosition is set (a
	// list imported by name has no position until it is looked up).
	RA, Dec     float64
	HasPosition bool
}

// Site is where the observer stood. The zero Site means "unknown".
type Site struct {
	Lat, Lon float64 // degrees, north and east positive
	AltM     float64 // metres above the ellipsoid or sea level, as the source gives it
	// Source names where the fix came from ("gps", "config", "pifinder").
	// Empty means the site is unknown and the numbers are ignored.
	Source string
}

// Known reports whether the site was recorded.
func (s Site) Known() bool { return s.Source != "" }

// Pointing is the telescope's pointing estimate when the entry was made.
// The zero Pointing means "no estimate" (no solve yet).
type Pointing struct {
	RA, Dec float64 // J2000 degrees
	// Source names the estimate's origin ("solve", "imu", ...). Empty means
	// there was no estimate and RA/Dec are ignored.
	Source string
}

// Known reports whether a pointing estimate was recorded.
func (p Pointing) Known() bool { return p.Source != "" }

// Entry is one "Observed" record.
type Entry struct {
	ID       int64     // assigned by Add; unique and never reused
	Time     time.Time // when it was observed; stored and returned in UTC
	Target   Target
	Site     Site
	Pointing Pointing
	Stars    int    // stars matched by the solve behind Pointing; 0 without one
	Notes    string // free text
}

// validate checks e and returns it normalised (UTC time, trimmed strings).
func (e Entry) validate() (Entry, error) {
	if e.Time.IsZero() {
		return e, fmt.Errorf("%w: time is not set", ErrInvalid)
	}
	e.Time = e.Time.UTC()
	if y := e.Time.Year(); y < 1900 || y > 9999 {
		return e, fmt.Errorf("%w: time %s is outside years 1900-9999", ErrInvalid, e.Time.Format(time.RFC3339))
	}
	t, err := e.Target.validate()
	if err != nil {
		return e, err
	}
	e.Target = t
	if e.Site.Source = strings.TrimSpace(e.Site.Source); e.Site.Known() {
		if err := checkText("site source", e.Site.Source, MaxSourceBytes); err != nil {
			return e, err
		}
		if err := checkRange("site latitude", e.Site.Lat, -90, 90); err != nil {
			return e, err
		}
		if err := checkRange("site longitude", e.Site.Lon, -180, 180); err != nil {
			return e, err
		}
		if err := checkRange("site altitude", e.Site.AltM, -1000, 100_000); err != nil {
			return e, err
		}
	} else {
		e.Site = Site{}
	}
	if e.Pointing.Source = strings.TrimSpace(e.Pointing.Source); e.Pointing.Known() {
		if err := checkText("pointing source", e.Pointing.Source, MaxSourceBytes); err != nil {
			return e, err
		}
		if err := checkRA("pointing RA", e.Pointing.RA); err != nil {
			return e, err
		}
		if err := checkRange("pointing Dec", e.Pointing.Dec, -90, 90); err != nil {
			return e, err
		}
	} else {
		e.Pointing = Pointing{}
	}
	if e.Stars < 0 || e.Stars > 1_000_000 {
		return e, fmt.Errorf("%w: star count %d is out of range", ErrInvalid, e.Stars)
	}
	if err := checkNotes(e.Notes); err != nil {
		return e, err
	}
	return e, nil
}

func (t Target) validate() (Target, error) {
	t.Name = strings.TrimSpace(t.Name)
	var ds []string
	for _, d := range t.Designations {
		if d = strings.TrimSpace(d); d != "" {
			ds = append(ds, d)
		}
	}
	t.Designations = ds
	if t.Name == "" && len(ds) > 0 {
		t.Name = ds[0]
	}
	if t.Name == "" {
		return t, fmt.Errorf("%w: target has no name", ErrInvalid)
	}
	if err := checkText("target name", t.Name, MaxNameBytes); err != nil {
		return t, err
	}
	if len(ds) > MaxDesignations {
		return t, fmt.Errorf("%w: target has %d designations, at most %d", ErrInvalid, len(ds), MaxDesignations)
	}
	for _, d := range ds {
		if err := checkText("designation", d, MaxNameBytes); err != nil {
			return t, err
		}
		// Designations are stored one per line.
		if strings.ContainsAny(d, "\n\r") {
			return t, fmt.Errorf("%w: designation %q has a line break", ErrInvalid, d)
		}
	}
	if t.HasPosition {
		if err := checkRA("target RA", t.RA); err != nil {
			return t, err
		}
		if err := checkRange("target Dec", t.Dec, -90, 90); err != nil {
			return t, err
		}
	} else {
		t.RA, t.Dec = 0, 0
	}
	return t, nil
}

func checkRange(what string, v, lo, hi float64) error {
	if math.IsNaN(v) || v < lo || v > hi {
		return fmt.Errorf("%w: %s %v is outside [%v, %v]", ErrInvalid, what, v, lo, hi)
	}
	return nil
}

func checkRA(what string, v float64) error {
	if math.IsNaN(v) || v < 0 || v >= 360 {
		return fmt.Errorf("%w: %s %v is outside [0, 360)", ErrInvalid, what, v)
	}
	return nil
}

// checkText rejects what a one-line field must not hold: invalid UTF-8,
// control characters (a NUL or an escape sequence in a name would garble
// the CSV, the skylist and a terminal) and more than max bytes.
func checkText(what, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrInvalid, what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: %s has control character %U", ErrInvalid, what, r)
		}
	}
	return nil
}

// checkNotes is checkText for multi-line text: tabs and line breaks are fine.
func checkNotes(s string) error {
	if len(s) > MaxNotesBytes {
		return fmt.Errorf("%w: notes are %d bytes, at most %d", ErrInvalid, len(s), MaxNotesBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: notes are not valid UTF-8", ErrInvalid)
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			return fmt.Errorf("%w: notes have control character %U", ErrInvalid, r)
		}
	}
	return nil
}
