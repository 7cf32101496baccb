package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/state"
)

var t0 = time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC)

// shortSession is a small session as the live loop sees it: a solve, IMU
// samples turning the finder, a failed solve and a second solve.
func shortSession() []integrator.Tick {
	turned := func(at time.Duration, deg float64) state.ImuSample {
		h := deg * math.Pi / 360
		return state.ImuSample{Time: t0.Add(at), Quat: quat.Number{Real: math.Cos(h), Kmag: math.Sin(h)}, Status: 3}
	}
	solve := func(at time.Duration, ra, dec, deg float64) *state.SolveEvent {
		p := state.PointingOf(ra, dec, 10)
		return &state.SolveEvent{Success: true, Camera: p, Aligned: p, Anchor: turned(at, deg).Quat,
			Attempt: t0.Add(at), LastSuccess: t0.Add(at), Diag: state.SolveDiag{Matches: 14}}
	}
	site := state.Location{Lat: 50.11, Lon: 8.68, AltitudeM: 112, Source: "MANUAL"}
	ticks := []integrator.Tick{{Solve: solve(0, 83.8, -5.4, 0), IMU: turned(0, 0), HasIMU: true}}
	for i := 1; i <= 8; i++ {
		at := time.Duration(i) * 100 * time.Millisecond
		ticks = append(ticks, integrator.Tick{IMU: turned(at, 0.5*float64(i)), HasIMU: true})
	}
	ticks = append(ticks,
		integrator.Tick{IMU: turned(time.Second, 4), HasIMU: true,
			Solve: &state.SolveEvent{Attempt: t0.Add(time.Second), LastSuccess: t0, Diag: state.SolveDiag{Matches: 2}}},
		integrator.Tick{Solve: solve(2*time.Second, 88.7, -5.0, 5), IMU: turned(2*time.Second, 5), HasIMU: true})
	for i := range ticks {
		ticks[i].Location = site
		ticks[i].Now = t0.Add(time.Duration(i) * 100 * time.Millisecond)
		ticks[i] = ticks[i].Sanitized()
	}
	return ticks
}

// play records ticks with rec as the live loop does (the recorder sees each
// tick, then each estimate the core publishes for it).
func play(t *testing.T, rec *Recorder, ticks []integrator.Tick) {
	t.Helper()
	core, err := integrator.NewCore(integrator.Config{ScreenDirection: "right"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range ticks {
		rec.Tick(tk)
		core.Step(tk, rec.Published)
	}
}

// fullDisk is a writer with room for limit bytes: the write that does not
// fit is written as far as it fits and fails as a full disk does.
type fullDisk struct {
	buf   bytes.Buffer
	limit int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	room := max(d.limit-d.buf.Len(), 0)
	if len(p) <= room {
		return d.buf.Write(p)
	}
	d.buf.Write(p[:room])
	return room, &fs.PathError{Op: "write", Path: "session.jsonl", Err: syscall.ENOSPC}
}

// fullFile is a file on a disk with room for limit bytes.
type fullFile struct {
	*os.File
	limit int64
}

func (f fullFile) Write(p []byte) (int, error) {
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	room := max(f.limit-pos, 0)
	if int64(len(p)) <= room {
		return f.File.Write(p)
	}
	n, _ := f.File.Write(p[:room])
	return n, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

// estimates are the estimate lines of the whole lines of a recording.
func estimates(t *testing.T, data []byte) []state.Estimate {
	t.Helper()
	var out []state.Estimate
	for line := range bytes.Lines(data) {
		if !bytes.HasSuffix(line, []byte("\n")) {
			break
		}
		var l Line
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatalf("whole line %q: %v", line, err)
		}
		if l.Type == TypeEstimate {
			out = append(out, *l.Estimate)
		}
	}
	return out
}

func replayAll(data []byte) ([]state.Estimate, error) {
	var out []state.Estimate
	err := Replay(bytes.NewReader(data), integrator.Config{}, func(e state.Estimate) { out = append(out, e) })
	return out, err
}

// logLines are the JSON log lines in b.
func logLines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range bytes.Lines(b.Bytes()) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// TestRecorderDiskFull: the disk fills up during a session. The recorder
// logs one line when it happens (then at most one a minute while records
// are dropped), keeps everything before the failing line, and a file is cut
// back to its last whole line; a writer that cannot be cut keeps the
// partial line, which replay ignores with ErrTruncated.
func TestRecorderDiskFull(t *testing.T) {
	var full bytes.Buffer
	var lineEnds []int // offsets just after each line of the full recording
	synctest.Test(t, func(t *testing.T) {
		rec, err := NewRecorder(&full, integrator.Config{})
		if err != nil {
			t.Fatal(err)
		}
		play(t, rec, shortSession())
	})
	for i, c := range full.Bytes() {
		if c == '\n' {
			lineEnds = append(lineEnds, i+1)
		}
	}
	if len(lineEnds) < 10 {
		t.Fatalf("the session has %d lines", len(lineEnds))
	}
	// wholeBefore is how many whole lines fit in limit bytes.
	wholeBefore := func(limit int) int {
		n := 0
		for n < len(lineEnds) && lineEnds[n] <= limit {
			n++
		}
		return n
	}
	cases := []struct {
		name  string
		limit int
		file  bool
	}{
		{"memory: mid line", lineEnds[5] + 17, false},
		{"memory: a byte short of a newline", lineEnds[7] - 1, false},
		{"memory: at a line boundary", lineEnds[6], false},
		{"file: mid line", lineEnds[5] + 17, true},
		{"file: a byte short of a newline", lineEnds[7] - 1, true},
		{"file: at a line boundary", lineEnds[6], true},
		{"file: mid header", 20, true},
		{"memory: mid header", 20, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var log bytes.Buffer
				var w io.Writer
				var mem *fullDisk
				var file *os.File
				if tc.file {
					var err error
					file, err = os.Create(filepath.Join(t.TempDir(), "session.jsonl"))
					if err != nil {
						t.Fatal(err)
					}
					defer file.Close()
					w = fullFile{File: file, limit: int64(tc.limit)}
				} else {
					mem = &fullDisk{limit: tc.limit}
					w = mem
				}
				contents := func() []byte {
					if mem != nil {
						return mem.buf.Bytes()
					}
					b, err := os.ReadFile(file.Name())
					if err != nil {
						t.Fatal(err)
					}
					return b
				}
				whole := wholeBefore(tc.limit)
				rec, err := NewRecorder(w, integrator.Config{}, WithLogger(zerolog.New(&log)))
				if whole == 0 {
					// The header did not fit: NewRecorder reports it (the
					// caller logs it) and a file is left empty.
					if err == nil || !errors.Is(err, syscall.ENOSPC) {
						t.Fatalf("NewRecorder = %v, want the full disk", err)
					}
					if log.Len() != 0 {
						t.Errorf("logged %q; the error is returned", log.String())
					}
					if tc.file && len(contents()) != 0 {
						t.Errorf("file holds %q, want it cut back to empty", contents())
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				play(t, rec, shortSession())
				if err := rec.Err(); !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("Err = %v, want the full disk", err)
				}
				if rec.Lines() != whole {
					t.Errorf("Lines = %d, want %d", rec.Lines(), whole)
				}
				lines := logLines(t, &log)
				if len(lines) != 1 || lines[0]["level"] != "error" || !strings.Contains(lines[0]["error"].(string), "no space left") ||
					lines[0]["lines"] != float64(whole) {
					t.Fatalf("log %q, want one error line naming the cause and the %d whole lines", log.String(), whole)
				}

				got := contents()
				want := full.Bytes()[:lineEnds[whole-1]]
				if !tc.file {
					want = full.Bytes()[:tc.limit] // a writer that cannot be cut keeps the partial line
				}
				if !bytes.Equal(got, want) {
					t.Errorf("contents are not the first %d bytes of the session:\n%s", len(want), got)
				}
				replayed, err := replayAll(got)
				recorded := estimates(t, got)
				switch rest := len(want) - lineEnds[whole-1]; {
				case rest == 0:
					if err != nil {
						t.Errorf("replay: %v", err)
					}
				case len(want) == lineEnds[whole]-1:
					// A whole record but for its newline: replayed.
					if err != nil {
						t.Errorf("replay: %v", err)
					}
					recorded = estimates(t, full.Bytes()[:lineEnds[whole]])
				default:
					if !errors.Is(err, ErrTruncated) || !strings.HasPrefix(err.Error(), "record: line "+strconv.Itoa(whole+1)+": ") {
						t.Errorf("replay: %v, want ErrTruncated naming line %d", err, whole+1)
					}
				}
				if d := cmp.Diff(recorded, replayed); d != "" {
					t.Errorf("replay differs from the recorded estimates (-recorded +replayed):\n%s", d)
				}

				// Later records are dropped quietly; a minute on, one line
				// says the recording is still stopped and what was lost.
				dropped := 0
				for range 5 {
					rec.Published(state.Estimate{})
					dropped++
				}
				if n := len(logLines(t, &log)); n != 1 {
					t.Errorf("%d log lines right after the failure, want 1:\n%s", n, log.String())
				}
				time.Sleep(time.Minute)
				rec.Published(state.Estimate{})
				lines = logLines(t, &log)
				if len(lines) != 2 || lines[1]["level"] != "warn" || lines[1]["dropped"] == nil {
					t.Errorf("log after a minute:\n%s\nwant a second line counting the dropped records", log.String())
				}
				if !bytes.Equal(contents(), got) {
					t.Error("a record was written after the failure")
				}
			})
		})
	}
}

// TestReplayCutRecording cuts a recording through each line (after its
// first byte, in its middle, two bytes and one byte before its newline,
// after it): a cut through the last line replays the whole lines before it
// and returns ErrTruncated naming the line; a cut at a line end replays
// cleanly; a cut through the header is an error. (FuzzReplayCut tries
// every byte.)
func TestReplayCutRecording(t *testing.T) {
	var full bytes.Buffer
	rec, err := NewRecorder(&full, integrator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	play(t, rec, shortSession())
	data := full.Bytes()
	headerEnd := bytes.IndexByte(data, '\n') + 1
	var cuts []int
	start := 0
	for line := range bytes.Lines(data) {
		end := start + len(line)
		cuts = append(cuts, start+1, start+len(line)/2, end-2, end-1, end)
		start = end
	}
	for _, cut := range cuts {
		if cut >= len(data) {
			continue
		}
		in := data[:cut]
		replayed, err := replayAll(in)
		line := bytes.Count(in, []byte("\n")) + 1 // the line the cut went through
		switch {
		case cut < headerEnd-1:
			if err == nil || errors.Is(err, ErrTruncated) || !strings.HasPrefix(err.Error(), "record: line 1: ") {
				t.Fatalf("cut at %d (header): %v, want an error about line 1", cut, err)
			}
			continue
		case data[cut-1] == '\n' || data[cut] == '\n':
			// Whole lines (the last one possibly without its newline).
			if err != nil {
				t.Fatalf("cut at %d, a line end: %v", cut, err)
			}
		default:
			if !errors.Is(err, ErrTruncated) || !strings.HasPrefix(err.Error(), "record: line "+strconv.Itoa(line)+": ") {
				t.Fatalf("cut at %d (line %d): %v, want ErrTruncated naming line %d", cut, line, err, line)
			}
		}
		want := estimates(t, in)
		if data[cut] == '\n' { // the last line is whole but for its newline
			want = estimates(t, data[:cut+1])
		}
		if len(want) != len(replayed) || (len(want) > 0 && !cmp.Equal(want, replayed)) {
			t.Fatalf("cut at %d: %d estimates replayed, %d recorded", cut, len(replayed), len(want))
		}
		if n, verr := Verify(bytes.NewReader(in), integrator.Config{}); n != len(want) || (verr != nil && !errors.Is(verr, ErrTruncated)) {
			t.Fatalf("cut at %d: Verify %d, %v; want %d", cut, n, verr, len(want))
		}
	}
}

// TestReplayDamage: damage anywhere but a cut-off last line is an error
// naming the line, never ErrTruncated.
func TestReplayDamage(t *testing.T) {
	var full bytes.Buffer
	rec, err := NewRecorder(&full, integrator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	play(t, rec, shortSession())
	lines := bytes.SplitAfter(full.Bytes(), []byte("\n"))
	lines = lines[:len(lines)-1] // the empty rest after the last newline
	with := func(i int, repl string) []byte {
		out := bytes.Join(lines[:i], nil)
		out = append(out, repl...)
		return append(out, bytes.Join(lines[i+1:], nil)...)
	}
	last := len(lines) - 1
	cases := []struct {
		name string
		in   []byte
		want string // the error's start
	}{
		{"garbage in the middle", with(3, "{not json\n"), "record: line 4: invalid character"},
		{"cut line in the middle", with(3, string(lines[3][:40])+"\n"), "record: line 4: "},
		{"line cut and the next glued to it", with(3, string(lines[3][:40])), "record: line 4: "},
		{"NULs in the middle", with(2, "\x00\x00\x00\n"), "record: line 3: invalid character"},
		{"two records on one line", with(2, strings.TrimSuffix(string(lines[2]), "\n")+string(lines[2])), "record: line 3: invalid character"},
		{"bad type in the middle", with(2, `{"type":"nope"}`+"\n"), `record: line 3: bad line of type "nope"`},
		{"garbage last line", with(last, "{not json\n"), "record: line " + strconv.Itoa(last+1) + ": invalid character"},
		{"garbage last line, no newline", with(last, "{not json"), "record: line " + strconv.Itoa(last+1) + ": invalid character"},
		{"cut last line with its newline", with(last, string(lines[last][:30])+"\n"), "record: line " + strconv.Itoa(last+1) + ": "},
		{"second header", with(2, string(lines[0])), `record: line 3: bad line of type "header"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replayAll(tc.in)
			if err == nil || errors.Is(err, ErrTruncated) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("replay: %v, want an error starting %q", err, tc.want)
			}
			if _, err := Verify(bytes.NewReader(tc.in), integrator.Config{}); err == nil || errors.Is(err, ErrTruncated) {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}
