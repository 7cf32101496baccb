package pipeline

import (
	"crypto/rand"
	"errors"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/solver/db"
)

// failingWriter refuses every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd on %s: the fd count needs Linux", runtime.GOOS)
	}
	return len(ents)
}

// TestStartupErrors drives New through every start-up mistake a user can
// make and every other error return of New: each is one error naming the
// setting (its flag) and why, never a panic, and whatever was opened before
// it (listeners, the recording file, the camera) is closed again: no
// goroutine and no file descriptor is left behind.
func TestStartupErrors(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.db")
	if err := os.WriteFile(truncated, db.DefaultBytes()[:1000], 0o600); err != nil {
		t.Fatal(err)
	}
	random := filepath.Join(dir, "random.db")
	junk := make([]byte, 64<<10)
	_, _ = rand.Read(junk)
	if err := os.WriteFile(random, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	inUse := busy.Addr().String()
	record := filepath.Join(dir, "session.jsonl")

	cases := []struct {
		name string
		cfg  Config
		want []string // all in the error text
	}{
		{"db missing", Config{DBPath: "/nonexistent.db"}, []string{"--db /nonexistent.db", "no such file"}},
		{"db truncated", Config{DBPath: truncated}, []string{"--db " + truncated}},
		{"db random bytes", Config{DBPath: random}, []string{"--db " + random}},
		{"camera unknown", Config{Camera: "bogus"}, []string{"--camera bogus", "want sim, replay, rpicam, none"}},
		{"rpicam without its program", Config{Camera: "rpicam", CameraBackend: "rpicam-raw", RPiCamPath: "/nonexistent/rpicam-raw"}, []string{"--rpicam-path /nonexistent/rpicam-raw", "not found"}},
		{"picamera2 without its python", Config{Camera: "rpicam", Picamera2Python: "/nonexistent/python3"}, []string{"--picamera2-python /nonexistent/python3"}},
		{"camera backend unknown", Config{Camera: "rpicam", CameraBackend: "bogus"}, []string{"--camera-backend bogus"}},
		{"replay without images", Config{Camera: "replay"}, []string{"--images", "needs a folder or glob"}},
		{"replay empty glob", Config{Camera: "replay", Images: filepath.Join(dir, "none*.png")}, []string{"--images " + dir, "no PNG/JPEG/TIFF/FITS file"}},
		{"replay negative interval", Config{Camera: "replay", Images: dir, ReplayInterval: -1}, []string{"--replay-interval"}},
		{"lx200 bad port", Config{LX200Addr: ":99999"}, []string{"--lx200 :99999", "cannot listen"}},
		{"lx200 port in use", Config{LX200Addr: inUse}, []string{"--lx200 " + inUse, "address already in use"}},
		// The LX200 listener is open when the HTTP one fails: it must be closed.
		{"http port in use after lx200", Config{LX200Addr: "127.0.0.1:0", HTTPAddr: inUse}, []string{"--http " + inUse, "address already in use"}},
		{"sleep timeout", Config{SleepTimeout: "bogus"}, []string{"--sleep-timeout bogus", "Off or a positive duration"}},
		{"screen direction", Config{ScreenDirection: "bogus"}, []string{"--screen-direction bogus", "rev4_left"}},
		{"imu unknown", Config{IMU: "bogus"}, []string{"--imu bogus", "want sim, bno055, none"}},
		{"sensor unknown", Config{Camera: "rpicam", Sensor: "bogus"}, []string{"--sensor bogus", "imx296"}},
		{"lens unknown", Config{Lens: "99mm"}, []string{"--lens 99mm", "12mm, 16mm, 25mm"}},
		{"fov negative", Config{FOVEstimate: -5}, []string{"--fov -5"}},
		{"fov too wide", Config{FOVEstimate: 90}, []string{"--fov 90", "60 degrees"}},
		{"fov NaN", Config{FOVEstimate: math.NaN()}, []string{"--fov NaN"}},
		{"exposure too long", Config{ExposureUS: 120_000_000}, []string{"--exposure 120000000"}},
		{"summary interval negative", Config{SummaryInterval: -1}, []string{"--summary-interval"}},
		{"location not finite", Config{Location: &Site{Lat: math.NaN(), Lon: 0}}, []string{"--location", "not a finite number"}},
		{"location beyond the pole", Config{Location: &Site{Lat: 91, Lon: 0}}, []string{"--location", "latitude"}},
		{"fault unknown", Config{Fault: Fault{Kind: "disk-full"}}, []string{"--fault disk-full"}},
		{"record into a missing folder", Config{RecordPath: "/nonexistent/x.jsonl"}, []string{"--record /nonexistent/x.jsonl", "no such file"}},
		// The recording file is open when its header cannot be written.
		{"record header fails", Config{Record: failingWriter{}, LX200Addr: "127.0.0.1:0"}, []string{"--record", "no space left"}},
		// Everything opened (camera, IMU, recording, LX200) when the last opener fails.
		{"all open then http fails", Config{RecordPath: record, LX200Addr: "127.0.0.1:0", HTTPAddr: inUse}, []string{"--http " + inUse}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			fds := openFDs(t)
			c.cfg.Log = zerolog.Nop()
			p, err := New(c.cfg)
			if err == nil {
				p.close()
				t.Fatalf("New accepted %+v", c.cfg)
			}
			if p != nil {
				t.Errorf("New returned a pipeline with its error")
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %q is not a *ConfigError naming the setting", msg)
			}
			if n := openFDs(t); n != fds {
				t.Errorf("%d file descriptors open after the failed start, %d before", n, fds)
			}
			t.Logf("%-32s %s", c.name, msg)
		})
	}
}

// TestAddressesFromSettings: the settings file's lx200_addr and http_addr
// are used when the flags leave them to it (AddrFromSettings); a given
// address wins over the file.
func TestAddressesFromSettings(t *testing.T) {
	free := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	fileLX, fileHTTP, flagHTTP := free(), free(), free()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"lx200_addr":"`+fileLX+`","http_addr":"`+fileHTTP+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name             string
		lx200, http      string
		wantLX, wantHTTP string
	}{
		{"both from the file", AddrFromSettings, AddrFromSettings, fileLX, fileHTTP},
		{"a flag wins over the file", AddrFromSettings, flagHTTP, fileLX, flagHTTP},
		{"empty turns a server off", "", AddrFromSettings, "", fileHTTP},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := New(Config{Log: zerolog.Nop(), ConfigPath: path, LX200Addr: c.lx200, HTTPAddr: c.http})
			if err != nil {
				t.Fatal(err)
			}
			defer p.close()
			got := func(a net.Addr) string {
				if a == nil {
					return ""
				}
				return a.String()
			}
			if got(p.LX200Addr()) != c.wantLX || got(p.HTTPAddr()) != c.wantHTTP {
				t.Errorf("listening on lx200 %q http %q, want %q and %q", got(p.LX200Addr()), got(p.HTTPAddr()), c.wantLX, c.wantHTTP)
			}
		})
	}
}
