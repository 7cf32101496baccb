package replay

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/state/statetest"

	"github.com/rs/zerolog"
)

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReplayFolder(t *testing.T) {
	dir := t.TempDir()
	// a.png: 640×480, bright side bands that the centre crop removes.
	a := gray(100, 640, 480)
	for y := 0; y < 480; y++ {
		for x := 0; x < 80; x++ {
			a.Pix[y*a.Stride+x], a.Pix[y*a.Stride+639-x] = 255, 255
		}
	}
	writePNG(t, filepath.Join(dir, "a.png"), a)
	if err := os.WriteFile(filepath.Join(dir, "b.png"), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Join(dir, "c.png"), gray(30, 256, 256))
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		log := &statetest.LogBuffer{}
		src, err := New(Config{Log: zerolog.New(log), Path: dir, Interval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if n := len(src.Files()); n != 3 {
			t.Fatalf("%d files listed, want 3", n)
		}
		ctx := context.Background()
		var names []string
		for i := 0; i < 8; i++ {
			f, err := src.Capture(ctx, camera.Settings{ExposureUS: 500000, Gain: 1})
			if err != nil {
				t.Fatal(err)
			}
			if f.Gray.Rect.Dx() != 512 || f.Gray.Rect.Dy() != 512 {
				t.Fatalf("frame size %v", f.Gray.Rect)
			}
			want := map[string]uint8{"a.png": 100, "c.png": 30}[f.Meta.Name]
			for _, p := range []int{0, 511, 512 * 256, 512*512 - 1} {
				if f.Gray.Pix[p] != want {
					t.Fatalf("%s pixel %d = %d, want %d", f.Meta.Name, p, f.Gray.Pix[p], want)
				}
			}
			names = append(names, f.Meta.Name)
			f.Release()
		}
		// Two captures of 0.5 s per file, b.png skipped.
		want := []string{"a.png", "a.png", "c.png", "c.png", "a.png", "a.png", "c.png", "c.png"}
		for i := range want {
			if names[i] != want[i] {
				t.Fatalf("sequence %v, want %v", names, want)
			}
		}
		if n := log.Count("b.png"); n != 1 {
			t.Fatalf("%d log lines about the bad file, want 1:\n%s", n, log)
		}
	})
}

func TestReplayErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := New(Config{Path: dir}); err == nil {
		t.Fatal("empty folder accepted")
	}
	if err := os.WriteFile(filepath.Join(dir, "x.png"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := New(Config{Path: filepath.Join(dir, "*.png"), Interval: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Capture(context.Background(), camera.Settings{ExposureUS: 1, Gain: 1}); err == nil {
		t.Fatal("all-unreadable replay produced a frame")
	}
	if _, err := New(Config{}); err == nil {
		t.Fatal("replay without a path accepted")
	}
}

// TestReplaySharedSky replays the real frames of ../shared/sky.
func TestReplaySharedSky(t *testing.T) {
	dir := "../../../shared/sky/images"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared sky images absent (%s): %v", dir, err)
	}
	src, err := New(Config{Path: dir, Interval: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	n := len(src.Files())
	n = min(n, 6)
	if testing.Short() {
		n = min(n, 2)
	}
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		f, err := src.Capture(context.Background(), camera.Settings{ExposureUS: 1, Gain: 1})
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := uint8(255), uint8(0)
		for _, v := range f.Gray.Pix {
			lo, hi = min(lo, v), max(hi, v)
		}
		if f.Gray.Rect.Dx() != 512 || hi <= lo {
			t.Fatalf("%s: size %v, range %d..%d", f.Meta.Name, f.Gray.Rect, lo, hi)
		}
		seen[f.Meta.Name] = true
		f.Release()
	}
	if len(seen) != n {
		t.Fatalf("%d distinct frames of %d", len(seen), n)
	}
}

func gray(v uint8, w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = v
	}
	return g
}
