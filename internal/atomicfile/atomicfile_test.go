package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := os.WriteFile(path, []byte("old contents, longer than the new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new" {
		t.Fatalf("contents %q (%v), want \"new\"", b, err)
	}
	// The existing file's mode is kept; perm is for a new file.
	if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("mode %v (%v), want 0600 (kept)", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want 1: %v", len(entries), entries)
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	// Renaming a file over a non-empty directory fails after the temporary
	// file was written: path must be unchanged and no temporary file left.
	path := filepath.Join(dir, "target")
	if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Write(path, []byte("x"), 0o644)
	if err == nil || !strings.HasPrefix(err.Error(), "rename: ") {
		t.Fatalf("err = %v, want a rename error", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "target" {
		t.Errorf("directory holds %v, want only target", entries)
	}

	err = Write(filepath.Join(dir, "no", "such", "f"), []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "create temporary file: ") {
		t.Errorf("missing directory: %v", err)
	}
}

// TestWriteMode: a new file gets perm; an existing file keeps its mode, so
// a file the user made private (an API token in it) stays private.
func TestWriteMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	cases := []struct {
		name     string
		existing fs.FileMode // 0: no file yet
		perm     fs.FileMode
		want     fs.FileMode
	}{
		{"new private", 0, 0o600, 0o600},
		{"new public", 0, 0o644, 0o644},
		{"private kept", 0o600, 0o644, 0o600},
		{"group kept", 0o640, 0o600, 0o640},
		{"public kept", 0o644, 0o600, 0o644},
		{"read-only kept", 0o400, 0o600, 0o400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			if tc.existing != 0 {
				if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.existing); err != nil { // not subject to the umask
					t.Fatal(err)
				}
			}
			if err := Write(path, []byte("new"), tc.perm); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tc.want {
				t.Errorf("mode %v, want %v", got, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != "new" {
				t.Errorf("contents %q", b)
			}
		})
	}
}
