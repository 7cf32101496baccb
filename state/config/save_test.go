package config

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
)

// TestUpdateCreatesDirectory: on a fresh install the settings directory
// (~/.config/pifinder-go, and ~/.config itself) does not exist yet; the
// first save creates it, private (0700).
func TestUpdateCreatesDirectory(t *testing.T) {
	cases := []struct {
		name    string
		missing []string // directories below the temporary one, outermost first
	}{
		{"one level", []string{"pifinder-go"}},
		{"two levels", []string{".config", "pifinder-go"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(append([]string{base}, tc.missing...)...)
			path := filepath.Join(dir, "config.json")
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Update(func(c *Config) { c.TargetPixel = [2]float64{250, 260} }); err != nil {
				t.Fatalf("first save: %v", err)
			}
			if c, err := Load(path); err != nil || c.TargetPixel != [2]float64{250, 260} {
				t.Errorf("reload: %v %v", c.TargetPixel, err)
			}
			if runtime.GOOS == "windows" {
				return
			}
			for i := range tc.missing {
				d := filepath.Join(append([]string{base}, tc.missing[:i+1]...)...)
				fi, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o700 {
					t.Errorf("%s: mode %v, want 0700", d, got)
				}
			}
		})
	}
}

// TestUpdateMode: a new settings file is private (0600, it may hold the API
// token); an existing file keeps the mode the user gave it.
func TestUpdateMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	cases := []struct {
		name     string
		existing fs.FileMode // 0: no file
		content  string      // of the existing file
		want     fs.FileMode
	}{
		{"new file", 0, "", 0o600},
		{"private kept", 0o600, `{"api_token": "s3cret"}`, 0o600},
		{"group kept", 0o640, `{}`, 0o640},
		{"public kept", 0o644, `{}`, 0o644},
		// A file found corrupt at Open was set aside: the new one is new.
		{"corrupt at open", 0o644, `{"api_token": `, 0o600},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if tc.existing != 0 {
				writeMode(t, path, tc.content, tc.existing)
			}
			f, _ := Open(path)
			for i := range 2 { // the second save sees the file the first wrote
				if err := f.Update(func(c *Config) { c.CameraGain = float64(10 + i) }); err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != tc.want {
					t.Errorf("save %d: mode %v, want %v", i+1, got, tc.want)
				}
			}
		})
	}
}

// writeMode writes content to path with exactly mode perm (no umask).
func writeMode(t *testing.T, path, content string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateAfterCorruptionWhileRunning: the file is damaged after Open (a
// crash of another writer, a bad hand edit, a full SD card). The next save
// keeps what the process knows (its settings plus the change: api_token
// and locations are not lost), sets the damaged copy aside as at Open, keeps
// the file's mode and logs that it happened.
func TestUpdateAfterCorruptionWhileRunning(t *testing.T) {
	cases := []struct {
		name    string
		damage  string // what the file holds when the save starts
		backups int
	}{
		{"truncated", `{"api_token": "s3cr`, 1},
		{"garbage", "\x00\x00\x00\x00", 1},
		{"wrong types", `{"locations": "home"}`, 1},
		{"emptied", ``, 1},
		{"valid but stale", `{"camera_gain": 99}`, 0}, // not corrupt: overwritten, nothing set aside
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			home := Location{Name: "home", Lat: 50.1, Lon: 8.7, AltitudeM: 110, Source: "GPS", IsDefault: true}
			good := Default()
			good.APIToken = "s3cret"
			good.Locations = []Location{home}
			good.CameraLens = "25mm"
			data, err := Marshal(good)
			if err != nil {
				t.Fatal(err)
			}
			writeMode(t, path, string(data), 0o600)
			var log bytes.Buffer
			f, err := Open(path, WithLogger(testLogger(&log)))
			if err != nil {
				t.Fatal(err)
			}
			writeMode(t, path, tc.damage, 0o600)

			if err := f.Update(func(c *Config) { c.TargetPixel = [2]float64{240, 270} }); err != nil {
				t.Fatalf("save: %v", err)
			}
			want := good
			want.TargetPixel = [2]float64{240, 270}
			got, err := Load(path)
			if err != nil {
				t.Fatalf("reload: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("saved file (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, f.Current()); diff != "" {
				t.Errorf("Current (-want +got):\n%s", diff)
			}
			if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
				t.Errorf("mode of the rewritten file: %v %v, want 0600", fi.Mode(), err)
			}
			backups, _ := filepath.Glob(path + ".bad-*")
			if len(backups) != tc.backups {
				t.Fatalf("backups %v, want %d", backups, tc.backups)
			}
			if tc.backups == 0 {
				if log.Len() != 0 {
					t.Errorf("logged %q for a file that was not corrupt", log.String())
				}
				return
			}
			if b, err := os.ReadFile(backups[0]); err != nil || string(b) != tc.damage {
				t.Errorf("backup holds %q (%v), want the damaged file %q", b, err, tc.damage)
			}
			if fi, err := os.Stat(backups[0]); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
				t.Errorf("backup mode %v %v, want the damaged file's 0600", fi.Mode(), err)
			}
			lines := strings.Split(strings.TrimSpace(log.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], backups[0]) || !strings.Contains(lines[0], "corrupt file") ||
				!strings.Contains(lines[0], `"level":"warn"`) {
				t.Errorf("log %q, want one warning naming the backup %s", log.String(), backups[0])
			}
		})
	}
}

// TestUpdateRefusesUnreadable: a file that became unreadable while running
// (here: replaced by a directory) is not written over; the save fails,
// naming the file, and Current is unchanged.
func TestUpdateRefusesUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	f, _ := Open(path)
	if err := f.Update(func(c *Config) { c.CameraLens = "16mm" }); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := f.Update(func(c *Config) { c.CameraLens = "25mm" })
	if err == nil || !strings.HasPrefix(err.Error(), "config "+path+": not saved: read: ") {
		t.Errorf("save over an unreadable file: %v", err)
	}
	if c := f.Current(); c.CameraLens != "16mm" {
		t.Errorf("refused save changed Current: %q", c.CameraLens)
	}
	if fi, err := os.Stat(filepath.Join(path, "child")); err != nil || !fi.IsDir() {
		t.Errorf("the directory was touched: %v", err)
	}
}

// TestUpdateDirectoryCannotBeCreated: a settings directory that cannot be
// created (here: a file took its name after Open) is reported, naming the
// settings file once.
func TestUpdateDirectoryCannotBeCreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pifinder-go")
	path := filepath.Join(dir, "config.json")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err = f.Update(func(*Config) {})
	if err == nil || !strings.HasPrefix(err.Error(), "config "+path+": save: create directory: ") || !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("err = %v, want a create directory error", err)
	}
}

// testLogger writes JSON lines to w.
func testLogger(w *bytes.Buffer) zerolog.Logger { return zerolog.New(w) }
