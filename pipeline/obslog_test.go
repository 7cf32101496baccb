package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestDefaultObsLogPath(t *testing.T) {
	t.Setenv("HOME", "/home/astro")
	for _, tc := range []struct{ xdg, want string }{
		{"", "/home/astro/.local/share/pifinder-go/observations.db"},
		{"/data", "/data/pifinder-go/observations.db"},
		{"relative/dir", "/home/astro/.local/share/pifinder-go/observations.db"}, // the spec: ignore a relative value
	} {
		t.Setenv("XDG_DATA_HOME", tc.xdg)
		if got := DefaultObsLogPath(); got != tc.want {
			t.Errorf("XDG_DATA_HOME=%q: %q, want %q", tc.xdg, got, tc.want)
		}
	}
}

// TestCheckObsLogPath: the start-up check refuses what cannot become the
// log and creates nothing.
func TestCheckObsLogPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.db", "SQLite format 3\x00"+strings.Repeat("\x00", 84))
	empty := write("empty.db", "")
	text := write("notes.txt", "my observing notes\n")
	short := write("short.db", "SQLite")
	file := write("file", "x")
	for _, tc := range []struct {
		name, path, errHas string
	}{
		{"a SQLite file", good, ""},
		{"an empty file", empty, ""},
		{"missing, in an existing directory", filepath.Join(dir, "new.db"), ""},
		{"missing, directories to create", filepath.Join(dir, "a", "b", "new.db"), ""},
		{"a text file", text, "not a SQLite database"},
		{"a truncated header", short, "not a SQLite database"},
		{"a directory", dir, "not a regular file"},
		{"under a file", filepath.Join(file, "x.db"), "not a directory"},
		{"deeper under a file", filepath.Join(file, "a", "x.db"), "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkObsLogPath(tc.path)
			if (err == nil) != (tc.errHas == "") || err != nil && !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("check(%s) = %v, want %q", tc.path, err, tc.errHas)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the check created a directory: %v", err)
	}
}

// TestObsLogStartupError: a bad --obslog stops New with an error naming
// the flag; an empty one turns the log off.
func TestObsLogStartupError(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Pipeline{log: zerolog.Nop()}
	_, err := p.openObsLog(Config{ObsLogPath: bad})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Flag != "--obslog" || !strings.Contains(err.Error(), bad) {
		t.Fatalf("openObsLog = %v, want a --obslog ConfigError naming the file", err)
	}
	if l, err := p.openObsLog(Config{}); l != nil || err != nil {
		t.Errorf("empty path: %v %v, want the log off", l, err)
	}
	if len(p.closers) != 0 {
		t.Errorf("%d closers adopted for nothing opened", len(p.closers))
	}
}

// TestLazyObsLog: nothing is opened until get; get opens once; close
// closes and later gets fail.
func TestLazyObsLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "obs.db")
	p := &Pipeline{log: zerolog.Nop()}
	l, err := p.openObsLog(Config{ObsLogPath: path, Log: zerolog.Nop()})
	if err != nil || l == nil || len(p.closers) != 1 {
		t.Fatalf("openObsLog: %v %v, %d closers", l, err, len(p.closers))
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("opened at start: %v", err)
	}
	a, err := l.get()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := l.get()
	if a != b {
		t.Error("get opened the log twice")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("no file after get: %v", err)
	}
	p.close()
	if _, err := l.get(); err == nil {
		t.Error("get after close succeeded")
	}
	if err := l.close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}
