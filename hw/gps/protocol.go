package gps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// The client speaks gpsd's JSON protocol as gpsd_json(5) describes it
// (gpsd.io/gpsd_json.html): one request line, ?WATCH={"enable":true,"json":true},
// turns on watcher mode; gpsd then sends one JSON object per line, each with
// a "class". Only TPV (time-position-velocity) and SKY (satellites) carry
// what the finder needs; VERSION, DEVICES, WATCH and the rest are skipped,
// ERROR is reported.

// WatchRequest is the line that starts the JSON report stream.
const WatchRequest = `?WATCH={"enable":true,"json":true}` + "\n"

// MaxLineLen bounds one report line. gpsd's largest objects (a SKY report
// with every satellite of four constellations) stay under 10 kB; a longer
// line is not gpsd talking.
const MaxLineLen = 64 << 10

// Report is one decoded line: a TPV or a SKY report, or neither (Class
// names what it was).
type Report struct {
	Class string
	TPV   *TPV
	SKY   *SKY
}

// TPV is a time-position-velocity report, the fields the finder uses.
type TPV struct {
	// Mode is the NMEA fix mode: 0 unknown, 1 no fix, 2 2-D, 3 3-D.
	Mode    int
	Time    time.Time // zero when absent
	Lat     float64   // degrees, north positive
	Lon     float64   // degrees, east positive
	HasPos  bool      // lat and lon both present
	AltMSL  float64   // metres above mean sea level
	HasAlt  bool
	EphM    float64 // horizontal error estimate, metres (95 %); 0 when absent
	EpvM    float64 // vertical error estimate, metres; 0 when absent
	Device  string
	HasTime bool
}

// SKY is a satellite report: how many the receiver sees and how many it
// uses in its fix.
type SKY struct {
	Seen, Used int
	// HasCounts is false for a SKY report without a satellite list or
	// counts (gpsd sends such reports with only the dilutions).
	HasCounts bool
}

// Errors of ParseReport.
var (
	ErrNotJSON   = errors.New("gps: not a JSON object")
	ErrBadReport = errors.New("gps: bad report")
)

// GpsdError is an ERROR report from gpsd (a refused request, for one).
type GpsdError struct{ Message string }

func (e *GpsdError) Error() string { return "gpsd: " + e.Message }

// wire forms. Pointers tell absent fields from zeros: gpsd omits what the
// receiver did not report (a 2-D fix has no altitude, for one).
type wireTPV struct {
	Device string   `json:"device"`
	Mode   *int     `json:"mode"`
	Time   *string  `json:"time"`
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
	// Altitudes: altMSL and altHAE since gpsd 3.20; alt before (MSL,
	// deprecated since). MSL is what a site's altitude means.
	AltMSL *float64 `json:"altMSL"`
	AltHAE *float64 `json:"altHAE"`
	Alt    *float64 `json:"alt"`
	Eph    *float64 `json:"eph"`
	Epv    *float64 `json:"epv"`
}

type wireSKY struct {
	NSat       *int `json:"nSat"` // gpsd 3.23 and later
	USat       *int `json:"uSat"`
	Satellites []struct {
		Used bool `json:"used"`
	} `json:"satellites"`
}

// ParseReport decodes one line of gpsd output. A line of another class is
// returned with only Class set; a malformed line, or a TPV or SKY whose
// values are impossible (a mode beyond 3, a latitude beyond the poles, a
// time that does not parse), is an error wrapping ErrBadReport or
// ErrNotJSON, as is an ERROR report (a *GpsdError).
func ParseReport(line []byte) (Report, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return Report{}, ErrNotJSON
	}
	var head struct {
		Class   string `json:"class"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return Report{}, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	r := Report{Class: head.Class}
	switch head.Class {
	case "TPV":
		t, err := parseTPV(line)
		if err != nil {
			return Report{}, err
		}
		r.TPV = &t
	case "SKY":
		s, err := parseSKY(line)
		if err != nil {
			return Report{}, err
		}
		r.SKY = &s
	case "ERROR":
		return r, &GpsdError{Message: head.Message}
	case "":
		return Report{}, fmt.Errorf("%w: no class", ErrBadReport)
	}
	return r, nil
}

func parseTPV(line []byte) (TPV, error) {
	var w wireTPV
	if err := json.Unmarshal(line, &w); err != nil {
		return TPV{}, fmt.Errorf("%w: TPV: %v", ErrBadReport, err)
	}
	t := TPV{Device: w.Device}
	if w.Mode != nil {
		if *w.Mode < 0 || *w.Mode > 3 {
			return TPV{}, fmt.Errorf("%w: TPV mode %d", ErrBadReport, *w.Mode)
		}
		t.Mode = *w.Mode
	}
	if w.Time != nil {
		ts, err := time.Parse(time.RFC3339Nano, *w.Time)
		if err != nil {
			return TPV{}, fmt.Errorf("%w: TPV time %q", ErrBadReport, *w.Time)
		}
		t.Time, t.HasTime = ts.UTC(), true
	}
	if w.Lat != nil && w.Lon != nil {
		if !(*w.Lat >= -90 && *w.Lat <= 90) || !(*w.Lon >= -180 && *w.Lon <= 180) {
			return TPV{}, fmt.Errorf("%w: TPV position %g, %g", ErrBadReport, *w.Lat, *w.Lon)
		}
		t.Lat, t.Lon, t.HasPos = *w.Lat, *w.Lon, true
	}
	for _, a := range []*float64{w.AltMSL, w.Alt} {
		if a != nil {
			if !(math.Abs(*a) < 1e6) {
				return TPV{}, fmt.Errorf("%w: TPV altitude %g", ErrBadReport, *a)
			}
			t.AltMSL, t.HasAlt = *a, true
			break
		}
	}
	if w.Eph != nil {
		if !(*w.Eph >= 0 && *w.Eph < 1e7) {
			return TPV{}, fmt.Errorf("%w: TPV eph %g", ErrBadReport, *w.Eph)
		}
		t.EphM = *w.Eph
	}
	if w.Epv != nil {
		if !(*w.Epv >= 0 && *w.Epv < 1e7) {
			return TPV{}, fmt.Errorf("%w: TPV epv %g", ErrBadReport, *w.Epv)
		}
		t.EpvM = *w.Epv
	}
	return t, nil
}

// maxSats bounds the satellite counts: four constellations have fewer
// than 150 satellites between them.
const maxSats = 1000

func parseSKY(line []byte) (SKY, error) {
	var w wireSKY
	if err := json.Unmarshal(line, &w); err != nil {
		return SKY{}, fmt.Errorf("%w: SKY: %v", ErrBadReport, err)
	}
	var s SKY
	if w.Satellites != nil {
		s.Seen, s.HasCounts = len(w.Satellites), true
		for _, sat := range w.Satellites {
			if sat.Used {
				s.Used++
			}
		}
	}
	// The counts, where gpsd gives them, win: a report may list only the
	// satellites that changed.
	if w.NSat != nil {
		s.Seen, s.HasCounts = *w.NSat, true
	}
	if w.USat != nil {
		s.Used, s.HasCounts = *w.USat, true
	}
	if s.Seen < 0 || s.Used < 0 || s.Seen > maxSats || s.Used > maxSats {
		return SKY{}, fmt.Errorf("%w: SKY counts %d seen, %d used", ErrBadReport, s.Seen, s.Used)
	}
	return s, nil
}
