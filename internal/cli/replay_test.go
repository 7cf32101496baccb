package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/integrator/record"
	"github.com/pifinder-go/pifinder/state"
)

var sessionStart = time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC)

// recordSession records a short synthetic session the way the live loop
// does (a record.Recorder sees every sanitised tick before an
// integrator.Core applies it, and every estimate the core publishes): a
// solve, IMU samples turning the finder by a few degrees, a failed solve
// and a second solve. Every tick has the observer site; with datetime
// false the ticks carry no datetime (no Alt/Az). It returns the path of
// the recording.
func recordSession(t *testing.T, site state.Location, datetime bool) string {
	t.Helper()
	cfg := integrator.Config{ScreenDirection: "right"}
	var buf bytes.Buffer
	rec, err := record.NewRecorder(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	core, err := integrator.NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	step := func(at time.Duration, tk integrator.Tick) {
		tk.Location = site
		if datetime {
			tk.Now = sessionStart.Add(at)
		}
		tk = tk.Sanitized()
		rec.Tick(tk)
		core.Step(tk, rec.Published)
	}
	// turned is the IMU orientation after turning deg degrees about its z axis.
	turned := func(at time.Duration, deg float64) state.ImuSample {
		h := deg * math.Pi / 360
		return state.ImuSample{Time: sessionStart.Add(at), Quat: quat.Number{Real: math.Cos(h), Kmag: math.Sin(h)}, Status: 3}
	}
	solve := func(at time.Duration, ra, dec, roll, deg float64) *state.SolveEvent {
		p := state.PointingOf(ra, dec, roll)
		t := sessionStart.Add(at)
		return &state.SolveEvent{Success: true, Camera: p, Aligned: p, Anchor: turned(at, deg).Quat, Attempt: t, LastSuccess: t,
			Diag: state.SolveDiag{Matches: 14, RMSEArcsec: 1.5}}
	}
	step(0, integrator.Tick{Solve: solve(0, 83.8, -5.4, 10, 0), IMU: turned(0, 0), HasIMU: true})
	for i := 1; i <= 10; i++ {
		at := time.Duration(i) * 100 * time.Millisecond
		step(at, integrator.Tick{IMU: turned(at, 0.5*float64(i)), HasIMU: true})
	}
	failedAt := 1500 * time.Millisecond
	step(failedAt, integrator.Tick{IMU: turned(failedAt, 5), HasIMU: true, Solve: &state.SolveEvent{
		Attempt: sessionStart.Add(failedAt), LastSuccess: sessionStart, Diag: state.SolveDiag{Matches: 2}}})
	step(2*time.Second, integrator.Tick{Solve: solve(2*time.Second, 88.7, -5.0, 11, 5), IMU: turned(2*time.Second, 5), HasIMU: true})
	if err := rec.Err(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "session.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// recordedEstimates reads the estimates of a recording.
func recordedEstimates(t *testing.T, path string) []state.Estimate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []state.Estimate
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var l record.Line
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		if l.Type == record.TypeEstimate {
			out = append(out, *l.Estimate)
		}
	}
	return out
}

var site = state.Location{Lat: 50.11, Lon: 8.68, AltitudeM: 112, Source: "MANUAL"}

func TestReplayCommand(t *testing.T) {
	path := recordSession(t, site, true)
	recorded := recordedEstimates(t, path)
	var out, errb bytes.Buffer
	if code := Replay([]string{"--verify", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(recorded) {
		t.Errorf("%d lines for %d recorded estimates", len(lines), len(recorded))
	}
	for _, want := range []string{" CAM ra=", " IMU ra=", " CAM_FAILED ra="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "alt=-") {
		t.Errorf("an estimate lacks Alt/Az although the session had a site and datetime:\n%s", out.String())
	}
	if want := fmt.Sprintf("replay: %s: %d estimates reproduced exactly\n", path, len(recorded)); errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
}

// replayJSONKeys are the fields of a `replay --json` line.
var replayJSONKeys = []string{"time", "source", "ra_deg", "dec_deg", "roll_deg", "alt_deg", "az_deg",
	"constellation", "matches", "last_solve_attempt", "last_solve_success"}

func TestReplayJSON(t *testing.T) {
	cases := []struct {
		name     string
		datetime bool // the session knew the datetime: Alt/Az present
	}{
		{"site and datetime", true},
		{"no datetime", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := recordSession(t, site, tc.datetime)
			recorded := recordedEstimates(t, path)
			var out, errb bytes.Buffer
			if code := Replay([]string{"--json", path}, &out, &errb); code != 0 || errb.Len() != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			sc := bufio.NewScanner(&out)
			i := 0
			for ; sc.Scan(); i++ {
				var m map[string]any
				if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				keys := slices.Sorted(maps.Keys(m))
				if want := slices.Sorted(slices.Values(replayJSONKeys)); !slices.Equal(keys, want) {
					t.Fatalf("line %d: keys %v, want %v", i+1, keys, want)
				}
				var r ReplayRecord
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if i >= len(recorded) {
					t.Fatalf("line %d: more lines than the %d recorded estimates", i+1, len(recorded))
				}
				e := recorded[i]
				p := e.Aligned.Estimate
				if r.Source != string(e.Source) || r.Time == nil || !r.Time.Equal(e.EstimateTime) ||
					r.RA == nil || *r.RA != p.RA || *r.Dec != p.Dec || *r.Roll != p.Roll ||
					r.Constellation != e.Constellation || r.Matches != e.Diag.Matches ||
					r.LastSolveAttempt == nil || !r.LastSolveAttempt.Equal(e.LastSolveAttempt) {
					t.Errorf("line %d: %s\nis not the recorded estimate %+v", i+1, sc.Text(), e)
				}
				switch {
				case !tc.datetime && (r.Alt != nil || r.Az != nil):
					t.Errorf("line %d: alt_deg/az_deg not null without a datetime: %s", i+1, sc.Text())
				case tc.datetime && (r.Alt == nil || r.Az == nil || *r.Alt != e.Alt || *r.Az != e.Az || !e.HasAltAz):
					t.Errorf("line %d: alt_deg/az_deg %s, recorded %v %.4f %.4f", i+1, sc.Text(), e.HasAltAz, e.Alt, e.Az)
				}
			}
			if i != len(recorded) || i == 0 {
				t.Errorf("%d lines, %d recorded estimates", i, len(recorded))
			}
		})
	}
}

func TestReplayErrors(t *testing.T) {
	path := recordSession(t, site, true)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.jsonl")
	corrupt := filepath.Join(dir, "corrupt.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(corrupt, append(data[:bytes.IndexByte(data, '\n')+1], "{not json\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string // the first line
	}{
		{"no file", nil, 2, "replay: want one recording FILE, got 0 arguments"},
		{"two files", []string{path, path}, 2, "replay: want one recording FILE, got 2 arguments"},
		{"bad flag", []string{"--bogus", path}, 2, "replay: flag provided but not defined: -bogus"},
		{"bad build", []string{"--screen-direction", "sideways", path}, 2, `replay: --screen-direction "sideways": unknown screen direction "sideways"`},
		{"missing file", []string{missing}, 1, "replay: " + missing + ": no such file or directory"},
		{"corrupt file", []string{corrupt}, 1, "replay: " + corrupt + ": line 2: invalid character"},
		{"replay differs", []string{"--verify", "--screen-direction", "flat", path}, 1, "replay: " + path + ": replay differs from the recording: estimate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Replay(tc.args, &out, &errb); code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, errb.String())
			}
			if first, _, _ := strings.Cut(errb.String(), "\n"); !strings.HasPrefix(first, tc.stderr) {
				t.Errorf("stderr %q, want it to start with %q", first, tc.stderr)
			}
			if strings.Contains(errb.String(), "replay: replay:") || strings.Contains(errb.String(), "record:") {
				t.Errorf("doubled prefix in %q", errb.String())
			}
		})
	}
}

// TestReplayDamagedRecording: a recording whose last line was cut off (a
// full disk, a power cut) replays up to it with a warning on stderr and exit
// status 0; damage anywhere else is an error naming the line (exit 1).
func TestReplayDamagedRecording(t *testing.T) {
	path := recordSession(t, site, true)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines = lines[:len(lines)-1] // the empty rest after the last newline
	n := len(lines)
	cutLast := bytes.Join(lines[:n-1], nil)
	cutLast = append(cutLast, lines[n-1][:len(lines[n-1])/2]...)
	withLine := func(i int, repl string) []byte {
		out := append(bytes.Join(lines[:i], nil), repl...)
		return append(out, bytes.Join(lines[i+1:], nil)...)
	}
	whole := filepath.Join(t.TempDir(), "whole.jsonl") // the lines before the cut
	if err := os.WriteFile(whole, bytes.Join(lines[:n-1], nil), 0o600); err != nil {
		t.Fatal(err)
	}
	wantLines := len(recordedEstimates(t, whole))
	warning := fmt.Sprintf("line %d: last line cut off (%d bytes, no newline), ignored", n, len(lines[n-1])/2)
	cases := []struct {
		name   string
		data   []byte
		flags  []string
		code   int
		stderr []string // the lines, each a prefix; FILE is the recording
		out    int      // stdout lines (code 0)
	}{
		{"cut last line", cutLast, nil, 0, []string{"replay: warning: FILE: " + warning}, wantLines},
		{"cut last line, json", cutLast, []string{"--json"}, 0, []string{"replay: warning: FILE: " + warning}, wantLines},
		{"cut last line, verify", cutLast, []string{"--verify"}, 0,
			[]string{"replay: warning: FILE: " + warning, fmt.Sprintf("replay: FILE: %d estimates reproduced exactly", wantLines)}, wantLines},
		{"garbage in the middle", withLine(3, "{not json\n"), nil, 1, []string{"replay: FILE: line 4: invalid character 'n'"}, 0},
		{"cut line in the middle", withLine(3, string(lines[3][:25])+"\n"), nil, 1, []string{"replay: FILE: line 4: "}, 0},
		{"garbage last line", withLine(n-1, "{not json"), nil, 1, []string{fmt.Sprintf("replay: FILE: line %d: invalid character 'n'", n)}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "damaged.jsonl")
			if err := os.WriteFile(file, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if code := Replay(append(tc.flags, file), &out, &errb); code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, errb.String())
			}
			got := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
			if len(got) != len(tc.stderr) {
				t.Fatalf("stderr %q, want %d lines", errb.String(), len(tc.stderr))
			}
			for i, want := range tc.stderr {
				if want = strings.ReplaceAll(want, "FILE", file); !strings.HasPrefix(got[i], want) {
					t.Errorf("stderr line %d %q, want it to start with %q", i+1, got[i], want)
				}
			}
			if tc.code == 0 {
				if n := strings.Count(out.String(), "\n"); n != tc.out {
					t.Errorf("%d lines on stdout, want %d", n, tc.out)
				}
			}
		})
	}
}
