package obslog

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRA reads a right ascension and returns J2000 degrees in [0, 360).
//
//   - A plain number is degrees ("83.633"), or hours when hours is set (a
//     column named "RA (h)") or it ends in h ("5.57h").
//   - Two or three fields are sexagesimal hours, minutes and seconds, with
//     ':', spaces or h/m/s between them ("05:34:31.9", "5h34m31.9s",
//     "05 34 31.9"); with a d or ° they are degrees, minutes, seconds.
func ParseRA(s string, hours bool) (float64, error) {
	a, err := parseAngle(s)
	if err != nil {
		return 0, fmt.Errorf("right ascension %q: %w", s, err)
	}
	if a.neg {
		return 0, fmt.Errorf("right ascension %q: negative", s)
	}
	inHours := a.hourUnit || (!a.degUnit && (a.sexagesimal || hours))
	if inHours {
		if a.value >= 24 {
			return 0, fmt.Errorf("right ascension %q: %v hours is not below 24", s, a.value)
		}
		return a.value * 15, nil
	}
	if a.value >= 360 {
		return 0, fmt.Errorf("right ascension %q: %v degrees is not below 360", s, a.value)
	}
	return a.value, nil
}

// ParseDec reads a declination and returns degrees in [-90, 90]: a plain
// number ("-5.39") or sexagesimal degrees, minutes and seconds with ':',
// spaces or d/°, m/', s/" between them ("-05:23:28", "-5°23'28\"",
// "-00 23 24": the sign belongs to the whole angle, so -00:23 is south).
func ParseDec(s string) (float64, error) {
	a, err := parseAngle(s)
	if err != nil {
		return 0, fmt.Errorf("declination %q: %w", s, err)
	}
	if a.hourUnit {
		return 0, fmt.Errorf("declination %q: hours are not a declination", s)
	}
	if a.value > 90 {
		return 0, fmt.Errorf("declination %q: beyond ±90°", s)
	}
	if a.neg {
		return -a.value, nil
	}
	return a.value, nil
}

type angle struct {
	value             float64 // magnitude in the first field's unit
	neg               bool
	sexagesimal       bool // more than one field
	hourUnit, degUnit bool // an explicit h, or d/°
}

// parseAngle splits s into up to three unsigned decimal fields separated by
// ':', white space or unit marks, and combines them as a, a + b/60 + c/3600.
// Only the last field may have a fraction, and minutes and seconds must be
// below 60.
func parseAngle(s string) (angle, error) {
	var a angle
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "-"):
		a.neg, s = true, s[1:]
	case strings.HasPrefix(s, "−"): // U+2212, as typeset lists write it
		a.neg, s = true, s[len("−"):]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if s == "" {
		return a, fmt.Errorf("empty")
	}
	var fields []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			fields = append(fields, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9' || r == '.':
			cur.WriteRune(r)
		case r == 'h' || r == 'H':
			a.hourUnit = true
			flush()
		case r == 'd' || r == 'D' || r == '°' || r == 'º':
			a.degUnit = true
			flush()
		case r == ':' || r == ' ' || r == '\t' || r == 'm' || r == 'M' || r == 's' || r == 'S' ||
			r == '\'' || r == '"' || r == '′' || r == '″':
			flush()
		default:
			return a, fmt.Errorf("unexpected %q", r)
		}
	}
	flush()
	if len(fields) == 0 || len(fields) > 3 {
		return a, fmt.Errorf("want 1 to 3 numbers, have %d", len(fields))
	}
	if a.hourUnit && a.degUnit {
		return a, fmt.Errorf("both hours and degrees")
	}
	a.sexagesimal = len(fields) > 1
	scale := 1.0
	for i, f := range fields {
		last := i == len(fields)-1
		if !last && strings.Contains(f, ".") {
			return a, fmt.Errorf("only the last field may have a fraction")
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return a, fmt.Errorf("bad number %q", f)
		}
		if i > 0 && v >= 60 {
			return a, fmt.Errorf("%q is not below 60", f)
		}
		a.value += v / scale
		scale *= 60
	}
	return a, nil
}

// formatRA writes degrees as "hh:mm:ss.s" hours: the form observing lists
// and SkySafari's own displays use, and one ParseRA reads back.
func formatRA(deg float64) string {
	t := int64(deg/15*36000 + 0.5) // tenths of a second of time
	t %= 24 * 36000
	return fmt.Sprintf("%02d:%02d:%02d.%d", t/36000, t/600%60, t/10%60, t%10)
}

// formatDec writes degrees as "+dd:mm:ss", sign always shown so -00:23:24
// keeps its sign.
func formatDec(deg float64) string {
	sign := "+"
	if deg < 0 {
		sign, deg = "-", -deg
	}
	t := int64(deg*3600 + 0.5)
	return fmt.Sprintf("%s%02d:%02d:%02d", sign, t/3600, t/60%60, t%60)
}
