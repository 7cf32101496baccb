// Package gpstest helps test against a real gpsd: it writes NMEA 0183 logs
// (GGA, GSA, GSV, RMC with correct checksums) and starts gpsfake, gpsd's
// own test harness, on a free port to play them.
//
// gpsd and gpsfake come from the Debian packages gpsd and gpsd-clients.
// Without them, Gpsfake skips the test with a message naming the packages,
// unless the environment variable PIFINDER_REQUIRE_GPSD is set (as CI sets
// it), which makes the test fail instead.
package gpstest

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Checksum is the NMEA 0183 checksum of a sentence body (between '$' and
// '*'): the XOR of its bytes.
func Checksum(body string) byte {
	var c byte
	for i := 0; i < len(body); i++ {
		c ^= body[i]
	}
	return c
}

// Sentence frames body as "$body*HH\r\n".
func Sentence(body string) string {
	return fmt.Sprintf("$%s*%02X\r\n", body, Checksum(body))
}

// Valid reports whether line (with or without its CR LF) is a framed
// sentence with the right checksum.
func Valid(line string) bool {
	line = strings.TrimRight(line, "\r\n")
	star := strings.LastIndexByte(line, '*')
	if len(line) < 4 || line[0] != '$' || star < 0 || star+3 != len(line) {
		return false
	}
	want, err := strconv.ParseUint(line[star+1:], 16, 8)
	return err == nil && byte(want) == Checksum(line[1:star])
}

// Epoch is one second of receiver output.
type Epoch struct {
	Time     time.Time
	Mode     int     // 1 no fix, 2 2-D, 3 3-D
	Lat, Lon float64 // degrees, east positive
	AltM     float64 // above mean sea level (3-D only)
	HDOP     float64
	Seen     int // satellites in view (GSV)
	Used     int // satellites in the fix (GSA, GGA)
}

// Write writes the epochs as a receiver would send them: GGA, GSA, the GSV
// group, RMC, in that order each second.
func Write(w io.Writer, epochs []Epoch) error {
	var b bytes.Buffer
	for _, e := range epochs {
		for _, s := range Sentences(e) {
			b.WriteString(s)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Sentences returns one epoch's sentences, framed.
func Sentences(e Epoch) []string {
	t := e.Time.UTC()
	hms := fmt.Sprintf("%02d%02d%02d.00", t.Hour(), t.Minute(), t.Second())
	lat, ns := ddmm(e.Lat, 2), "N"
	if e.Lat < 0 {
		ns = "S"
	}
	lon, ew := ddmm(e.Lon, 3), "E"
	if e.Lon < 0 {
		ew = "W"
	}
	fixed := e.Mode >= 2
	quality, pos, alt := "0", ",,,", ","
	if fixed {
		quality, pos = "1", lat+","+ns+","+lon+","+ew
	}
	if e.Mode == 3 {
		alt = fmt.Sprintf("%.1f,M", e.AltM)
	}
	hdop := ""
	if fixed {
		hdop = fmt.Sprintf("%.1f", e.HDOP)
	}
	var out []string
	// GGA: time, position, quality, satellites used, HDOP, altitude, geoid separation.
	out = append(out, Sentence(fmt.Sprintf("GPGGA,%s,%s,%s,%02d,%s,%s,47.0,M,,", hms, pos, quality, e.Used, hdop, alt)))
	// GSA: auto, mode, twelve PRN slots, PDOP, HDOP, VDOP.
	prns := make([]string, 12)
	for i := 0; i < e.Used && i < 12; i++ {
		prns[i] = fmt.Sprintf("%02d", i+1)
	}
	dops := ",,"
	if fixed {
		dops = fmt.Sprintf("%.1f,%.1f,%.1f", 1.5*e.HDOP, e.HDOP, 1.2*e.HDOP)
	}
	out = append(out, Sentence(fmt.Sprintf("GPGSA,A,%d,%s,%s", max(e.Mode, 1), strings.Join(prns, ","), dops)))
	// GSV: four satellites a sentence.
	groups := max((e.Seen+3)/4, 1)
	for g := range groups {
		body := fmt.Sprintf("GPGSV,%d,%d,%02d", groups, g+1, e.Seen)
		for i := g * 4; i < min(e.Seen, g*4+4); i++ {
			snr := ""
			if i < e.Used {
				snr = "40"
			}
			body += fmt.Sprintf(",%02d,%02d,%03d,%s", i+1, 20+3*i%60, 30*i%360, snr)
		}
		out = append(out, Sentence(body))
	}
	status := "V"
	if fixed {
		status = "A"
	}
	rpos := ",,,"
	if fixed {
		rpos = pos
	}
	date := fmt.Sprintf("%02d%02d%02d", t.Day(), int(t.Month()), t.Year()%100)
	mode := "N"
	if fixed {
		mode = "A"
	}
	out = append(out, Sentence(fmt.Sprintf("GPRMC,%s,%s,%s,0.0,0.0,%s,,,%s", hms, status, rpos, date, mode)))
	return out
}

// ddmm formats |deg| as NMEA's degrees and decimal minutes, with degDigits
// digits of degrees.
func ddmm(deg float64, degDigits int) string {
	deg = math.Abs(deg)
	d := math.Floor(deg)
	m := (deg - d) * 60
	if math.Round(m*1e5)/1e5 >= 60 {
		d, m = d+1, 0
	}
	return fmt.Sprintf("%0*d%08.5f", degDigits, int(d), m)
}

// RequireEnv, when set in the environment, turns a missing gpsfake into a
// test failure (CI sets it, so the gpsd tests cannot silently skip there).
const RequireEnv = "PIFINDER_REQUIRE_GPSD"

// Options tune Gpsfake.
type Options struct {
	// Cycle is the delay between sentences (gpsfake -c); 0 is 20 ms.
	Cycle time.Duration
	// Once plays the log once (gpsfake -1); otherwise it loops.
	Once bool
	// Port to listen on; 0 picks a free one.
	Port int
}

// Fake is a running gpsfake.
type Fake struct {
	Addr string // gpsd's address, 127.0.0.1:port
	Port int
	stop func()
}

// Stop stops gpsfake and its gpsd (as a killed gpsd would vanish); the
// test's end stops it too.
func (f *Fake) Stop() { f.stop() }

// Gpsfake starts gpsfake playing log on a free port (or o.Port) and
// returns it once gpsd listens. gpsfake starts feeding the log when the
// first client connects; it and its gpsd are stopped when the test ends.
func Gpsfake(t testing.TB, log string, o Options) *Fake {
	t.Helper()
	path, err := exec.LookPath("gpsfake")
	if err != nil {
		msg := "gpsfake not found: install the Debian packages gpsd and gpsd-clients to run the gpsd tests"
		if os.Getenv(RequireEnv) != "" {
			t.Fatalf("%s (%s is set)", msg, RequireEnv)
		}
		t.Skip(msg)
	}
	port := o.Port
	if port == 0 {
		port = freePort(t)
	}
	cycle := o.Cycle
	if cycle <= 0 {
		cycle = 20 * time.Millisecond
	}
	args := []string{"-q", "-c", strconv.FormatFloat(cycle.Seconds(), 'f', 3, 64), "-P", strconv.Itoa(port)}
	if o.Once {
		args = append(args, "-1")
	}
	// gpsfake runs in a scratch directory (it may leave files there), so
	// the log's path must not be relative to ours.
	abs, err := filepath.Abs(log)
	if err != nil {
		t.Fatalf("gpsfake log %s: %v", log, err)
	}
	args = append(args, abs)
	cmd := exec.Command(path, args...)
	// gpsfake finds gpsd on PATH, and gpsd lives in /usr/sbin, which a
	// user's PATH may lack.
	cmd.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin:/sbin")
	cmd.Dir = t.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that stopping it stops the gpsd it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start gpsfake: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
			}
			// gpsd may outlive gpsfake for a moment; wait for the port.
			for i := 0; i < 250 && listening(port); i++ {
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("gpsfake output:\n%s", out.String())
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// gpsd listens a moment after gpsfake starts. A probe connection would
	// be the client gpsfake waits for, and a probe listen could take the
	// port from gpsd, so watch the kernel's socket table instead.
	deadline := time.Now().Add(10 * time.Second)
	for !listening(port) {
		select {
		case <-done:
			t.Fatalf("gpsfake exited at start:\n%s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("gpsd did not listen on port %d within 10 s:\n%s", port, out.String())
		}
	}
	return &Fake{Addr: addr, Port: port, stop: stop}
}

// listening reports whether a TCP socket listens on port on this machine,
// from /proc/net/tcp and tcp6 (state 0A is LISTEN).
func listening(port int) bool {
	suffix := fmt.Sprintf(":%04X", port)
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			fields := strings.Fields(line)
			if len(fields) > 3 && strings.HasSuffix(fields[1], suffix) && fields[3] == "0A" {
				return true
			}
		}
	}
	return false
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// WriteLog writes epochs to a file in dir and returns its path.
func WriteLog(t testing.TB, dir, name string, epochs []Epoch) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, epochs); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
