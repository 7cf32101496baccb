package rpicam

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/state"
)

// HelperScript is the picamera2 helper the binary runs with Python 3.
//
//go:embed picamera2_helper.py
var HelperScript string

// Picamera2Config configures the picamera2 backend.
type Picamera2Config struct {
	Log zerolog.Logger
	// Size is the solve image side; 0 means camera.DefaultSize.
	Size int
	// Sensor is the profile: imx296, imx462 or hq.
	Sensor string
	// SolveRotation turns the solve image counter-clockwise (degrees, a
	// multiple of 90), PiFinder's solve_rotation.
	SolveRotation int
	// Python is the interpreter that has picamera2 (default "python3",
	// looked up on PATH; Raspberry Pi OS ships python3-picamera2).
	Python string
	// Env is added to the helper's environment.
	Env []string
	// Camera is libcamera's camera index (default 0).
	Camera int
	// FrameTimeout bounds the wait for one frame beyond the exposure time
	// (default 5 s).
	FrameTimeout time.Duration
	// RestartMin and RestartMax bound the restart backoff (default 200 ms … 10 s).
	RestartMin, RestartMax time.Duration
}

// Picamera2 drives the Raspberry Pi camera through picamera2: it runs the
// embedded helper script (HelperScript) with Python 3 as a supervised
// child, asks it for one frame per capture over the command pipe, and
// reads the frame with its header: the sensor's timestamp, the exposure
// and gain actually applied, the geometry and the format. Exposure and
// gain change live, without restarting the camera; frames still taken
// with the old settings, and frames left queued from before a pause, are
// dropped. A helper that dies, stalls or falls out of step is restarted
// with a backoff, as rpicam-raw is.
type Picamera2 struct {
	*base
	cfg    Picamera2Config
	python string

	// Guarded by base.mu.
	hdr     [maxHeaderLen]byte
	buf     []byte
	cmd     []byte
	id      uint64
	stats   Picamera2Stats
	settle  int  // frames that may still carry the previous settings
	noStale bool // the child's timestamps cannot tell stale frames
	warned  map[string]bool
}

// Picamera2Stats counts what the backend dropped, for tests and logs.
type Picamera2Stats struct {
	Frames      int // frames delivered
	Stale       int // dropped: finished too long before the capture asked
	OldSettings int // dropped: still taken with the previous settings
	Starts      int // helper starts
}

// Tolerances on the applied settings: sensors quantise the exposure to
// whole lines (tens of µs) and the gain to register steps (imx296: 0.1 dB,
// about 1.2 %; imx477: 1024/(1024 − code), about 1 % at PiFinder's 22×).
const (
	exposureTolUS   = 50
	exposureTolFrac = 0.02
	gainTolFrac     = 0.04
	// maxSettleFrames bounds the frames dropped after a settings change
	// while waiting for the new ones: libcamera applies a control a couple
	// of frames after the request (the sensor's exposure and gain delays),
	// so 3 frames carry it on the hardware; a sensor that clamps the value
	// never matches, and its frames are taken after this many.
	maxSettleFrames = 4
	// staleSlack is how much older than one frame period a frame may be
	// at the time of the request before it counts as stale.
	staleSlack = 100 * time.Millisecond
	// maxStaleDrops bounds the stale frames dropped for one capture:
	// enough for every buffer picamera2 and libcamera may hold.
	maxStaleDrops = 16
	// maxTimestampAge is the oldest a sensor timestamp may be at the
	// helper's send time and still be believed.
	maxTimestampAge = time.Hour
)

// NewPicamera2 checks the configuration and finds Python; the helper is
// started by the first Capture.
func NewPicamera2(cfg Picamera2Config) (*Picamera2, error) {
	rc := cfg
	if rc.Python == "" {
		rc.Python = "python3"
	}
	rc.FrameTimeout, rc.RestartMin, rc.RestartMax = timeouts(rc.FrameTimeout, rc.RestartMin, rc.RestartMax)
	b, err := newBase("picamera2", cfg.Log, rc.Sensor, cfg.Size, rc.SolveRotation, rc.RestartMin, rc.RestartMax)
	if err != nil {
		return nil, err
	}
	py, err := lookPath(rc.Python, "install python3-picamera2, name the interpreter with --picamera2-python, or use --camera-backend rpicam-raw")
	if err != nil {
		b.cancel()
		return nil, err
	}
	if err := checkPicamera2(py, rc.Env); err != nil {
		b.cancel()
		return nil, err
	}
	return &Picamera2{base: b, cfg: rc, python: py, warned: map[string]bool{}}, nil
}

// importTimeout bounds the start-up check; importing picamera2 takes
// about a second on a Pi Zero 2.
const importTimeout = 20 * time.Second

// checkPicamera2 makes a missing picamera2 a start-up error naming the
// way out, rather than a capture failure repeated with backoff.
func checkPicamera2(py string, env []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), importTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", "import picamera2")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return fmt.Errorf("%w: %s cannot import picamera2 (install python3-picamera2, or use --camera-backend rpicam-raw): %v: %s",
			camera.ErrBadConfig, py, err, msg)
	}
	return nil
}

// Stats returns the drop counters.
func (p *Picamera2) Stats() Picamera2Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// rawFormat is the format the helper asks picamera2 for: PiFinder's
// camera_pi.py uses R10 for the mono imx296 and SRGGB12 for the others;
// libcamera adjusts the Bayer order to the sensor's and, on a Pi 5, the
// depth to 16 bits, and the header reports what was granted.
func (p *Picamera2) rawFormat() string {
	if p.prof.Name == "imx296" {
		return "R" + strconv.Itoa(p.prof.Bits)
	}
	return "SRGGB" + strconv.Itoa(p.prof.Bits)
}

// Args returns the helper's command line (after python3) for the settings.
func (p *Picamera2) Args(s camera.Settings) []string {
	return []string{"-c", HelperScript,
		"--width", strconv.Itoa(p.prof.RawW), "--height", strconv.Itoa(p.prof.RawH),
		"--format", p.rawFormat(),
		"--exposure-us", strconv.FormatInt(s.ExposureUS, 10),
		"--gain", strconv.FormatFloat(s.Gain, 'g', -1, 64),
		"--camera", strconv.Itoa(p.cfg.Camera),
	}
}

// Capture asks the helper for a frame with the settings and returns the
// first one that is fresh and taken with them (see the type's doc).
func (p *Picamera2) Capture(ctx context.Context, s camera.Settings) (*camera.Frame, error) {
	if s.ExposureUS <= 0 || !(s.Gain > 0) {
		return nil, fmt.Errorf("%w: exposure %d µs gain %g", camera.ErrBadConfig, s.ExposureUS, s.Gain)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, camera.ErrSourceDown
	}
	if p.child == nil {
		if err := p.awaitBackoff(ctx, s); err != nil {
			return nil, err
		}
		if err := p.start(s); err != nil {
			p.fail(err)
			return nil, err
		}
	}
	c := p.child
	if c.exp != s.ExposureUS || c.gain != s.Gain {
		c.exp, c.gain = s.ExposureUS, s.Gain
		p.settle = maxSettleFrames
	}
	deadline := time.Now().Add(time.Duration(s.ExposureUS)*time.Microsecond + p.cfg.FrameTimeout)
	if !s.Deadline.IsZero() && s.Deadline.Before(deadline) {
		deadline = s.Deadline
	}
	stale := 0
	for {
		h, at, err := p.exchange(ctx, c, s, deadline)
		if err != nil {
			return nil, err
		}
		exp := time.Duration(h.ExposureUS) * time.Microsecond
		period := max(exp, time.Duration(s.ExposureUS)*time.Microsecond)
		// Stale: the frame ended more than a frame period before the
		// helper was asked, as the buffers queued during a pause have.
		if age := time.Duration(h.RequestNS - h.SensorTimestampNS); h.SensorTimestampNS > 0 && !p.noStale && age > period+staleSlack {
			stale++
			p.stats.Stale++
			if stale < maxStaleDrops {
				p.log.Debug().Dur("age", age).Msg("camera: picamera2: dropped a stale frame")
				continue
			}
			// Every frame is "stale": the timestamps are on another clock.
			p.noStale = true
			p.warnOnce("clock", "camera: picamera2: sensor timestamps are not on CLOCK_MONOTONIC; stale frames can no longer be told apart")
		}
		if !applied(h, s) {
			if p.settle > 0 {
				p.settle--
				p.stats.OldSettings++
				continue
			}
			p.warnOnce(fmt.Sprint(s.ExposureUS, s.Gain), "camera: picamera2: the sensor did not apply the settings asked for",
				func(e *zerolog.Event) {
					e.Int64("want_exposure_us", s.ExposureUS).Int64("got_exposure_us", h.ExposureUS).
						Float64("want_gain", s.Gain).Float64("got_gain", h.Gain)
				})
		}
		p.settle = 0
		return p.frame(h, at, s)
	}
}

// applied reports whether the frame was taken with the settings, within
// the sensor's quantisation.
func applied(h FrameHeader, s camera.Settings) bool {
	tol := max(exposureTolUS, exposureTolFrac*float64(s.ExposureUS))
	return math.Abs(float64(h.ExposureUS-s.ExposureUS)) <= tol && math.Abs(h.Gain-s.Gain) <= gainTolFrac*s.Gain
}

// frame converts the frame in p.buf and fills in its metadata.
func (p *Picamera2) frame(h FrameHeader, at time.Time, s camera.Settings) (*camera.Frame, error) {
	layout, err := h.Stream().Layout(p.prof)
	if err != nil {
		// The same on every restart: a wrong --sensor or a packed mode.
		return nil, p.failStop(fmt.Errorf("camera: picamera2: %w", err))
	}
	f := p.pool.Get()
	w, hh := p.prof.CroppedSize()
	raw := f.EnsureRaw(w, hh)
	if err := p.conv.Convert(p.buf, layout, raw, f.Gray); err != nil {
		// The stream is in step (the header was sound): report the bad
		// frame and go on with the same helper.
		f.Release()
		return nil, fmt.Errorf("camera: picamera2: frame %d: %w", h.Seq, err)
	}
	p.recovered()
	p.stats.Frames++
	exp := time.Duration(h.ExposureUS) * time.Microsecond
	end := at
	if age := time.Duration(h.SentNS - h.SensorTimestampNS); h.SensorTimestampNS > 0 && age >= 0 && age < maxTimestampAge {
		// SensorTimestamp is the start of readout, the end of the first
		// row's exposure (picamera2's tests: "'SensorTimestamp' is when
		// the first pixel was read out, so it started being exposed
		// 'ExposureTime' earlier"). The helper read it and its send time
		// on one clock; the send time is when the header reached us.
		end = at.Add(-age)
	} else {
		p.warnOnce("timestamp", "camera: picamera2: frames carry no usable sensor timestamp; stamping them on arrival")
	}
	if exp <= 0 {
		exp = time.Duration(s.ExposureUS) * time.Microsecond
	}
	f.Meta = state.FrameMeta{
		Width: p.size, Height: p.size, ExposureStart: end.Add(-exp), ExposureEnd: end,
		ExposureUS: s.ExposureUS, ActualExposureUS: h.ExposureUS, Gain: h.Gain, Source: "picamera2",
	}
	if f.Meta.Gain <= 0 {
		f.Meta.Gain = s.Gain
	}
	return f, nil
}

// warnOnce logs msg once per key for the life of the source.
func (p *Picamera2) warnOnce(key, msg string, fields ...func(*zerolog.Event)) {
	if p.warned[key] {
		return
	}
	p.warned[key] = true
	e := p.log.Warn()
	for _, f := range fields {
		f(e)
	}
	e.Msg(msg)
}

// exchange sends one capture command and reads the answer into p.buf; it
// returns the header and when the header arrived. Any failure ends the
// child, except a cancelled context's, which ends it too (a frame may be
// half read) but is not counted as the camera's failure.
func (p *Picamera2) exchange(ctx context.Context, c *child, s camera.Settings, deadline time.Time) (FrameHeader, time.Time, error) {
	p.id++
	p.cmd = appendCommand(p.cmd[:0], p.id, s.ExposureUS, s.Gain)
	_ = c.in.SetWriteDeadline(deadline)
	if _, err := c.in.Write(p.cmd); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return FrameHeader{}, time.Time{}, p.failStop(fmt.Errorf("%w (the helper takes no commands)", camera.ErrStalled))
		}
		return FrameHeader{}, time.Time{}, p.failStop(c.exitError(fmt.Sprintf("after %d frames", c.received)))
	}
	_ = c.out.SetReadDeadline(deadline)
	p.watch(ctx)
	p.reading.Store(c.out)
	defer p.reading.Store(nil)
	if err := p.interrupted(ctx); err != nil {
		p.stopChild()
		return FrameHeader{}, time.Time{}, err
	}
	n, err := io.ReadFull(c.out, p.hdr[:HeaderLen])
	at := time.Now()
	if err != nil {
		return FrameHeader{}, time.Time{}, p.readFailed(ctx, c, n, HeaderLen, err)
	}
	h, err := ParseFrameHeader(p.hdr[:HeaderLen])
	if err == nil && h.ID != p.id {
		err = fmt.Errorf("%w: frame answers command %d, want %d", rawconv.ErrFrame, h.ID, p.id)
	}
	if err != nil { // out of step: only a restart resynchronises
		return FrameHeader{}, time.Time{}, p.failStop(fmt.Errorf("camera: picamera2: %w", err))
	}
	if extra := h.Len - HeaderLen; extra > 0 {
		if n, err := io.ReadFull(c.out, p.hdr[HeaderLen:h.Len]); err != nil {
			return FrameHeader{}, time.Time{}, p.readFailed(ctx, c, n, extra, err)
		}
	}
	if cap(p.buf) < h.PayloadLen {
		p.buf = make([]byte, h.PayloadLen)
	}
	p.buf = p.buf[:h.PayloadLen]
	if n, err := io.ReadFull(c.out, p.buf); err != nil {
		return FrameHeader{}, time.Time{}, p.readFailed(ctx, c, n, h.PayloadLen, err)
	}
	c.received++
	return h, at, nil
}

// readFailed turns a failed read into the capture's error and ends the
// child.
func (p *Picamera2) readFailed(ctx context.Context, c *child, n, want int, err error) error {
	if ierr := p.interrupted(ctx); ierr != nil {
		p.stopChild()
		return ierr
	}
	return p.failStop(readError(c, n, want, err))
}

func (p *Picamera2) start(s camera.Settings) error {
	c, err := startChild(p.log, procSpec{bin: p.python, args: p.Args(s), env: p.cfg.Env, stdin: true})
	if err != nil {
		return err
	}
	c.exp, c.gain = s.ExposureUS, s.Gain
	p.child, p.settle, p.noStale = c, 0, false
	p.stats.Starts++
	p.log.Debug().Str("python", p.python).Int("pid", c.cmd.Process.Pid).Msg("camera: picamera2 helper started")
	return nil
}
