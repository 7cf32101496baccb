package rpicam

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// combo is one real camera combination the fakes emulate.
type combo struct {
	name   string
	pi     string // "4" or "5"
	sensor string
	stride int                  // what the hardware pads a row to
	format rawconv.SampleFormat // how it holds a sample
	line   string               // the format name it reports
}

// combos are the Pi 4 (Unicam: low bits, 32-byte rows) and Pi 5 (PiSP:
// 16-bit words, sample at the top, 64-byte rows) with each sensor.
var combos = []combo{
	{"pi4-imx296", "4", "imx296", 2912, rawconv.Unpacked, "R10"},
	{"pi4-imx462", "4", "imx462", 3840, rawconv.Unpacked, "SRGGB12"},
	{"pi4-hq", "4", "hq", 4064, rawconv.Unpacked, "SRGGB12"}, // 2028 px: 4056 bytes padded to 4064
	{"pi5-imx296", "5", "imx296", 2944, rawconv.MSBAligned, "R16"},
	{"pi5-imx462", "5", "imx462", 3840, rawconv.MSBAligned, "SRGGB16"},
	{"pi5-hq", "5", "hq", 4096, rawconv.MSBAligned, "SRGGB16"},
}

// fakeRaw builds the fakes' frame (testdata/fakerpicam, fakepicamera2) for
// profile p at the combination's layout, with tag in its tag samples.
func fakeRaw(p rawconv.Profile, stride int, f rawconv.SampleFormat, tag [3]uint16) []byte {
	shift := 0
	if f == rawconv.MSBAligned {
		shift = 16 - p.Bits
	}
	w, h := p.RawW, p.RawH
	bias := 60
	if p.Bits == 12 {
		bias = 256
	}
	buf := make([]byte, stride*h)
	put := func(off, v int) { buf[off], buf[off+1] = byte(v<<shift), byte((v<<shift)>>8) }
	for y := range h {
		for i := 2 * w; i < stride; i++ {
			buf[y*stride+i] = 0xEE
		}
		for x := range w {
			v := bias + 20 + (x+y)%50
			if y >= 200 && y < 205 && x >= 300 && x < 305 {
				v = 1<<p.Bits - 1
			}
			put(y*stride+2*x, v)
		}
	}
	for i, v := range tag {
		put((h/2)*stride+2*(w/2+i), int(v))
	}
	return buf
}

// keptAt maps raw sample (row r, column c) to the cropped, rotated raw.
func keptAt(t *testing.T, p rawconv.Profile, r, c int) (x, y int) {
	t.Helper()
	cw, ch := p.RawW-p.CropLeft-p.CropRight, p.RawH-p.CropTop-p.CropBottom
	r, c = r-p.CropTop, c-p.CropLeft
	switch ((p.Rot90 % 4) + 4) % 4 {
	case 0:
		return c, r
	case 2:
		return cw - 1 - c, ch - 1 - r
	}
	t.Fatalf("profile %s: quarter turns %d not covered", p.Name, p.Rot90)
	return 0, 0
}

// readTag reads the fakes' production-time tag back from a frame's raw.
func readTag(t *testing.T, p rawconv.Profile, raw *image.Gray16) (tag [3]uint16, ms int64) {
	t.Helper()
	for i := range tag {
		x, y := keptAt(t, p, p.RawH/2, p.RawW/2+i)
		tag[i] = raw.Gray16At(x, y).Y
		ms |= int64(tag[i]) << (10 * i)
	}
	return tag, ms
}

// checkFrame compares a captured frame with rawconv's conversion of the
// fake's raw data at the combination's known geometry.
func checkFrame(t *testing.T, c combo, f *camera.Frame) {
	t.Helper()
	p, err := rawconv.Lookup(c.sensor)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := readTag(t, p, f.Raw)
	conv, err := rawconv.NewConverter(p, 512, 0)
	if err != nil {
		t.Fatal(err)
	}
	w, h := p.CroppedSize()
	wantRaw := image.NewGray16(image.Rect(0, 0, w, h))
	want := image.NewGray(image.Rect(0, 0, 512, 512))
	if err := conv.Convert(fakeRaw(p, c.stride, c.format, tag), rawconv.Layout{Stride: c.stride, Format: c.format}, wantRaw, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Raw.Pix, wantRaw.Pix) {
		t.Fatalf("%s: raw differs from rawconv's conversion at stride %d %v", c.name, c.stride, c.format)
	}
	if !bytes.Equal(f.Gray.Pix, want.Pix) || f.Gray.Rect.Dx() != 512 || f.Gray.Rect.Dy() != 512 {
		t.Fatalf("%s: solve image differs from rawconv's conversion", c.name)
	}
}

// needPython skips a test when python3 is absent.
func needPython(t testing.TB) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: the picamera2 helper cannot be run")
	}
	return py
}

// fakePicamera2Env puts the fake picamera2 module on the helper's path.
func fakePicamera2Env(t testing.TB, env ...string) []string {
	t.Helper()
	dir, err := filepath.Abs("../../testdata/fakepicamera2")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"PYTHONPATH=" + dir, "PYTHONDONTWRITEBYTECODE=1"}, env...)
}

func openPicam(t testing.TB, log *statetest.LogBuffer, sensor string, env ...string) *Picamera2 {
	t.Helper()
	needPython(t)
	cfg := Picamera2Config{
		Sensor: sensor, Env: fakePicamera2Env(t, env...),
		RestartMin: 10 * time.Millisecond, RestartMax: 50 * time.Millisecond,
	}
	if log != nil {
		cfg.Log = zerolog.New(log)
	}
	src, err := NewPicamera2(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func capturePicam(t *testing.T, p *Picamera2, us int64, gain float64) *camera.Frame {
	t.Helper()
	f, err := p.Capture(context.Background(), camera.Settings{ExposureUS: us, Gain: gain, Deadline: time.Now().Add(10 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCombosPicamera2: every Pi and sensor, through the real helper script
// and the fake picamera2, yields the frame rawconv makes of the same raw
// data at the known geometry, with the sensor's timestamp.
func TestCombosPicamera2(t *testing.T) {
	for _, c := range combos {
		t.Run(c.name, func(t *testing.T) {
			// 150 ms from readout to hand-over: a frame stamped on arrival
			// would be that late.
			p := openPicam(t, nil, c.sensor, "FAKE_PICAM_PI="+c.pi, "FAKE_PICAM_LATENCY_MS=150")
			for range 2 {
				asked := time.Now()
				f := capturePicam(t, p, 10000, p.prof.AnalogueGain)
				checkFrame(t, c, f)
				m := f.Meta
				if m.Source != "picamera2" || m.ExposureUS != 10000 || m.ActualExposureUS != 9990 || m.Gain != p.prof.AnalogueGain {
					t.Fatalf("meta %+v", m)
				}
				if m.ExposureEnd.Sub(m.ExposureStart) != 9990*time.Microsecond {
					t.Fatalf("exposure %v, want the applied 9.99 ms", m.ExposureEnd.Sub(m.ExposureStart))
				}
				// The fake wrote its wall clock at the sensor timestamp.
				_, tag := readTag(t, p.prof, f.Raw)
				if d := msDiff(m.ExposureEnd, tag); d < -50 || d > 50 {
					t.Fatalf("exposure end %v is %d ms from the sensor's time", m.ExposureEnd, d)
				}
				if m.ExposureEnd.Before(asked.Add(-60 * time.Millisecond)) {
					t.Fatalf("frame ended %v before it was asked for", asked.Sub(m.ExposureEnd))
				}
				f.Release()
			}
		})
	}
}

// msDiff is t − tag in ms, tag being Unix ms mod 2^30.
func msDiff(t time.Time, tag int64) int64 {
	d := (t.UnixMilli() - tag) & (1<<30 - 1)
	if d >= 1<<29 {
		d -= 1 << 30
	}
	return d
}

// TestCombosRpicamRaw: the rpicam-raw fallback reads each combination's
// geometry and format from the "Raw stream:" line.
func TestCombosRpicamRaw(t *testing.T) {
	for _, c := range combos {
		t.Run(c.name, func(t *testing.T) {
			r, err := New(Config{Binary: fakeRpicam(t), Sensor: c.sensor, Env: []string{"FAKE_RPICAM_PI=" + c.pi, "FAKE_RPICAM_TAG=1"}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			f, err := r.Capture(context.Background(), camera.Settings{ExposureUS: 10000, Gain: 2, Deadline: time.Now().Add(10 * time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			checkFrame(t, c, f)
			if r.layout != (rawconv.Layout{Stride: c.stride, Format: c.format}) {
				t.Fatalf("layout %+v", r.layout)
			}
		})
	}
}

// TestPicamera2LiveControls: exposure and gain changes reach the frames
// within 3 frames, without restarting the helper or reopening the camera.
func TestPicamera2LiveControls(t *testing.T) {
	log := filepath.Join(t.TempDir(), "picam.log")
	p := openPicam(t, nil, "imx296", "FAKE_PICAM_LOG="+log, "FAKE_PICAM_PERIOD_MS=10")
	capturePicam(t, p, 10000, 15).Release()
	steps := []struct {
		us   int64
		gain float64
	}{{20000, 15}, {20000, 8}, {400000, 8}, {15000, 15}}
	for _, s := range steps {
		before := p.Stats()
		f := capturePicam(t, p, s.us, s.gain)
		after := p.Stats()
		if !applied(FrameHeader{ExposureUS: f.Meta.ActualExposureUS, Gain: f.Meta.Gain}, camera.Settings{ExposureUS: s.us, Gain: s.gain}) {
			t.Fatalf("asked %d µs ×%g, frame has %d µs ×%g", s.us, s.gain, f.Meta.ActualExposureUS, f.Meta.Gain)
		}
		if n := after.OldSettings - before.OldSettings + 1; n > 3 {
			t.Fatalf("the change took %d frames", n)
		}
		if after.OldSettings == before.OldSettings {
			t.Fatalf("no frame with the old settings was dropped: the fake's control delay is not exercised")
		}
		f.Release()
	}
	b, _ := os.ReadFile(log)
	if st := p.Stats(); st.Starts != 1 || strings.Count(string(b), "open") != 1 || strings.Count(string(b), "controls") != len(steps) {
		t.Fatalf("starts %d, fake log:\n%s", st.Starts, b)
	}
}

// TestPicamera2Pause: after a pause, the frames the camera queued are
// dropped by their sensor timestamps; the frame delivered was taken after
// the capture was asked for, and is stamped with its own time.
func TestPicamera2Pause(t *testing.T) {
	p := openPicam(t, nil, "imx296", "FAKE_PICAM_STALE=1", "FAKE_PICAM_PERIOD_MS=20")
	capturePicam(t, p, 10000, 15).Release()
	for range 2 {
		time.Sleep(400 * time.Millisecond) // the queue fills with 4 old frames
		asked := time.Now()
		f := capturePicam(t, p, 10000, 15)
		_, tag := readTag(t, p.prof, f.Raw)
		if d := msDiff(asked, tag); d > 10+100 {
			t.Fatalf("delivered a frame taken %d ms before the capture", d)
		}
		if d := msDiff(f.Meta.ExposureEnd, tag); d < -50 || d > 50 {
			t.Fatalf("exposure end is %d ms from the sensor's time", d)
		}
		f.Release()
	}
	if st := p.Stats(); st.Stale < 4 || st.Starts != 1 {
		t.Fatalf("stats %+v: want the queued frames dropped", st)
	}
}

// TestRpicamRawPause: the fallback drops the frames queued during a pause
// by how fast they arrive.
func TestRpicamRawPause(t *testing.T) {
	r, err := New(Config{Binary: fakeRpicam(t), Sensor: "imx296", Env: []string{"FAKE_RPICAM_TAG=1", "FAKE_RPICAM_PERIOD=100ms"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	set := camera.Settings{ExposureUS: 100000, Gain: 15}
	for i := range 3 {
		if i > 0 {
			time.Sleep(900 * time.Millisecond)
		}
		asked := time.Now()
		f, err := r.Capture(context.Background(), set)
		if err != nil {
			t.Fatal(err)
		}
		_, tag := readTag(t, r.prof, f.Raw)
		if d := msDiff(asked, tag); i > 0 && d > 100+30 {
			t.Fatalf("capture %d: frame taken %d ms before the capture", i, d)
		}
		f.Release()
	}
	if r.dropped < 4 {
		t.Fatalf("%d stale frames dropped, want the queue's", r.dropped)
	}
}

// TestPicamera2Failures: a helper that dies or stalls is restarted after
// the backoff; a frame of out-of-range samples is rejected with a clear
// error without restarting; a stream the converter cannot read says why.
func TestPicamera2Failures(t *testing.T) {
	cases := []struct {
		name     string
		env      []string
		want     error
		text     string
		restarts bool
	}{
		{"die", []string{"FAKE_PICAM_MODE=die", "FAKE_PICAM_AFTER=1"}, camera.ErrChildExit, "camera frontend has timed out", true},
		{"stall", []string{"FAKE_PICAM_MODE=stall", "FAKE_PICAM_AFTER=1"}, camera.ErrStalled, "no frame", true},
		{"garbage", []string{"FAKE_PICAM_MODE=garbage", "FAKE_PICAM_AFTER=1"}, rawconv.ErrFrame, "exceed 10 bits", false},
		{"packed", []string{"FAKE_PICAM_FORMAT=SRGGB10_CSI2P", "FAKE_PICAM_AFTER=1"}, ErrFormat, "csi2-packed", true},
		{"compressed", []string{"FAKE_PICAM_FORMAT=MONO_PISP_COMP1", "FAKE_PICAM_AFTER=1"}, ErrFormat, "compressed", true},
		{"depth", []string{"FAKE_PICAM_FORMAT=R12", "FAKE_PICAM_AFTER=1"}, ErrFormat, "12-bit samples", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := openPicam(t, nil, "imx296", c.env...)
			set := camera.Settings{ExposureUS: 10000, Gain: 15}
			if c.want != ErrFormat {
				set.Deadline = time.Now().Add(10 * time.Second)
				f, err := p.Capture(context.Background(), set)
				if err != nil {
					t.Fatalf("first frame: %v", err)
				}
				f.Release()
			}
			set.Deadline = time.Now().Add(1500 * time.Millisecond)
			_, err := p.Capture(context.Background(), set)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %v, want %v mentioning %q", err, c.want, c.text)
			}
			if got := p.child == nil; got != c.restarts {
				t.Fatalf("helper stopped: %v, want %v", got, c.restarts)
			}
		})
	}
}

// TestPicamera2NoTimestamp: without a SensorTimestamp, frames are stamped
// on arrival and the fact is logged once.
func TestPicamera2NoTimestamp(t *testing.T) {
	log := &statetest.LogBuffer{}
	p := openPicam(t, log, "imx296", "FAKE_PICAM_MODE=nots")
	for range 3 {
		before := time.Now()
		f := capturePicam(t, p, 10000, 15)
		if f.Meta.ExposureEnd.Before(before) || f.Meta.ExposureEnd.After(time.Now()) {
			t.Fatalf("end %v outside the capture", f.Meta.ExposureEnd)
		}
		f.Release()
	}
	if n := log.Count("no usable sensor timestamp"); n != 1 {
		t.Fatalf("%d warnings:\n%s", n, log)
	}
}

// TestPicamera2OutOfStep: a helper whose output is not the protocol is
// stopped with a clear error and restarted.
func TestPicamera2OutOfStep(t *testing.T) {
	dir := t.TempDir()
	py := filepath.Join(dir, "python3")
	script := "#!/bin/sh\n[ \"$2\" = 'import picamera2' ] && exit 0\nread line\nprintf 'Traceback (most recent call last): something went wrong, and this is not a frame header at all......................................'\nsleep 5\n"
	if err := os.WriteFile(py, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := NewPicamera2(Picamera2Config{Sensor: "imx296", Python: py, RestartMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = p.Capture(context.Background(), camera.Settings{ExposureUS: 10000, Gain: 15, Deadline: time.Now().Add(5 * time.Second)})
	if !errors.Is(err, rawconv.ErrFrame) || !strings.Contains(err.Error(), "out of step") {
		t.Fatalf("error %v", err)
	}
	if p.child != nil {
		t.Fatal("the helper was kept")
	}
}

// TestPicamera2Missing: without picamera2, the source fails at start-up
// with the way out.
func TestPicamera2Missing(t *testing.T) {
	py := needPython(t)
	if exec.Command(py, "-c", "import picamera2").Run() == nil {
		t.Skip("this python3 has picamera2 installed")
	}
	_, err := NewPicamera2(Picamera2Config{Sensor: "imx296", Env: []string{"PYTHONPATH=" + t.TempDir()}})
	if !errors.Is(err, camera.ErrBadConfig) || !strings.Contains(err.Error(), "--camera-backend rpicam-raw") {
		t.Fatalf("error %v", err)
	}
}

// BenchmarkPicamera2Capture: one capture through the helper protocol and
// the conversion (fake picamera2, imx296 on a Pi 5 layout, frames every
// 5 ms; the fake's Python frame copy dominates).
func BenchmarkPicamera2Capture(b *testing.B) {
	p := openPicam(b, nil, "imx296", "FAKE_PICAM_PI=5", "FAKE_PICAM_PERIOD_MS=5")
	ctx := context.Background()
	set := camera.Settings{ExposureUS: 5000, Gain: 15}
	for range 3 {
		f, err := p.Capture(ctx, set)
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
	b.ReportAllocs()
	for b.Loop() {
		f, err := p.Capture(ctx, set)
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}
