package rpicam

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/state"
)

// Config configures the rpicam-raw backend.
type Config struct {
	Log zerolog.Logger
	// Size is the solve image side; 0 means camera.DefaultSize.
	Size int
	// Binary is the program to run; a bare name is looked up on PATH.
	// Default "rpicam-raw": rpicam-apps' raw streamer (apps/rpicam_raw.cpp,
	// rpicam-vid's machinery with a null encoder), which writes each raw
	// buffer to the output as it is. rpicam-vid itself would encode H.264.
	Binary string
	// Sensor is the profile: imx296, imx462 or hq (a driver id such as
	// imx477 also works).
	Sensor string
	// SolveRotation turns the solve image counter-clockwise (degrees, a
	// multiple of 90), PiFinder's solve_rotation.
	SolveRotation int
	// ExtraArgs are appended to the generated command line.
	ExtraArgs []string
	// Env is added to the child's environment.
	Env []string
	// FrameTimeout bounds the wait for one frame beyond the exposure time
	// (default 5 s).
	FrameTimeout time.Duration
	// RestartMin and RestartMax bound the restart backoff (default 200 ms … 10 s).
	RestartMin, RestartMax time.Duration
}

// Camera drives the Raspberry Pi camera by running rpicam-raw (or a
// compatible program) as a supervised child process that streams raw
// frames to its stdout. The stream's geometry and sample format are read
// from the "Raw stream:" line rpicam-raw writes to stderr before the first
// frame, never assumed. Each frame is cropped, rotated and converted per
// the sensor profile. rpicam-apps have no live controls, so a change of
// exposure or gain restarts the child with the new settings (the picamera2
// backend, Picamera2, changes them live); a child that dies, stalls or
// writes a bad frame is killed and restarted on the next capture after a
// backoff that doubles per failure, and the failure streak is logged once.
type Camera struct {
	*base
	cfg Config
	bin string
	buf []byte

	// The running child's stream, guarded by base.mu.
	stream   chan streamLine // its "Raw stream:" line
	layout   rawconv.Layout  // once known
	frameLen int             // bytes per frame, 0 until the stream line
	lastRead time.Time       // when the last frame was read
	dropped  int             // stale frames dropped, for tests
}

// streamLine is the parsed "Raw stream:" line or why it did not parse.
type streamLine struct {
	info StreamInfo
	err  error
}

// New checks the configuration and finds the binary; the child is
// started by the first Capture.
func New(cfg Config) (*Camera, error) {
	rc := cfg
	if rc.Binary == "" {
		rc.Binary = "rpicam-raw"
	}
	rc.FrameTimeout, rc.RestartMin, rc.RestartMax = timeouts(rc.FrameTimeout, rc.RestartMin, rc.RestartMax)
	b, err := newBase("rpicam", cfg.Log, rc.Sensor, cfg.Size, rc.SolveRotation, rc.RestartMin, rc.RestartMax)
	if err != nil {
		return nil, err
	}
	bin, err := lookPath(rc.Binary, "install rpicam-apps, or name the program with --rpicam-path")
	if err != nil {
		b.cancel()
		return nil, err
	}
	return &Camera{base: b, cfg: rc, bin: bin}, nil
}

// lookPath finds a program, with a hint on how to get it.
func lookPath(name, hint string) (string, error) {
	bin, err := exec.LookPath(name)
	if err != nil {
		why := errors.Unwrap(err) // exec's message repeats the program's name
		var pe *fs.PathError
		if errors.As(why, &pe) {
			why = pe.Err
		}
		return "", fmt.Errorf("%s not found (%s): %w", name, hint, why)
	}
	return bin, nil
}

// timeouts fills in the default frame timeout and restart backoff.
func timeouts(frame, rmin, rmax time.Duration) (time.Duration, time.Duration, time.Duration) {
	if frame <= 0 {
		frame = 5 * time.Second
	}
	if rmin <= 0 {
		rmin = 200 * time.Millisecond
	}
	if rmax < rmin {
		rmax = max(10*time.Second, rmin)
	}
	return frame, rmin, rmax
}

// framePeriod is the frame period Args asks for: the exposure, at most
// 30 frames per second.
func framePeriod(exposureUS int64) time.Duration {
	return max(time.Duration(exposureUS)*time.Microsecond, time.Second/30)
}

// Args returns the command line (without the binary) for the settings.
// The mode asks for unpacked samples ("U"); a Pi 5 still delivers them as
// 16-bit words (see StreamInfo.Layout), which the stream line says.
func (r *Camera) Args(s camera.Settings) []string {
	p := r.prof
	fps := 1e6 / float64(max(s.ExposureUS, 1))
	fps = min(fps, 30)
	args := []string{
		"-n", "-t", "0",
		"--mode", fmt.Sprintf("%d:%d:%d:U", p.RawW, p.RawH, p.Bits),
		"--shutter", strconv.FormatInt(s.ExposureUS, 10),
		"--gain", strconv.FormatFloat(s.Gain, 'g', -1, 64),
		"--framerate", strconv.FormatFloat(fps, 'f', 3, 64),
		"--awbgains", "1,1", "--flush", "-o", "-",
	}
	return append(args, r.cfg.ExtraArgs...)
}

// Capture returns the next fresh frame the child streams, (re)starting it
// first when needed.
func (r *Camera) Capture(ctx context.Context, s camera.Settings) (*camera.Frame, error) {
	if s.ExposureUS <= 0 || !(s.Gain > 0) {
		return nil, fmt.Errorf("%w: exposure %d µs gain %g", camera.ErrBadConfig, s.ExposureUS, s.Gain)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, camera.ErrSourceDown
	}
	if c := r.child; c != nil && (c.exp != s.ExposureUS || c.gain != s.Gain) {
		r.stopChild() // reconfigure: the settings are command-line arguments
	}
	if r.child == nil {
		if err := r.awaitBackoff(ctx, s); err != nil {
			return nil, err
		}
		if err := r.startChild(s); err != nil {
			r.fail(err)
			return nil, err
		}
	}
	c := r.child
	deadline := time.Now().Add(time.Duration(s.ExposureUS)*time.Microsecond + r.cfg.FrameTimeout)
	if !s.Deadline.IsZero() && s.Deadline.Before(deadline) {
		deadline = s.Deadline
	}
	if r.frameLen == 0 {
		if err := r.awaitStream(ctx, c, deadline); err != nil {
			return nil, err
		}
	}
	// After a pause (asleep: one capture per 30 s) the camera's queued
	// buffers and the pipe hold frames taken long ago, which would be
	// stamped now. They are ready at once, while a fresh frame takes a
	// frame period: frames read in under half a period are dropped, up to
	// the number of buffers a raw stream can hold. (The picamera2 backend
	// has the sensor's timestamp and needs no such guess.)
	period := framePeriod(s.ExposureUS)
	paused := !r.lastRead.IsZero() && time.Since(r.lastRead) > 2*period+100*time.Millisecond
	var start, end time.Time
	for drops := 0; ; drops++ {
		start = time.Now()
		if err := r.readFrame(ctx, c, deadline); err != nil {
			return nil, err
		}
		end = time.Now()
		if !paused || drops >= maxQueued || end.Sub(start) >= period/2 {
			break
		}
		r.dropped++
		r.log.Debug().Int("dropped", drops+1).Msg("camera: rpicam: dropped a stale queued frame")
	}
	r.lastRead = end
	f := r.pool.Get()
	w, h := r.prof.CroppedSize()
	raw := f.EnsureRaw(w, h)
	if err := r.conv.Convert(r.buf, r.layout, raw, f.Gray); err != nil {
		f.Release()
		err = fmt.Errorf("camera: rpicam: frame %d: %w", c.received, err)
		r.stopChild() // the stream is probably out of step: restart it
		r.fail(err)
		return nil, err
	}
	r.recovered()
	exp := time.Duration(s.ExposureUS) * time.Microsecond
	f.Meta = state.FrameMeta{
		Width: r.size, Height: r.size, ExposureStart: end.Add(-exp), ExposureEnd: end,
		ExposureUS: s.ExposureUS, Gain: s.Gain, Source: "rpicam",
	}
	return f, nil
}

// maxQueued bounds the stale frames dropped after a pause: rpicam-apps
// allocate a handful of raw buffers (libcamera's Raspberry Pi pipeline
// handler keeps at least 4 on the Pi 5 front end, pisp.cpp prepareBuffers).
const maxQueued = 8

// awaitStream waits for the child's "Raw stream:" line and sizes the frame
// buffer from it.
func (r *Camera) awaitStream(ctx context.Context, c *child, deadline time.Time) error {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	var sl streamLine
	select {
	case sl = <-r.stream:
	case <-c.done:
		select { // the line may have come just before the end
		case sl = <-r.stream:
		default:
			err := c.exitError("before the first frame")
			r.stopChild()
			r.fail(err)
			return err
		}
	case <-t.C:
		err := fmt.Errorf("%w (no \"Raw stream:\" line on stderr)", camera.ErrStalled)
		r.stopChild()
		r.fail(err)
		return err
	case <-ctx.Done():
		r.stopChild()
		return context.Cause(ctx)
	case <-r.ctx.Done():
		r.stopChild()
		return camera.ErrSourceDown
	}
	err := sl.err
	if err == nil {
		r.layout, err = sl.info.Layout(r.prof)
	}
	if err != nil {
		err = fmt.Errorf("camera: rpicam: %s: %w", r.bin, err)
		r.stopChild()
		r.fail(err)
		return err
	}
	r.frameLen = sl.info.FrameBytes()
	if cap(r.buf) < r.frameLen {
		r.buf = make([]byte, r.frameLen)
	}
	r.buf = r.buf[:r.frameLen]
	r.log.Debug().Int("width", sl.info.Width).Int("height", sl.info.Height).Int("stride", sl.info.Stride).
		Str("format", sl.info.Format).Stringer("samples", r.layout.Format).Msg("camera: rpicam stream")
	return nil
}

// readFrame reads one frame into r.buf; on failure the child is stopped.
func (r *Camera) readFrame(ctx context.Context, c *child, deadline time.Time) error {
	_ = c.out.SetReadDeadline(deadline)
	r.watch(ctx)
	r.reading.Store(c.out)
	var n int
	err := context.Cause(ctx) // cancelled before the watch could see the read
	if err == nil && r.ctx.Err() != nil {
		err = camera.ErrSourceDown // closed before Close could see the read
	}
	if err == nil {
		n, err = io.ReadFull(c.out, r.buf)
	}
	r.reading.Store(nil)
	if err == nil {
		c.received++
		return nil
	}
	if cerr := context.Cause(ctx); cerr != nil && ctx.Err() != nil {
		r.stopChild()
		return cerr
	}
	if r.ctx.Err() != nil { // Close cut the read short
		r.stopChild()
		return camera.ErrSourceDown
	}
	err = readError(c, n, len(r.buf), err)
	r.stopChild()
	r.fail(err)
	return err
}

// readError describes a failed read of want bytes of which n arrived.
func readError(c *child, n, want int, err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%w (%d of %d bytes after %d frames)", camera.ErrStalled, n, want, c.received)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %d of %d bytes, then end of stream%s", camera.ErrShortFrame, n, want, c.stderr.suffix())
	case errors.Is(err, io.EOF):
		return c.exitError(fmt.Sprintf("after %d frames", c.received))
	}
	return fmt.Errorf("camera: rpicam: read: %w", err)
}

func (r *Camera) startChild(s camera.Settings) error {
	stream := make(chan streamLine, 1)
	c, err := startChild(r.log, procSpec{bin: r.bin, args: r.Args(s), env: r.cfg.Env, line: func(l string) {
		info, ok, err := ParseRawStreamLine(l)
		if !ok {
			return
		}
		select { // the first one counts
		case stream <- streamLine{info, err}:
		default:
		}
	}})
	if err != nil {
		return err
	}
	c.exp, c.gain = s.ExposureUS, s.Gain
	r.child, r.stream, r.frameLen, r.lastRead = c, stream, 0, time.Time{}
	r.log.Debug().Str("bin", r.bin).Strs("args", c.cmd.Args[1:]).Int("pid", c.cmd.Process.Pid).Msg("camera: rpicam started")
	return nil
}
