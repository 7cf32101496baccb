package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpenNoPath(t *testing.T) {
	if f, err := Open(""); f != nil || err == nil {
		t.Errorf("Open(\"\") = %v, %v; want nil and an error", f, err)
	}
}

// TestOpenCorruptUsesDefaults: Open of a corrupt file reports it, sets it
// aside and serves the defaults; the next Update writes a good file.
func TestOpenCorruptUsesDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"camera_lens": `), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if !errors.Is(err, ErrCorrupt) || f == nil {
		t.Fatalf("Open = %v, %v; want a File and ErrCorrupt", f, err)
	}
	if diff := cmp.Diff(Default(), f.Current()); diff != "" {
		t.Errorf("corrupt file did not give defaults:\n%s", diff)
	}
	if m, _ := filepath.Glob(path + ".bad-*"); len(m) != 1 {
		t.Fatalf("backups %v, want one", m)
	}
	if err := f.Update(func(c *Config) { c.TargetPixel = [2]float64{1, 2} }); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path); err != nil || c.TargetPixel != [2]float64{1, 2} {
		t.Errorf("reload: %v %v", c.TargetPixel, err)
	}
}

// TestOpenInvalidRewrites: out-of-range values are reset at Open and the
// next Update writes the repaired file, keeping the rest.
func TestOpenInvalidRewrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"camera_lens": "25mm", "camera_gain": -4, "display_brightness": 9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if err := f.Update(func(c *Config) { c.TargetPixel = [2]float64{3, 4} }); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.CameraLens != "25mm" || c.CameraGain != 20 || c.TargetPixel != [2]float64{3, 4} || string(c.Extra["display_brightness"]) != "9" {
		t.Errorf("reload: %+v (%v)", c, err)
	}
}

// TestUnreadableNotOverwritten: a file that exists but cannot be read is
// never replaced by the defaults.
func TestUnreadableNotOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.Mkdir(path, 0o755); err != nil { // reading a directory fails
		t.Fatal(err)
	}
	f, err := Open(path)
	if err == nil || errors.Is(err, ErrCorrupt) || f == nil {
		t.Fatalf("Open = %v, %v; want a File and a read error", f, err)
	}
	if diff := cmp.Diff(Default(), f.Current()); diff != "" {
		t.Errorf("unreadable file did not give defaults:\n%s", diff)
	}
	err = f.Update(func(c *Config) { c.CameraLens = "12mm" })
	if err == nil || !strings.Contains(err.Error(), "could not be read") {
		t.Errorf("Update over an unreadable file: %v", err)
	}
	if f.Current().CameraLens != "" {
		t.Errorf("refused Update changed Current")
	}
}

func TestUpdateRefusesInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	f, _ := Open(path)
	if err := f.Update(func(c *Config) { c.CameraLens = "16mm" }); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for name, fn := range map[string]func(*Config){
		"nan pixel":    func(c *Config) { c.TargetPixel[0] = math.NaN() },
		"bad sleep":    func(c *Config) { c.SleepTimeout = "soon" },
		"bad location": func(c *Config) { c.Locations = append(c.Locations, Location{Name: "x", Lat: 91}) },
	} {
		err := f.Update(func(c *Config) { c.CameraLens = "25mm"; fn(c) })
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "not saved") {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	// Not JSON-encodable but not range-checked either: refused too.
	if err := f.Update(func(c *Config) { c.Locations = []Location{{Name: "x", ErrorM: math.Inf(1)}} }); err == nil {
		t.Errorf("an infinite error_in_m was saved")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("refused updates changed the file:\n%s", after)
	}
	if c := f.Current(); c.CameraLens != "16mm" || len(c.Locations) != 0 {
		t.Errorf("refused updates changed Current: %+v", c)
	}
}

// TestUpdateNormalises: Current after Update is what a reload gives.
func TestUpdateNormalises(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	f, _ := Open(path)
	err := f.Update(func(c *Config) {
		c.ScreenDirection = "v4_left"
		c.Locations = nil
		c.Extra = map[string]json.RawMessage{"a": json.RawMessage("[1, 2]"), "bad": json.RawMessage("{"), "camera_gain": json.RawMessage("3")}
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, f.Current()); diff != "" {
		t.Errorf("Current differs from the reloaded file (-file +current):\n%s", diff)
	}
	if got.ScreenDirection != "rev4_left" || string(got.Extra["a"]) != "[1,2]" || len(got.Extra) != 1 {
		t.Errorf("reloaded %+v", got)
	}
}

func TestCurrentIsACopy(t *testing.T) {
	f, _ := Open(filepath.Join(t.TempDir(), "config.json"))
	if err := f.Update(func(c *Config) {
		c.Locations = []Location{{Name: "a"}}
		c.Extra = map[string]json.RawMessage{"k": json.RawMessage("1")}
	}); err != nil {
		t.Fatal(err)
	}
	c := f.Current()
	c.Locations[0].Name = "changed"
	c.Extra["k"][0] = '2'
	c.Extra["new"] = json.RawMessage("0")
	if d := f.Current(); d.Locations[0].Name != "a" || string(d.Extra["k"]) != "1" || len(d.Extra) != 1 {
		t.Errorf("changing a copy changed the File: %+v", d)
	}
	// Nor does a refused Update that changed its argument in place.
	_ = f.Update(func(c *Config) { c.Locations[0].Name = "b"; c.CameraGain = -1 })
	if d := f.Current(); d.Locations[0].Name != "a" {
		t.Errorf("refused Update leaked a change: %+v", d.Locations)
	}
}

// TestConcurrentUpdates: concurrent writers never lose each other's change,
// and readers always see a complete config.
func TestConcurrentUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	f, _ := Open(path)
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			err := f.Update(func(c *Config) {
				c.Locations = append(c.Locations, Location{Name: fmt.Sprint(i)})
				c.TargetPixel[0]++
			})
			if err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			c := f.Current()
			if int(c.TargetPixel[0])-256 != len(c.Locations) {
				t.Errorf("torn read: pixel %v with %d locations", c.TargetPixel, len(c.Locations))
			}
		}()
	}
	wg.Wait()
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Locations) != n || c.TargetPixel[0] != 256+n {
		t.Errorf("file has %d locations and pixel %v, want %d and %d", len(c.Locations), c.TargetPixel, n, 256+n)
	}
	if diff := cmp.Diff(c, f.Current()); diff != "" {
		t.Errorf("Current differs from the file:\n%s", diff)
	}
}

// TestErrorsNameTheFileOnce: errors read "config <path>: <problem>", with
// no repeated "config:" prefix or path.
func TestErrorsNameTheFileOnce(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "bad.json")
	invalid := filepath.Join(dir, "range.json")
	unreadable := filepath.Join(dir, "dir.json")
	_ = os.WriteFile(corrupt, []byte(`{`), 0o644)
	_ = os.WriteFile(invalid, []byte(`{"camera_gain": -1}`), 0o644)
	_ = os.Mkdir(unreadable, 0o755)
	_, errCorrupt := Load(corrupt)
	_, errInvalid := Load(invalid)
	_, errRead := Load(unreadable)
	// The settings directory is created at the first save; a file in its
	// place makes the save fail.
	noDir, _ := Open(filepath.Join(dir, "gone", "config.json"))
	_ = os.WriteFile(filepath.Join(dir, "gone"), nil, 0o600)
	errSave := noDir.Update(func(*Config) {})
	for _, tc := range []struct {
		err    error
		path   string
		prefix string
	}{
		{errCorrupt, corrupt, "config " + corrupt + ": corrupt file: "},
		{errInvalid, invalid, "config " + invalid + ": invalid values: camera_gain"},
		{errRead, unreadable, "config " + unreadable + ": read: "},
		{errSave, filepath.Join(dir, "gone", "config.json"), "config " + filepath.Join(dir, "gone", "config.json") + ": save: create directory: "},
	} {
		if tc.err == nil {
			t.Errorf("no error for %s", tc.path)
			continue
		}
		msg := tc.err.Error()
		if !strings.HasPrefix(msg, tc.prefix) {
			t.Errorf("error %q, want prefix %q", msg, tc.prefix)
		}
		if strings.Count(msg, "config:") > 0 || strings.Count(msg, "config ") != 1 {
			t.Errorf("error %q repeats the prefix", msg)
		}
		if strings.Count(msg, tc.path+":") != 1 {
			t.Errorf("error %q names %s more than once", msg, tc.path)
		}
	}
	if !errors.Is(errCorrupt, ErrCorrupt) || !errors.Is(errInvalid, ErrInvalid) || !errors.Is(errSave, syscall.ENOTDIR) {
		t.Errorf("errors do not wrap their causes: %v / %v / %v", errCorrupt, errInvalid, errSave)
	}
}
