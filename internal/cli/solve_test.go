package cli

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pifinder-go/pifinder/solver/db"
)

const images = "../../../shared/sky/images"

func needImages(t *testing.T) {
	if _, err := os.Stat(filepath.Join(images, "orion_bad.png")); err != nil {
		t.Skipf("real frames not available (%v): run from a checkout with ../shared/sky", err)
	}
}

func TestSolveJSON(t *testing.T) {
	needImages(t)
	var stdout, stderr bytes.Buffer
	args := []string{"--json", "--target-pixel", "256,256", filepath.Join(images, "orion_bad.png"), filepath.Join(images, "empty.png")}
	if code := Solve(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), stdout.String())
	}
	keys := []string{"image", "solved", "ra_deg", "dec_deg", "roll_deg", "fov_deg", "distortion", "matches",
		"rmse_arcsec", "prob", "stars_detected", "t_detect_ms", "t_solve_ms"}
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %q", i, k)
			}
		}
		solved := m["solved"].(bool)
		if want := i == 0; solved != want {
			t.Errorf("line %d: solved %v, want %v", i, solved, want)
		}
		if solved {
			for _, k := range []string{"ra_target_deg", "dec_target_deg"} {
				if _, ok := m[k]; !ok {
					t.Errorf("line %d lacks %q", i, k)
				}
			}
			if ra := m["ra_deg"].(float64); ra < 85 || ra > 85.4 {
				t.Errorf("orion_bad RA %v", ra)
			}
		}
	}
}

func TestSolveText(t *testing.T) {
	needImages(t)
	var stdout, stderr bytes.Buffer
	if code := Solve([]string{"--fov-estimate", "10.2", filepath.Join(images, "pifinder_debug_01.png")}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "RA 296.") {
		t.Errorf("output %q", stdout.String())
	}
}

func TestSolveErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no image", nil, 2, "no image"},
		{"missing file", []string{"/nonexistent/x.png"}, 1, "x.png"},
		{"not an image", []string{"solve_test.go"}, 1, "solve_test.go"},
		{"bad target", []string{"--target-pixel", "12", "x.png"}, 2, "target-pixel"},
		{"bad flag", []string{"--nope"}, 2, "nope"},
		{"bad db", []string{"--db", "solve_test.go", "x.png"}, 1, "magic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Solve(tc.args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.msg)
			}
		})
	}
}

func TestSolveHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Solve([]string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"-json", "-fov-estimate", "-fov-max-error", "-target-pixel", "-db", "-annotate", "-sigma", "OUT-<"} {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("help lacks %s", f)
		}
	}
}

func TestAnnotate(t *testing.T) {
	needImages(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ann.png")
	var stdout, stderr bytes.Buffer
	args := []string{"--annotate", out, "--target-pixel", "100,200", filepath.Join(images, "orion_bad.png"), filepath.Join(images, "random.png")}
	if code := Solve(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range []string{"ann-orion_bad.png", "ann-random.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
			t.Errorf("%s: %v", name, b)
		}
		// The target cross is red.
		if r, g, _, _ := img.At(200, 100).RGBA(); r < 0xf000 || g > 0x4000 {
			t.Errorf("%s: no target mark at (200,100)", name)
		}
	}
}

func TestAnnotateName(t *testing.T) {
	cases := []struct {
		out, image string
		n          int
		want       string
	}{
		{"a.png", "x/y.jpg", 1, "a.png"},
		{"a.png", "x/y.jpg", 2, "a-y.png"},
		{"dir/a", "x/y.tiff", 3, "dir/a-y.png"},
	}
	for _, tc := range cases {
		if got := annotateName(tc.out, tc.image, tc.n); got != tc.want {
			t.Errorf("annotateName(%q, %q, %d) = %q, want %q", tc.out, tc.image, tc.n, got, tc.want)
		}
	}
}

func TestDBInfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	if err := os.WriteFile(path, db.DefaultBytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := DB([]string{"info", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "integrity: ok") {
		t.Errorf("info: %s", stdout.String())
	}
	if code := DB([]string{"frobnicate"}, &stdout, &stderr); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
