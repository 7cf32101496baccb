package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadMissingGivesDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "config.json"))
	if err != nil {
		t.Fatalf("Load of a missing file: %v", err)
	}
	if diff := cmp.Diff(Default(), c); diff != "" {
		t.Errorf("missing file (-want +got):\n%s", diff)
	}
}

func TestUpdateLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.TargetPixel = [2]float64{250.5, 261.25}
	want.CameraLens = "25mm"
	want.CameraExp = Exposure{US: 400000}
	want.SleepTimeout = "Off"
	want.IMUThresholdScale = 2
	want.Locations = []Location{{Name: "Home", Lat: 50.85, Lon: 4.35, AltitudeM: 60, Source: "MANUAL", IsDefault: true}}
	want.APIToken = "s3cret"
	want.Extra = map[string]json.RawMessage{"display_brightness": json.RawMessage(`255`)}
	if err := f.Update(func(c *Config) { *c = want }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, f.Current()); diff != "" {
		t.Errorf("Current after Update (-want +got):\n%s", diff)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "\n    \"camera_exp\": 400000,\n") {
		t.Errorf("file is not indented by 4 or camera_exp not numeric:\n%s", data)
	}
	// A new file holding the API token is private.
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v (%v), want 0600", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("Update left %d files in the directory, want 1", len(entries))
	}
}

func TestParse(t *testing.T) {
	def := Default()
	tests := []struct {
		name    string
		in      string
		want    func(c *Config)
		wantErr error
	}{
		{name: "empty object", in: `{}`, want: func(*Config) {}},
		{name: "pifinder file", in: `{"camera_exp": "auto", "camera_gain": 20, "target_pixel": [240, 270],
			"screen_direction": "v4_left", "sleep_timeout": "5m", "display_brightness": 255}`,
			want: func(c *Config) {
				c.TargetPixel = [2]float64{240, 270}
				c.ScreenDirection = "rev4_left"
				c.SleepTimeout = "5m"
				c.Extra = map[string]json.RawMessage{"display_brightness": json.RawMessage(`255`)}
			}},
		{name: "exposure as text", in: `{"camera_exp": "200000"}`, want: func(c *Config) { c.CameraExp = Exposure{US: 200000} }},
		{name: "exposure number", in: `{"camera_exp": 800000}`, want: func(c *Config) { c.CameraExp = Exposure{US: 800000} }},
		{name: "bad json", in: `{"camera_exp": `, wantErr: ErrCorrupt, want: func(*Config) {}},
		{name: "not an object", in: `[1,2]`, wantErr: ErrCorrupt, want: func(*Config) {}},
		{name: "null", in: `null`, wantErr: ErrCorrupt, want: func(*Config) {}},
		{name: "wrong type", in: `{"target_pixel": "centre"}`, wantErr: ErrCorrupt, want: func(*Config) {}},
		{name: "bad exposure word", in: `{"camera_exp": "fast"}`, wantErr: ErrCorrupt, want: func(*Config) {}},
		{name: "out of range kept others", in: `{"target_pixel": [-5, 10], "camera_lens": "12mm", "sleep_timeout": "soon"}`,
			wantErr: ErrInvalid, want: func(c *Config) { c.CameraLens = "12mm" }},
		{name: "bad location dropped", in: `{"locations": [{"name": "x", "latitude": 95}, {"name": "ok", "latitude": 10}]}`,
			wantErr: ErrInvalid, want: func(c *Config) { c.Locations = []Location{{Name: "ok", Lat: 10}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			want := def
			want.Locations = []Location{}
			tc.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadCorruptMovesAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte("{\"target_pixel\": [1, 2"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), path+".bad-") {
		t.Errorf("error %q does not name the backup", err)
	}
	if diff := cmp.Diff(Default(), c); diff != "" {
		t.Errorf("corrupt file did not give defaults:\n%s", diff)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("corrupt file still in place: %v", err)
	}
	matches, _ := filepath.Glob(path + ".bad-*")
	if len(matches) != 1 {
		t.Fatalf("backups = %v, want one", matches)
	}
	// Open of the backed-up path starts from defaults; the next Update
	// writes a fresh file and the backup stays.
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Update(func(c *Config) { c.CameraLens = "12mm" }); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path); err != nil || c.CameraLens != "12mm" {
		t.Errorf("reload after update: %v, lens %q", err, c.CameraLens)
	}
	if m, _ := filepath.Glob(path + ".bad-*"); len(m) != 1 {
		t.Errorf("backup lost: %v", m)
	}
}

func TestSleepTimeoutDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		d    time.Duration
		ok   bool
		fail bool
	}{{"30s", 30 * time.Second, true, false}, {"Off", 0, false, false}, {"2m", 2 * time.Minute, true, false}, {"-1s", 0, false, true}, {"x", 0, false, true}} {
		c := Default()
		c.SleepTimeout = tc.in
		d, ok, err := c.SleepTimeoutDuration()
		if d != tc.d || ok != tc.ok || (err != nil) != tc.fail {
			t.Errorf("%q: got (%v, %v, %v)", tc.in, d, ok, err)
		}
	}
}

// FuzzParse checks that no input panics, that Parse always returns a valid
// config, and that a parsed config survives Marshal/Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"camera_exp": "auto", "target_pixel": [256, 256], "locations": [{"name": "a", "latitude": 1}]}`))
	f.Add([]byte(`{"camera_exp": 1e400}`))
	f.Add([]byte(`{"sleep_timeout": "Off", "x": {"y": [1, null]}}`))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrInvalid) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if p := c.fix(Default()); len(p) > 0 {
			t.Fatalf("Parse returned invalid values: %v", p)
		}
		b, err := Marshal(c)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		c2, err := Parse(b)
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, b)
		}
		if diff := cmp.Diff(c, c2); diff != "" {
			t.Fatalf("not stable (-first +second):\n%s", diff)
		}
	})
}

func TestLoadInvalidKeepsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"camera_lens": "25mm", "imu_threshold_scale": -1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "imu_threshold_scale") {
		t.Fatalf("err = %v, want ErrInvalid naming imu_threshold_scale", err)
	}
	if c.CameraLens != "25mm" || c.IMUThresholdScale != 1 {
		t.Errorf("config %+v", c)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("file with invalid values was moved: %v", err)
	}
}
