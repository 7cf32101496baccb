package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
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
		{"help", []string{"--help"}, 0, []string{"--duration", "--fault", "--log-format", "--camera", "--replay-interval", "--imu", "--record", "--lx200", "--http", "--api-token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			start := time.Now()
			got := run(c.args, &out, &errOut)
			if got != c.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", got, c.want, errOut.String())
			}
			for _, l := range c.log {
				if !strings.Contains(errOut.String(), strings.TrimPrefix(l, "--")) {
					t.Errorf("stderr lacks %q:\n%s", l, errOut.String())
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
	for _, want := range []string{"Restart=on-failure", "ExecStart=", "[Install]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("unit lacks %q", want)
		}
	}
}
