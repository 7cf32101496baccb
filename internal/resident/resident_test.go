package resident

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

const sample = "Name:\tpifinder\nVmPeak:\t 1263940 kB\nVmHWM:\t   37828 kB\nVmRSS:\t   35776 kB\nRssAnon:\t   24876 kB\nRssFile:\t   10900 kB\nRssShmem:\t       0 kB\nThreads:\t7\n"

func TestParseStatus(t *testing.T) {
	cases := []struct {
		name, in string
		want     Status
		ok       bool
	}{
		{"linux 6", sample, Status{HWM: 37828 << 10, RSS: 35776 << 10, Anon: 24876 << 10, File: 10900 << 10}, true},
		{"no Rss split (kernel < 4.5)", "VmHWM:\t 10 kB\nVmRSS:\t 9 kB\n", Status{HWM: 10 << 10, RSS: 9 << 10}, true},
		{"no VmHWM", "VmRSS:\t 9 kB\n", Status{}, false},
		{"empty", "", Status{}, false},
		{"unit not kB", "VmHWM:\t 10 MB\nVmRSS:\t 9 kB\n", Status{}, false},
		{"not a number", "VmHWM:\t ten kB\nVmRSS:\t 9 kB\n", Status{}, false},
		{"negative", "VmHWM:\t -1 kB\nVmRSS:\t 9 kB\n", Status{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseStatus([]byte(c.in))
			if (err == nil) != c.ok || got != c.want {
				t.Errorf("ParseStatus = %+v, %v; want %+v, ok %v", got, err, c.want, c.ok)
			}
		})
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("VmHWM:\t 10 kB\nVmRSS:\t 9 kB\n"))
	f.Add([]byte("VmHWM:99999999999999999999 kB\nVmRSS:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStatus(b)
		if err == nil && (s.HWM < 0 || s.RSS < 0 || s.Anon < 0 || s.File < 0 || s.Shmem < 0) {
			t.Errorf("negative figure accepted: %+v", s)
		}
	})
}

func TestReadStatus(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	s, err := ReadStatus()
	if err != nil {
		t.Fatal(err)
	}
	if s.RSS <= 0 || s.HWM < s.RSS {
		t.Errorf("status %+v: want 0 < VmRSS <= VmHWM", s)
	}
}

func TestPageAligned(t *testing.T) {
	const page = 4096
	b := make([]byte, 5*page)
	cases := []struct {
		name           string
		addr           uintptr
		n              int
		wantOff, wantN int
	}{
		{"aligned start, whole pages", 0x10000, 3 * page, 0, 3 * page},
		{"aligned start, partial tail", 0x10000, 3*page + 100, 0, 3 * page},
		{"unaligned start", 0x10000 + 100, 3 * page, page - 100, 2 * page},
		{"less than a page after rounding", 0x10000 + 100, page, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := pageAligned(b[:c.n], c.addr, page)
			if len(got) != c.wantN {
				t.Fatalf("len %d, want %d", len(got), c.wantN)
			}
			if c.wantN > 0 && &got[0] != &b[c.wantOff] {
				t.Errorf("starts at a different offset, want %d", c.wantOff)
			}
		})
	}
}

// embedded stands in for an embedded file: read-only data of the binary.
var embedded = strings.Repeat("pifinder", 8<<10)

func TestRelease(t *testing.T) {
	data := []byte(embedded) // a heap copy: PAGEOUT keeps its contents too
	n, err := Release(data)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	if n%page != 0 || n > len(data) || (n > 0 && n < len(data)-2*page) {
		t.Errorf("released %d of %d bytes (page %d)", n, len(data), page)
	}
	if string(data) != embedded {
		t.Error("contents changed after Release")
	}
	if n, err := Release(data[:10]); n != 0 || err != nil {
		t.Errorf("Release of 10 bytes = %d, %v", n, err)
	}
}

func TestTightenGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	old, set := TightenGC(30)
	if !set || old != 100 {
		t.Errorf("TightenGC = %d, %v, want 100, true", old, set)
	}
	if got := debug.SetGCPercent(30); got != 30 {
		t.Errorf("GOGC in force %d, want 30", got)
	}
	t.Setenv("GOGC", "200")
	debug.SetGCPercent(200)
	if cur, set := TightenGC(30); set || cur != 200 {
		t.Errorf("with GOGC=200 set: TightenGC = %d, %v, want 200 left alone", cur, set)
	}
	if got := debug.SetGCPercent(200); got != 200 {
		t.Errorf("GOGC in force %d after TightenGC with the variable set, want 200", got)
	}
}
