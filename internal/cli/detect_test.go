package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// detectTestImage writes a small PNG with two star-like spots.
func detectTestImage(t *testing.T) string {
	t.Helper()
	g := image.NewGray(image.Rect(0, 0, 96, 64))
	for i := range g.Pix {
		g.Pix[i] = uint8(10 + i*7%3)
	}
	spot := func(cx, cy int, peak uint8) {
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				v := peak / 4
				if dx == 0 && dy == 0 {
					v = peak
				} else if dx == 0 || dy == 0 {
					v = peak / 2
				}
				g.Pix[(cy+dy)*g.Stride+cx+dx] = v
			}
		}
	}
	spot(20, 20, 240)
	spot(70, 40, 120)
	p := filepath.Join(t.TempDir(), "two.png")
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

func TestDetectJSON(t *testing.T) {
	p := detectTestImage(t)
	var stdout, stderr bytes.Buffer
	if code := Detect([]string{"--json", p, p}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	sc := bufio.NewScanner(&stdout)
	lines := 0
	for sc.Scan() {
		lines++
		var r DetectRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Image != p || r.Width != 96 || r.Height != 64 || len(r.Stars) != 2 {
			t.Fatalf("record %+v", r)
		}
		if s := r.Stars[0]; math.Abs(s.X-20.5) > 0.02 || math.Abs(s.Y-20.5) > 0.02 || s.Peak != 240 {
			t.Errorf("brightest star %+v, want (20.5, 20.5) peak 240", s)
		}
		for _, k := range []string{`"x"`, `"y"`, `"brightness"`, `"peak"`, `"saturated"`, `"noise"`, `"t_detect_ms"`} {
			if !strings.Contains(sc.Text(), k) {
				t.Errorf("JSON lacks %s", k)
			}
		}
	}
	if lines != 2 {
		t.Errorf("%d lines, want 2", lines)
	}
}

func TestDetectText(t *testing.T) {
	p := detectTestImage(t)
	var stdout, stderr bytes.Buffer
	if code := Detect([]string{"--sigma", "6", "--max-stars", "1", p}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "stars 1") || !strings.Contains(out, "20.500") || strings.Contains(out, "70.500") {
		t.Errorf("unexpected table:\n%s", out)
	}
}

func TestDetectErrors(t *testing.T) {
	p := detectTestImage(t)
	bad := filepath.Join(t.TempDir(), "bad.png")
	os.WriteFile(bad, []byte("not an image"), 0o600)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no image", nil, 2, "no image given"},
		{"bad flag", []string{"--nope", p}, 2, "flag provided but not defined"},
		{"bad binning", []string{"--binning", "3", p}, 2, "--binning 1 or 2"},
		{"missing file", []string{filepath.Join(t.TempDir(), "missing.png")}, 1, "missing.png"},
		{"not an image", []string{bad, p}, 1, "bad.png"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Detect(tc.args, &stdout, &stderr); code != tc.code {
				t.Fatalf("exit %d, want %d (%s)", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.msg)
			}
		})
	}
}

func TestDetectHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Detect([]string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"-json", "-sigma", "-binning", "-max-stars", "-fwhm", "t_detect_ms"} {
		if !strings.Contains(stdout.String(), f) {
			t.Errorf("help lacks %s", f)
		}
	}
}

func TestDetectSharedFrames(t *testing.T) {
	const frame = "../../../shared/sky/images/pifinder_debug_01.png"
	if _, err := os.Stat(frame); err != nil {
		t.Skipf("shared sky frames absent: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := Detect([]string{"--json", frame, "../../../shared/sky/images/2019-07-29T204726_Alt60_Azi-135_Try1.tiff"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r DetectRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Stars) < 20 {
			t.Errorf("%s: only %d stars", r.Image, len(r.Stars))
		}
	}
}
