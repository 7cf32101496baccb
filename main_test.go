package main

import (
	"bytes"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/pipeline"
	"github.com/rs/zerolog"
)

func TestRunExitStatus(t *testing.T) {
	quiet := []string{"--lx200", "", "--http", "", "--config", "", "--log-format", "json"}
	cases := []struct {
		name string
		args []string
		want int
		log  []string
	}{
		{"duration", append([]string{"--duration", "1500ms"}, quiet...), 0, []string{`"message":"pipeline stopped"`, `"exit_status":0`}},
		{"owner panic", append([]string{"--fault", "owner-panic-after=1s"}, quiet...), 1, []string{`"message":"state owner ended; stopping the pipeline"`, `"exit_status":1`}},
		{"owner error", append([]string{"--fault", "owner-error-after=500ms"}, quiet...), 1, []string{`"exit_status":1`}},
		{"bad fault", []string{"--fault", "disk-full"}, 2, []string{"owner-panic-after=DURATION"}},
		{"bad log format", []string{"--log-format", "xml"}, 2, []string{"console or json"}},
		{"bad exposure", append([]string{"--exposure", "fast"}, quiet...), 2, []string{"microseconds"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{"unknown command"}},
		{"help", []string{"--help"}, 0, []string{"--duration", "--fault", "--log-format", "--camera", "--replay-interval", "--imu", "--record", "--lx200", "--http", "--api-token", "--version", "Exit status"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			start := time.Now()
			got := run(c.args, &out, &errOut)
			if got != c.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", got, c.want, errOut.String())
			}
			text := errOut.String()
			if c.name == "help" { // help is asked for: stdout, nothing on stderr
				text = out.String()
				if errOut.Len() > 0 {
					t.Errorf("--help wrote to stderr:\n%s", errOut.String())
				}
			}
			for _, l := range c.log {
				if !strings.Contains(text, strings.TrimPrefix(l, "--")) {
					t.Errorf("output lacks %q:\n%s", l, text)
				}
			}
			if time.Since(start) > 30*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

func TestSystemdUnit(t *testing.T) {
	var out bytes.Buffer
	if got := run([]string{"systemd-unit"}, &out, &out); got != 0 {
		t.Fatalf("exit %d", got)
	}
	for _, want := range []string{"Restart=on-failure", "ExecStart=", "[Install]", "\nUser=pifinder\n", "\nSupplementaryGroups=video i2c gpio\n", "useradd --system"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("unit lacks %q", want)
		}
	}
}

// TestStartupMistakes runs the binary's main path through every start-up
// mistake a new user makes: each is exit status 2 and one line on stderr
// naming the flag, never a stack trace.
func TestStartupMistakes(t *testing.T) {
	quiet := []string{"--http", "", "--config", "", "--log-format", "json", "--duration", "2s"}
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"--db", "/nonexistent"}, "--db /nonexistent"},
		{[]string{"--camera", "bogus"}, "--camera bogus"},
		{[]string{"--camera", "rpicam", "--camera-backend", "rpicam-raw", "--rpicam-path", "/nonexistent/rpicam-raw"}, "--rpicam-path"},
		{[]string{"--camera", "rpicam", "--picamera2-python", "/nonexistent/python3"}, "--picamera2-python"},
		{[]string{"--camera", "rpicam", "--camera-backend", "bogus"}, "--camera-backend bogus"},
		{[]string{"--camera", "replay"}, "--images"},
		{[]string{"--camera", "replay", "--images", "/nonexistent/*.png"}, "--images /nonexistent/*.png"},
		{[]string{"--lx200", ":99999"}, "--lx200 :99999"},
		{[]string{"--sleep-timeout", "bogus"}, "--sleep-timeout bogus"},
		{[]string{"--screen-direction", "bogus"}, "--screen-direction bogus"},
		{[]string{"--imu", "bogus"}, "--imu bogus"},
		{[]string{"--sensor", "bogus"}, "--sensor bogus"},
		{[]string{"--record", "/nonexistent/x.jsonl"}, "--record /nonexistent/x.jsonl"},
		{[]string{"--fov", "-5"}, "--fov -5"},
		{[]string{"--duration", "-5s"}, "--duration -5s"},
		{[]string{"--lens", "99mm"}, "--lens 99mm"},
		{[]string{"--summary-interval", "0s"}, "--summary-interval 0s"},
		{[]string{"--location", "NaN,NaN,Inf"}, "--location"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append(append([]string{}, quiet...), c.args...)
			if !slices.Contains(c.args, "--lx200") {
				args = append(args, "--lx200", "")
			}
			if got := run(args, &out, &errOut); got != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", got, errOut.String())
			}
			lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.flag) || strings.Contains(errOut.String(), "goroutine ") {
				t.Fatalf("want one line naming %q, got:\n%s", c.flag, errOut.String())
			}
		})
	}
}

// TestFromEnvironment: flags win over the environment and the settings
// file; a token can come from PIFINDER_API_TOKEN instead of the command line.
func TestFromEnvironment(t *testing.T) {
	cases := []struct {
		name                   string
		args                   []string
		env                    string
		wantLX, wantHTTP, want string
	}{
		{"nothing given", nil, "", pipeline.AddrFromSettings, pipeline.AddrFromSettings, ""},
		{"token from the environment", nil, "s3cret", pipeline.AddrFromSettings, pipeline.AddrFromSettings, "s3cret"},
		{"flags win", []string{"--lx200", "127.0.0.1:4030", "--http", "", "--api-token", "flag"}, "s3cret", "127.0.0.1:4030", "", "flag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFlags(io.Discard)
			if err := f.fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := f.config(zerolog.Nop())
			if err != nil {
				t.Fatal(err)
			}
			f.fromEnvironment(&cfg, func(k string) string {
				if k == "PIFINDER_API_TOKEN" {
					return c.env
				}
				return ""
			})
			if cfg.LX200Addr != c.wantLX || cfg.HTTPAddr != c.wantHTTP || cfg.APIToken != c.want {
				t.Errorf("lx200 %q http %q token %q, want %q %q %q", cfg.LX200Addr, cfg.HTTPAddr, cfg.APIToken, c.wantLX, c.wantHTTP, c.want)
			}
		})
	}
}

// Fuzz the hand-written flag parsers: no panic, and whatever is accepted is
// finite and in range.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"50.85,4.35,60", "NaN,NaN,Inf", "-90,360", "1e309,0", ",", "0,0,0,0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := parseLocation(s)
		if err != nil {
			return
		}
		for _, v := range []float64{loc.Lat, loc.Lon, loc.AltitudeM} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q accepted as %+v", s, loc)
			}
		}
		if loc.Lat < -90 || loc.Lat > 90 || loc.Lon < -180 || loc.Lon > 360 {
			t.Fatalf("%q accepted out of range: %+v", s, loc)
		}
	})
}

// TestI2CBusFlag: the BNO055's bus is named, by default bus 1, and --help
// documents the flag.
func TestI2CBusFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "1"},
		{[]string{"--i2c-bus", "3"}, "3"},
		{[]string{"--i2c-bus=I2C1"}, "I2C1"},
	} {
		f := newFlags(io.Discard)
		if err := f.fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.config(zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.I2CBus != c.want {
			t.Errorf("%q: I2CBus %q, want %q", c.args, cfg.I2CBus, c.want)
		}
	}
	var out bytes.Buffer
	if got := run([]string{"--help"}, &out, io.Discard); got != 0 {
		t.Fatalf("--help: exit %d", got)
	}
	if !strings.Contains(out.String(), "-i2c-bus") || !strings.Contains(out.String(), "/dev/i2c-1") {
		t.Errorf("--help does not document --i2c-bus:\n%s", out.String())
	}
}
