package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestObjects(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		stdout   []string // substrings, in order
		stderr   string
		noStdout bool
	}{
		{"search", []string{"search", "andromeda"}, 0, []string{"NAME", "M 31 Andromeda Galaxy", "galaxy", "3.4", "And", "00h42m"}, "", false},
		{"search with filters and site", []string{"search", "--type", "galaxy", "--mag", "9", "--con", "UMa", "--site", "50.85,4.35", "--above", "--time", "2026-03-25T20:30:00Z"},
			0, []string{"ALT", "M 81 Bode's Galaxy", "+70.7°", "M 101"}, "", false},
		{"flags after the words", []string{"search", "M", "8", "--limit", "2"}, 0, []string{"M 8 Lagoon Nebula", "M 81"}, "", false},
		{"info Jupiter", []string{"info", "Jupiter", "--site", "50.85,4.35", "--time", "2026-12-24T20:00:00Z"}, 0,
			[]string{"Jupiter", "solar system", "Leo", "RA 09h55m51.2s", "-2.6° / 64.8°", "rise           2026-12-24 20:14 UTC", "set            2026-12-25 10:36 UTC", "transit        2026-12-25 03:25 UTC at +52.6°"}, "", false},
		{"info circumpolar", []string{"info", "--site", "50.85,4.35", "--time", "2026-12-24T20:00:00Z", "M", "51"}, 0,
			[]string{"M 51", "NGC 5194", "11.0′ × 8.0′", "galaxy", "CVn", "8.1", "circumpolar"}, "", false},
		{"info without a site", []string{"info", "Vega"}, 0, []string{"Vega", "star", "Lyr", "give --site"}, "", false},
		{"not found", []string{"info", "xyzzy"}, 1, nil, `no object is called "xyzzy"`, true},
		{"nothing matches", []string{"search", "qqqqq"}, 1, nil, "nothing matches", true},
		{"no subcommand", nil, 2, nil, "no subcommand", true},
		{"unknown subcommand", []string{"list"}, 2, nil, `unknown subcommand "list"`, true},
		{"above without site", []string{"search", "--above", "m"}, 2, nil, "--above needs --site", true},
		{"bad site", []string{"info", "--site", "95,0", "Vega"}, 2, nil, "latitude outside", true},
		{"bad time", []string{"info", "--time", "tonight", "Vega"}, 2, nil, "RFC 3339", true},
		{"bad type", []string{"search", "--type", "spaceship", "m"}, 2, nil, `--type "spaceship"`, true},
		{"bad limit", []string{"search", "--limit", "0", "m"}, 2, nil, "--limit 0", true},
		{"no name", []string{"info", "--site", "1,2"}, 2, nil, "no object named", true},
		{"bad flag", []string{"info", "--colour", "Vega"}, 2, nil, "flag provided but not defined", true},
		{"help", []string{"--help"}, 0, []string{"usage: pifinder objects", "pifinder objects search", "-type", "pifinder objects info", "-site"}, "", false},
		{"subcommand help", []string{"info", "-h"}, 0, []string{"usage: pifinder objects info", "rise, transit and set"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Objects(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			out := stdout.String()
			for _, s := range tc.stdout {
				i := strings.Index(out, s)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order):\n%s", s, stdout.String())
				}
				out = out[i+len(s):]
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tc.stderr)
			}
			if tc.noStdout && stdout.Len() != 0 {
				t.Errorf("stdout on failure: %s", stdout.String())
			}
		})
	}
}

func TestSexagesimal(t *testing.T) {
	for deg, want := range map[float64]string{0: "00h00m00.0s", 359.99999: "00h00m00.0s", 202.4749: "13h29m54.0s", 83.8221: "05h35m17.3s"} {
		if got := hms(deg); got != want {
			t.Errorf("hms(%v) = %s, want %s", deg, got, want)
		}
	}
	for deg, want := range map[float64]string{0: "+00°00′00″", -0.5: "-00°30′00″", 89.99999: "+90°00′00″", -16.7161: "-16°42′58″"} {
		if got := dms(deg); got != want {
			t.Errorf("dms(%v) = %s, want %s", deg, got, want)
		}
	}
}
