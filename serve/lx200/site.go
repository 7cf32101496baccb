package lx200

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Site and time commands, as the Meade Telescope Serial Command Protocol
// (Meade LX200 Classic manual and Autostar/LX200GPS command reference)
// defines them:
//
//	:StsDD*MM#      site latitude                       → 1 valid, 0 invalid
//	:SgDDD*MM#      site longitude, west positive       → 1 / 0
//	:SGsHH.H#       UTC offset: hours to add to local
//	                time to get UTC                     → 1 / 0
//	:SLHH:MM:SS#    local time, 24-hour                 → 1 / 0
//	:SCMM/DD/YY#    local date                          → 1 + two strings / 0
//	:Gt# sDD*MM#    :Gg# sDDD*MM# (east negative)
//	:GG# sHH# or sHH.H#   :GL# HH:MM:SS#   :GC# MM/DD/YY#
//
// A space may follow the command letters (SkySafari and the Sky Sensor
// 2000 send ":Sg 355*39#"), the degree mark may be '*', ':' or Meade's
// 0xDF, and seconds may follow the minutes (INDI's lx200 driver sends
// ":St+47:56:00#").

// dateReply is what a Meade LX200 answers to a valid :SC: "1", then two
// '#'-terminated 32-character lines of its hand-controller display. SkySafari
// waits for them; an answer of "1" or "1#" alone costs it a long timeout at
// connection (OnStepX issue #58, where the original reply was measured).
const dateReply = "1Updating        planetary data. #                                #"

// syncReply is the answer to :CM#. A Meade LX200 answers with the name of
// the object synced, a '#'-terminated string; Autostar and the LX200GPS
// answer this fixed string (Meade's command reference), which every LX200
// client accepts.
const syncReply = "M31 EX GAL MAG 3.5 SZ178.0'#"

// ParseLatitude parses the argument of :St: "sDD*MM", "sDD*MM:SS" or
// "sDD:MM:SS", with an optional leading space. It returns degrees, north
// positive.
func ParseLatitude(s string) (float64, error) {
	v, err := ParseDec(s)
	if err != nil {
		return 0, fmt.Errorf("lx200: latitude %q: %w", s, err)
	}
	return v, nil
}

// ParseLongitude parses the argument of :Sg: "DDD*MM" or "DDD*MM:SS",
// west positive (0 to 360, as Meade counts), or with a sign (-180 to 180,
// still west positive). It returns degrees east positive in (-180, 180].
func ParseLongitude(s string) (float64, error) {
	body := strings.TrimPrefix(s, " ")
	neg := false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	i := 0
	for i < len(body) && i < 3 && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("lx200: longitude %q: want degrees", s)
	}
	deg, _ := strconv.Atoi(body[:i])
	// The minutes (and seconds) parse as a declination's would, after the
	// degrees are replaced by a two-digit zero.
	rest, err := parseSexagesimal("00"+body[i:], "*:'\xdf", 0)
	if err != nil || body[i:] == "" {
		return 0, fmt.Errorf("lx200: longitude %q: bad minutes", s)
	}
	west := float64(deg) + rest
	if neg {
		west = -west
	}
	if west > 360 || neg && west < -180 {
		return 0, fmt.Errorf("lx200: longitude %q: out of range", s)
	}
	east := math.Mod(-west, 360)
	switch {
	case east <= -180:
		east += 360
	case east > 180:
		east -= 360
	}
	return east, nil
}

// ParseUTCOffset parses the argument of :SG: "sHH", "sHH.H" (the sign may
// be left out, the hours may have one digit). It returns hours to add to
// local time to get UTC, within ±14 (no zone is further from UTC).
func ParseUTCOffset(s string) (float64, error) {
	body := strings.TrimPrefix(s, " ")
	digits := strings.TrimLeft(body, "+-")
	if len(body)-len(digits) > 1 || digits == "" || digits[0] < '0' || digits[0] > '9' {
		return 0, fmt.Errorf("lx200: UTC offset %q: want sHH.H", s)
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil || strings.ContainsAny(body, "eEnNxXpP_") || !(math.Abs(v) <= 14) {
		return 0, fmt.Errorf("lx200: UTC offset %q: want -14 to +14 hours", s)
	}
	return v, nil
}

// ParseLocalTime parses the argument of :SL: "HH:MM:SS", 24-hour. It
// returns the time since midnight.
func ParseLocalTime(s string) (time.Duration, error) {
	body := strings.TrimPrefix(s, " ")
	if len(body) != 8 || body[2] != ':' || body[5] != ':' {
		return 0, fmt.Errorf("lx200: local time %q: want HH:MM:SS", s)
	}
	h, okh := twoDigits(body[0:2])
	m, okm := twoDigits(body[3:5])
	sec, oks := twoDigits(body[6:8])
	if !okh || !okm || !oks || h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("lx200: local time %q: out of range", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second, nil
}

// ParseDate parses the argument of :SC: "MM/DD/YY" (20YY) or "MM/DD/YYYY".
// It returns midnight of that date in UTC (a calendar date, not an instant).
func ParseDate(s string) (time.Time, error) {
	body := strings.TrimPrefix(s, " ")
	if (len(body) != 8 && len(body) != 10) || body[2] != '/' || body[5] != '/' {
		return time.Time{}, fmt.Errorf("lx200: date %q: want MM/DD/YY", s)
	}
	mo, ok1 := twoDigits(body[0:2])
	d, ok2 := twoDigits(body[3:5])
	y, err := strconv.Atoi(body[6:])
	if !ok1 || !ok2 || err != nil || y < 0 || body[6] == '+' || body[6] == '-' {
		return time.Time{}, fmt.Errorf("lx200: date %q: want digits", s)
	}
	if len(body) == 8 {
		y += 2000
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return time.Time{}, fmt.Errorf("lx200: date %q: no such day", s)
	}
	return t, nil
}

func twoDigits(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// FormatLatitude formats degrees as :Gt# answers: "sDD*MM#".
func FormatLatitude(deg float64) string {
	if math.IsNaN(deg) {
		deg = 0
	}
	m := int64(math.Round(math.Min(math.Abs(deg), 90) * 60))
	sign := byte('+')
	if deg < 0 && m > 0 {
		sign = '-'
	}
	return fmt.Sprintf("%c%02d*%02d#", sign, m/60, m%60)
}

// FormatLongitude formats degrees east as :Gg# answers: "sDDD*MM#", west
// positive (Meade: "East Longitudes are expressed as negative").
func FormatLongitude(east float64) string {
	if math.IsNaN(east) || math.IsInf(east, 0) {
		east = 0
	}
	west := math.Mod(-east, 360)
	switch {
	case west <= -180:
		west += 360
	case west > 180:
		west -= 360
	}
	m := int64(math.Round(math.Abs(west) * 60))
	sign := byte('+')
	if west < 0 && m > 0 {
		sign = '-'
	}
	return fmt.Sprintf("%c%03d*%02d#", sign, m/60, m%60)
}

// FormatUTCOffset formats hours as :GG# answers: "sHH#" for whole hours,
// "sHH.H#" otherwise.
func FormatUTCOffset(h float64) string {
	t := math.Round(h * 10)
	sign := byte('+')
	if t < 0 {
		sign, t = '-', -t
	}
	if int64(t)%10 == 0 {
		return fmt.Sprintf("%c%02d#", sign, int64(t)/10)
	}
	return fmt.Sprintf("%c%02d.%d#", sign, int64(t)/10, int64(t)%10)
}
