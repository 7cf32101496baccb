package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/resident"
)

// TestMain lets the memory test run the binary's main path in a child
// process (this test binary, PIFINDER_TEST_MAIN=1), so the child's resident
// set is the pipeline's own and not the test runner's.
func TestMain(m *testing.M) {
	if os.Getenv("PIFINDER_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// maxResident is the resident-set budget of the sim pipeline on the Pi
// (issue #15): VmHWM, the peak, after start and a few seconds of running.
const maxResident = 40 << 20

// TestMemoryAfterStart runs the sim pipeline for 6 s in a child process and
// checks its peak resident set (VmHWM) against the budget: it fails if the
// embedded database's pages stay resident beside the decoded copy, if the
// heap may double before a collection, or if start-up allocates more.
func TestMemoryAfterStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline for 6 s; full suite only")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory use")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	cmd := exec.Command(os.Args[0], "--duration", "6s", "--config", filepath.Join(t.TempDir(), "c.json"),
		"--http", "", "--lx200", "", "--log-format", "json", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "PIFINDER_TEST_MAIN=1", "GOMEMLIMIT=", "GOGC=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	status := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status"
	var last resident.Status
	deadline := time.Now().Add(5500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(status); err == nil {
			if s, err := resident.ParseStatus(b); err == nil {
				last = s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	t.Logf("VmHWM %.1f MB, VmRSS %.1f MB (anon %.1f, file %.1f)", mb(last.HWM), mb(last.RSS), mb(last.Anon), mb(last.File))
	if last.HWM == 0 {
		t.Fatal("no status read")
	}
	if last.HWM > maxResident {
		t.Errorf("VmHWM %.1f MB, budget %.0f MB", mb(last.HWM), mb(maxResident))
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
