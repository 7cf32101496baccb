package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
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

// grayPNG writes a w×h PNG of faint noise.
func grayPNG(t *testing.T, w, h int) string {
	t.Helper()
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = uint8(10 + i*7%3)
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("noise-%dx%d.png", w, h))
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, g); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSolveTargetPixel: a malformed or negative --target-pixel is bad usage
// (exit 2, nothing solved); one outside an image is that image's error
// (exit 1, the image is not solved, the others are); the image's edges are
// inside.
func TestSolveTargetPixel(t *testing.T) {
	small, big := grayPNG(t, 96, 64), grayPNG(t, 200, 150)
	cases := []struct {
		name   string
		target string
		images []string
		code   int
		lines  int    // lines on stdout
		stderr string // "" for none
	}{
		{"inside", "32,48", []string{small}, 0, 1, ""},
		{"far corner", "64,96", []string{small}, 0, 1, ""},
		{"origin", "0,0", []string{small}, 0, 1, ""},
		{"below", "64.5,10", []string{small}, 1, 0, "solve: " + small + ": --target-pixel 64.5,10 is outside the 96x64 image (Y 0..64, X 0..96)\n"},
		{"right of", "10,97", []string{small}, 1, 0, "solve: " + small + ": --target-pixel 10,97 is outside the 96x64 image (Y 0..64, X 0..96)\n"},
		{"outside one of two", "100,100", []string{small, big}, 1, 1, "solve: " + small + ": --target-pixel 100,100 is outside the 96x64 image (Y 0..64, X 0..96)\n"},
		{"negative", "-1,10", []string{small}, 2, 0, `solve: --target-pixel "-1,10": want two non-negative pixel coordinates Y,X`},
		{"NaN", "NaN,10", []string{small}, 2, 0, `solve: --target-pixel "NaN,10": want two non-negative`},
		{"infinite", "10,+Inf", []string{small}, 2, 0, `solve: --target-pixel "10,+Inf": want two non-negative`},
		{"one number", "12", []string{small}, 2, 0, `solve: --target-pixel "12": want two numbers Y,X`},
		{"not a number", "a,b", []string{small}, 2, 0, `solve: --target-pixel "a,b": want two numbers Y,X`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Solve(append([]string{"--json", "--target-pixel", tc.target}, tc.images...), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, stderr.String())
			}
			if n := strings.Count(stdout.String(), "\n"); n != tc.lines {
				t.Errorf("%d lines on stdout, want %d:\n%s", n, tc.lines, stdout.String())
			}
			if tc.stderr == "" && stderr.Len() != 0 || !strings.HasPrefix(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q, want it to start with %q", stderr.String(), tc.stderr)
			}
			if tc.lines == 1 && !strings.Contains(stdout.String(), `"width":`) {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}

func TestSolveHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Solve([]string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"-json", "-fov-estimate", "-fov-max-error", "-target-pixel", "-db", "-annotate", "-sigma", "OUT-<", "ra_target_deg"} {
		if !strings.Contains(stdout.String(), f) {
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
