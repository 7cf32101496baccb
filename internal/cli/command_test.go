package cli

import (
	"bytes"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// subcommand is one subcommand as a user runs it.
type subcommand struct {
	name  string // as in its usage line: "db build"
	run   func(args []string, stdout, stderr io.Writer) int
	pre   []string // the arguments that select it after run's name: {"build"}
	flags []*command
	// missing lacks a required argument; missingMsg is the complaint.
	missing    []string
	missingMsg string
	// fails names the file in file and cannot read it (exit 1).
	fails []string
}

// subcommands lists them; missing is a file that does not exist and out a
// file that may be written.
func subcommands(missing, out string) []subcommand {
	detectCmd, _ := detectCommand()
	solveCmd, _ := solveCommand()
	buildCmd := dbBuildCommand(new(dbBuildOptions))
	replayCmd, _ := replayCommand()
	return []subcommand{
		{name: "detect", run: Detect, flags: []*command{detectCmd},
			missingMsg: "no image given", fails: []string{missing}},
		{name: "solve", run: Solve, flags: []*command{solveCmd},
			missingMsg: "no image given", fails: []string{missing}},
		{name: "db", run: DB, flags: []*command{buildCmd, dbInfoCommand()},
			missingMsg: "no subcommand given (want build or info)"},
		{name: "db build", run: DB, pre: []string{"build"}, flags: []*command{buildCmd},
			missing: []string{"--catalog", missing, "--fov-min", "8"}, missingMsg: "need --catalog, --fov-min, --fov-max and -o",
			fails: []string{"--catalog", missing, "--fov-min", "8", "--fov-max", "20", "-o", out}},
		{name: "db info", run: DB, pre: []string{"info"}, flags: []*command{dbInfoCommand()},
			missingMsg: "want one database FILE, got 0 arguments", fails: []string{missing}},
		{name: "replay", run: Replay, flags: []*command{replayCmd},
			missingMsg: "want one recording FILE, got 0 arguments", fails: []string{missing}},
	}
}

// TestSubcommandConventions checks what every subcommand does with --help,
// a bad flag, a missing argument and a file it cannot read.
func TestSubcommandConventions(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	for _, sc := range subcommands(missing, filepath.Join(t.TempDir(), "x.db")) {
		cases := []struct {
			name   string
			args   []string
			code   int
			stdout []string // all present; none: stdout must be empty
			stderr []string // all present; none: stderr must be empty
		}{
			{"--help", []string{"--help"}, 0, []string{"usage: pifinder " + sc.name}, nil},
			{"-h", []string{"-h"}, 0, []string{"usage: pifinder " + sc.name}, nil},
			{"bad flag", []string{"--no-such-flag"}, 2, nil,
				[]string{sc.name + ": flag provided but not defined: -", "no-such-flag", "usage: pifinder " + sc.name, "pifinder " + sc.name + " --help"}},
			{"missing argument", sc.missing, 2, nil,
				[]string{sc.name + ": " + sc.missingMsg + "\n", "usage: pifinder " + sc.name, "pifinder " + sc.name + " --help"}},
		}
		if sc.fails != nil {
			cases = append(cases, struct {
				name           string
				args           []string
				code           int
				stdout, stderr []string
			}{"unreadable file", sc.fails, 1, nil, []string{sc.name + ": " + missing + ": no such file or directory\n"}})
		}
		for _, tc := range cases {
			t.Run(sc.name+"/"+tc.name, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := sc.run(append(append([]string(nil), sc.pre...), tc.args...), &stdout, &stderr)
				if code != tc.code {
					t.Errorf("exit %d, want %d", code, tc.code)
				}
				check := func(stream string, got string, want []string) {
					if len(want) == 0 && got != "" {
						t.Errorf("%s not empty:\n%s", stream, got)
					}
					for _, w := range want {
						if !strings.Contains(got, w) {
							t.Errorf("%s lacks %q:\n%s", stream, w, got)
						}
					}
				}
				check("stdout", stdout.String(), tc.stdout)
				check("stderr", stderr.String(), tc.stderr)
				if p := sc.name + ": " + sc.name + ":"; strings.Contains(stderr.String(), p) {
					t.Errorf("doubled prefix %q in stderr:\n%s", p, stderr.String())
				}
				if tc.code == 1 && strings.Count(stderr.String(), missing) != 1 {
					t.Errorf("stderr should name the file once:\n%s", stderr.String())
				}
				if tc.code != 0 {
					return
				}
				// The help describes every flag.
				for _, c := range sc.flags {
					c.fs.VisitAll(func(f *flag.Flag) {
						_, usage := flag.UnquoteUsage(f)
						if !strings.Contains(stdout.String(), "  -"+f.Name) || !strings.Contains(stdout.String(), usage) {
							t.Errorf("help does not describe -%s (%s):\n%s", f.Name, usage, stdout.String())
						}
					})
				}
			})
		}
	}
}

func TestDBHelpWords(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-help"}} {
		var stdout, stderr bytes.Buffer
		if code := DB(args, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
			t.Errorf("db %v: exit %d, stderr %q", args, code, stderr.String())
		}
		for _, want := range []string{"usage: pifinder db build", "usage: pifinder db info FILE"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("db %v: help lacks %q", args, want)
			}
		}
	}
}

func TestFileError(t *testing.T) {
	cases := []struct {
		name, file, err, want string
	}{
		{"tagged, file first", "a.db", "solver: a.db: db: bad magic", "a.db: bad magic"},
		{"tagged, no file", "a.db", "db: truncated file", "a.db: truncated file"},
		{"read op", "c.csv", "catalog: read c.csv: catalog: bad format: x", "c.csv: bad format: x"},
		{"file named later", "o.db", "write o.db: open .db-1: permission denied", "write o.db: open .db-1: permission denied"},
		{"no file", "", "solver: embedded database: bad", "embedded database: bad"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := fileError(tc.file, errorString(tc.err)); got != tc.want {
				t.Errorf("fileError(%q, %q) = %q, want %q", tc.file, tc.err, got, tc.want)
			}
		})
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
