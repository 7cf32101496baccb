package gps

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/hw/gps/gpstest"
)

var update = flag.Bool("update", false, "rewrite the NMEA logs in testdata/nmea")

// The site of the NMEA logs: 50°51′ N, 4°21′ E, 76 m (MSL).
const (
	logLat, logLon, logAlt = 50.85, 4.35, 76.0
)

// logStart is the first epoch of every log, 2026-03-15 20:30:00 UTC.
var logStart = time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC)

func epochs(from time.Time, n, mode, seen, used int, hdop float64) []gpstest.Epoch {
	out := make([]gpstest.Epoch, n)
	for i := range out {
		out[i] = gpstest.Epoch{Time: from.Add(time.Duration(i) * time.Second), Mode: mode,
			Lat: logLat, Lon: logLon, AltM: logAlt, HDOP: hdop, Seen: seen, Used: used}
	}
	return out
}

func join(parts ...[]gpstest.Epoch) []gpstest.Epoch {
	var out []gpstest.Epoch
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func render(es []gpstest.Epoch) string {
	var b bytes.Buffer
	if err := gpstest.Write(&b, es); err != nil {
		panic(err)
	}
	return b.String()
}

// rollover is the week-number rollover a receiver with old firmware shows:
// its date 1024 weeks early (IS-GPS-200's 10-bit week number).
const rollover = 1024 * 7 * 24 * time.Hour

// nmeaLogs are the logs in testdata/nmea, as their generator writes them.
func nmeaLogs() map[string]string {
	s := logStart
	fix := epochs(s, 8, 3, 11, 9, 0.8)
	garbage := render(fix[:2]) +
		"$GPGGA,203002.00,5051.00000,N,00421.00000,E,1,09,0.8,76.0,M,47.0,M,,*00\r\n" + // bad checksum
		"\x00\xff\xb5\x62\x01\x07 binary noise\r\n" +
		"$GPRMC,203002.00,A,5051.0\r\n" + // truncated
		"hello from a confused receiver\r\n" +
		render(fix[2:])
	return map[string]string{
		// A cold start: the sky fills up, no fix.
		"cold-start.nmea": render(join(epochs(s, 4, 1, 3, 0, 0), epochs(s.Add(4*time.Second), 8, 1, 7, 0, 0))),
		// No fix, then a 2-D fix (no altitude), then 3-D.
		"fix-2d-3d.nmea": render(join(epochs(s, 3, 1, 7, 0, 0), epochs(s.Add(3*time.Second), 4, 2, 8, 3, 2.5),
			epochs(s.Add(7*time.Second), 8, 3, 11, 9, 0.8))),
		// A fix lost under trees and found again.
		"lost-fix.nmea": render(join(epochs(s, 5, 3, 11, 9, 0.8), epochs(s.Add(5*time.Second), 6, 1, 3, 0, 0),
			epochs(s.Add(11*time.Second), 5, 3, 10, 8, 0.9))),
		// A 3-D fix with the date 1024 weeks early.
		"rollover.nmea": render(epochs(s.Add(-rollover), 8, 3, 11, 9, 0.8)),
		// A 3-D fix among lines that are not NMEA or not right.
		"garbage.nmea": garbage,
	}
}

func TestNMEALogs(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "nmea")
	for name, want := range nmeaLogs() {
		p := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (go test ./hw/gps -run TestNMEALogs -update writes it)", err)
		}
		if string(got) != want {
			t.Errorf("%s differs from its generator (rerun with -update)", name)
		}
		bad := 0
		for _, line := range strings.SplitAfter(string(got), "\n") {
			if line != "" && !gpstest.Valid(line) {
				bad++
			}
		}
		if wantBad := map[bool]int{true: 4, false: 0}[name == "garbage.nmea"]; bad != wantBad {
			t.Errorf("%s: %d lines fail the checksum, want %d", name, bad, wantBad)
		}
	}
}
