package rpicam

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/camera"
)

// These tests run the fake camera program with a helper of its own
// (FAKE_RPICAM_HELPER) that ignores SIGTERM and sleeps holding stdout and
// stderr, as a wrapper script's `sleep 3600` would: every restart and
// Close must end the helper too, and a helper must not keep the frame
// pipe open after the program is gone.

// goneWithin bounds the wait for a killed process to be gone: SIGKILL is
// delivered asynchronously.
const goneWithin = 3 * time.Second

// helperRec is one line of the fake's helper record: the helper's pid and
// its parent's, the camera program's.
type helperRec struct{ pid, ppid int }

// helpers reads the record the fake's helpers append to.
func helpers(t *testing.T, path string) []helperRec {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var hs []helperRec
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var h helperRec
		if _, err := fmt.Sscanf(line, "helper pid=%d ppid=%d", &h.pid, &h.ppid); err != nil {
			t.Fatalf("helper record %q: %v", line, err)
		}
		hs = append(hs, h)
	}
	return hs
}

// procStat returns a process's state letter and process group from
// /proc/<pid>/stat; ok is false when there is no such process.
func procStat(pid int) (state byte, pgid int, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, false
	}
	// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 {
		return 0, 0, false
	}
	pgid, err = strconv.Atoi(f[2])
	if err != nil {
		return 0, 0, false
	}
	return f[0][0], pgid, true
}

// running reports whether pid is a live process: a zombie is dead, only
// not yet reaped by its parent (for an orphaned helper, init, which in
// some containers never reaps).
func running(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	st, _, ok := procStat(pid)
	return ok && st != 'Z'
}

// groupRunning lists the live processes in process group pgid.
func groupRunning(pgid int) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, g, ok := procStat(pid); ok && g == pgid && st != 'Z' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// checkEnded fails the test unless, within goneWithin, every recorded
// helper and its camera program are gone and no process remains in the
// program's group.
func checkEnded(t *testing.T, when string, hs []helperRec) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(goneWithin); ; time.Sleep(20 * time.Millisecond) {
		left = left[:0]
		for _, h := range hs {
			if running(h.pid) {
				left = append(left, fmt.Sprintf("helper %d", h.pid))
			}
			if running(h.ppid) {
				left = append(left, fmt.Sprintf("camera program %d", h.ppid))
			}
			for _, pid := range groupRunning(h.ppid) {
				if pid != h.pid && pid != h.ppid {
					left = append(left, fmt.Sprintf("process %d of group %d", pid, h.ppid))
				}
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		t.Errorf("%s: still running after %v: %s", when, goneWithin, strings.Join(left, ", "))
	}
}

// openWithHelper opens the fake with a helper per start and returns it
// with the helper record's path. Its cleanup, which runs before the
// camera's Close, kills helpers a failing test left behind: they hold the
// pipe, so that Close could wait for the capture's whole deadline.
func openWithHelper(t *testing.T, env ...string) (*Camera, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "helpers")
	r := openFake(t, nil, append(env, "FAKE_RPICAM_HELPER="+path)...)
	t.Cleanup(func() {
		for _, h := range helpers(t, path) {
			cmd, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(h.pid), "cmdline"))
			if running(h.pid) && bytes.Contains(cmd, []byte("-helper")) {
				_ = syscall.Kill(h.pid, syscall.SIGKILL)
			}
		}
	})
	return r, path
}

// waitHelpers waits until the record holds n helpers.
func waitHelpers(t *testing.T, path string, n int) []helperRec {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if hs := helpers(t, path); len(hs) >= n {
			return hs
		}
	}
	t.Fatalf("%d helpers recorded, want %d", len(helpers(t, path)), n)
	return nil
}

// TestRpicamGroupEnded: each restart (a new exposure) and Close end the
// camera program's whole process group, helpers that ignore SIGTERM
// included, whether or not the program itself obeys SIGTERM.
func TestRpicamGroupEnded(t *testing.T) {
	for _, c := range []struct {
		name string
		env  []string
	}{
		{"program obeys SIGTERM", nil},
		{"program ignores SIGTERM", []string{"FAKE_RPICAM_IGNORE_TERM=1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			const restarts = 3
			r, record := openWithHelper(t, c.env...)
			for i := 0; i <= restarts; i++ {
				f, err := capture(t, r, int64(10000+1000*i), 5*time.Second)
				if err != nil {
					t.Fatalf("start %d: %v", i, err)
				}
				f.Release()
				hs := waitHelpers(t, record, i+1)
				h := hs[i]
				_, pgid, _ := procStat(h.pid)
				_, leaderPgid, _ := procStat(h.ppid)
				if pgid != h.ppid || leaderPgid != h.ppid {
					t.Errorf("start %d: camera program %d in process group %d and its helper %d in %d, want the program's own",
						i, h.ppid, leaderPgid, h.pid, pgid)
				}
				checkEnded(t, fmt.Sprintf("after restart %d", i), hs[:i])
			}
			start := time.Now()
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 3*time.Second { // termGrace, and a loaded machine
				t.Errorf("Close took %v", d)
			}
			checkEnded(t, "after Close", helpers(t, record))
		})
	}
}

// TestRpicamGroupChildDies: when the camera program dies on its own, a
// helper holding its stdout does not keep the frame read waiting: the
// group is ended, the pipe closes and the capture reports the exit and
// the program's last stderr line.
func TestRpicamGroupChildDies(t *testing.T) {
	r, record := openWithHelper(t, "FAKE_RPICAM_MODE=die", "FAKE_RPICAM_AFTER=1")
	f, err := capture(t, r, 10000, 5*time.Second)
	if err != nil {
		t.Fatalf("first frame: %v", err)
	}
	f.Release()
	start := time.Now()
	_, err = capture(t, r, 10000, 5*time.Second)
	if !errors.Is(err, camera.ErrChildExit) || !strings.Contains(err.Error(), "exit status 3") ||
		!strings.Contains(err.Error(), "camera frontend has timed out") {
		t.Errorf("error %v, want %v with exit status 3 and the stderr line", err, camera.ErrChildExit)
	}
	if d := time.Since(start); d > 3*time.Second { // not the capture's 5 s deadline
		t.Errorf("the dead program's capture took %v", d)
	}
	checkEnded(t, "after the program died", helpers(t, record))
}

// TestRpicamGroupCloseUnblocks: Close ends a capture blocked on a stalled
// program promptly although a helper holds the pipe open.
func TestRpicamGroupCloseUnblocks(t *testing.T) {
	r, record := openWithHelper(t, "FAKE_RPICAM_MODE=stall", "FAKE_RPICAM_AFTER=0")
	captured := make(chan error, 1)
	go func() {
		_, err := capture(t, r, 10000, time.Minute)
		captured <- err
	}()
	hs := waitHelpers(t, record, 1)
	time.Sleep(100 * time.Millisecond) // the capture is reading
	// Close and the capture it cuts short each report on their own
	// channel; on failure the cleanup's kill of the helper releases them.
	closed := make(chan error, 1)
	go func() { closed <- r.Close() }()
	timeout := time.After(4 * time.Second) // not the capture's minute
	for range 2 {
		select {
		case err := <-captured:
			if !errors.Is(err, camera.ErrSourceDown) {
				t.Errorf("capture cut short by Close: %v, want %v", err, camera.ErrSourceDown)
			}
		case err := <-closed:
			if err != nil {
				t.Errorf("Close: %v", err)
			}
		case <-timeout:
			t.Fatal("Close and the capture did not both end within 4 s")
		}
	}
	checkEnded(t, "after Close", hs)
}
