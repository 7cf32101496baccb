package rpicam

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fakeDir != "" {
		os.RemoveAll(fakeDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

var (
	fakeOnce sync.Once
	fakeDir  string
	fakeBin  string
	fakeErr  error
)

// fakeRpicam builds testdata/fakerpicam once per test binary.
func fakeRpicam(t testing.TB) string {
	t.Helper()
	fakeOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = "go"
		}
		fakeDir, fakeErr = os.MkdirTemp("", "fakerpicam")
		if fakeErr != nil {
			return
		}
		fakeBin = filepath.Join(fakeDir, "rpicam-raw")
		out, err := exec.Command(goBin, "build", "-o", fakeBin, "../../testdata/fakerpicam").CombinedOutput()
		if err != nil {
			fakeErr = fmt.Errorf("building the fake rpicam: %v\n%s", err, out)
		}
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	return fakeBin
}
