package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pifinder-go/pifinder/solver/db"
)

const hip8 = "../../../shared/catalog/hip8.csv"

// TestEmbeddedIsFresh rebuilds the embedded database with the go:generate
// command and compares the bytes.
func TestEmbeddedIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full database")
	}
	if _, err := os.Stat(hip8); err != nil {
		t.Skipf("catalogue not available (%v): run from a checkout with ../shared", err)
	}
	out := filepath.Join(t.TempDir(), "fresh.db")
	var stdout, stderr bytes.Buffer
	args := []string{"build", "--catalog", hip8, "--fov-min", "8", "--fov-max", "23", "--epoch", "2026.0", "-o", out}
	if code := DB(args, &stdout, &stderr); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr.String())
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, db.DefaultBytes()) {
		t.Fatal("embedded default.db differs from a fresh build: run go generate ./solver/db")
	}
}

func TestCommandInfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	if err := os.WriteFile(path, db.DefaultBytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := DB([]string{"info", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"format version: 1", "FOV range", "epoch: 2026.00", "patterns:", "integrity: ok"} {
		if !bytes.Contains(stdout.Bytes(), []byte(want)) {
			t.Errorf("info output lacks %q:\n%s", want, stdout.String())
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, db.DefaultBytes()[:1000], 0o644)
	stdout.Reset()
	stderr.Reset()
	if code := DB([]string{"info", bad}, &stdout, &stderr); code != 1 {
		t.Errorf("info on a truncated file: exit %d, want 1", code)
	}
	if want := "db info: " + bad + ": "; !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("info on a truncated file: stderr %q, want one line starting %q", stderr.String(), want)
	}
	stdout.Reset()
	if code := DB([]string{"build", "--help"}, &stdout, &stderr); code != 0 {
		t.Errorf("build --help: exit %d", code)
	}
	for _, flag := range []string{"catalog", "fov-min", "fov-max", "mag-limit", "epoch", "-o"} {
		if !bytes.Contains(stdout.Bytes(), []byte(flag)) {
			t.Errorf("build --help does not document %s", flag)
		}
	}
}
