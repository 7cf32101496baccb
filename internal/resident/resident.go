package resident

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Release asks the kernel to reclaim now the whole pages inside b. It is
// meant for read-only data of the executable (an embedded file) that the
// program has decoded and does not need resident: those clean file pages
// are dropped, and a later read faults them back in from the executable,
// so nothing is lost but their residency. On Linux before 5.4 (no
// MADV_PAGEOUT) and on other systems it does nothing. It returns how many
// bytes it asked the kernel to reclaim.
func Release(b []byte) (int, error) {
	page := os.Getpagesize()
	if len(b) < page {
		return 0, nil
	}
	return release(b, page)
}

// pageAligned returns the largest run of whole pages inside b.
func pageAligned(b []byte, addr uintptr, page int) []byte {
	off := int((uintptr(page) - addr%uintptr(page)) % uintptr(page))
	if off >= len(b) {
		return nil
	}
	b = b[off:]
	return b[:len(b)/page*page]
}

// TightenGC sets the garbage collector's target (GOGC) to percent: the
// heap may grow by that share of the live heap between collections,
// instead of the default 100% (doubling). A target proportional to the
// live heap, unlike a fixed memory limit, never turns into back-to-back
// collections when the live heap grows later (many HTTP clients, a search
// index built on first use): it only collects more often. A GOGC set by
// the user wins: TightenGC then changes nothing and returns set false. It
// returns the setting in force before.
func TightenGC(percent int) (old int, set bool) {
	if os.Getenv("GOGC") != "" {
		cur := debug.SetGCPercent(100)
		debug.SetGCPercent(cur)
		return cur, false
	}
	old = debug.SetGCPercent(percent)
	runtime.GC()
	debug.FreeOSMemory() // also returns the start-up garbage's pages to the kernel
	return old, true
}

// Status is the kernel's view of the process's memory (/proc/self/status),
// in bytes.
type Status struct {
	HWM, RSS          int64 // peak and current resident set (VmHWM, VmRSS)
	Anon, File, Shmem int64 // RssAnon, RssFile, RssShmem
}

// ReadStatus reads /proc/self/status.
func ReadStatus() (Status, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Status{}, fmt.Errorf("resident: %w", err)
	}
	return ParseStatus(b)
}

// ParseStatus parses the text of /proc/PID/status (proc(5)): lines of
// "Name:<tab>value kB". It needs VmHWM and VmRSS; the Rss* split is
// optional (kernels before 4.5 lack it).
func ParseStatus(b []byte) (Status, error) {
	var s Status
	fields := map[string]*int64{"VmHWM": &s.HWM, "VmRSS": &s.RSS, "RssAnon": &s.Anon, "RssFile": &s.File, "RssShmem": &s.Shmem}
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		p := fields[name]
		if !ok || p == nil {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(val), " ")
		if unit != "kB" {
			return Status{}, fmt.Errorf("resident: status %s: unit %q, want kB", name, unit)
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n < 0 || n > 1<<40 {
			return Status{}, fmt.Errorf("resident: status %s: bad value %q", name, num)
		}
		*p = n << 10
		if name == "VmHWM" || name == "VmRSS" {
			found++
		}
	}
	if err := sc.Err(); err != nil {
		return Status{}, fmt.Errorf("resident: status: %w", err)
	}
	if found < 2 {
		return Status{}, fmt.Errorf("resident: status lacks VmHWM or VmRSS")
	}
	return s, nil
}
