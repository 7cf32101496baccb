package rpicam

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pifinder-go/pifinder/internal/backoff"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/state"
)

// Config configures the Raspberry Pi camera.
type Config struct {
	Log zerolog.Logger
	// Size is the solve image side; 0 means camera.DefaultSize.
	Size int
	// Binary is the program to run; a bare name is looked up on PATH.
	// Default "rpicam-raw" (rpicam-apps' raw-frame streamer, a build of
	// rpicam-vid with the raw encoder).
	Binary string
	// Sensor is the profile: imx296, imx462 or hq (a driver id such as
	// imx477 also works).
	Sensor string
	// RowStride is the byte length of one raw row on the pipe including
	// padding; 0 means 2 × the raw width (no padding).
	RowStride int
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
// compatible program) as a supervised child process that streams unpacked
// 16-bit raw frames to its stdout. Each frame is cropped, rotated and
// converted per the sensor profile. A change of exposure or gain restarts
// the child with the new settings; a child that dies, stalls or writes a
// bad frame is killed and restarted on the next capture after a backoff
// that doubles per failure, and the failure streak is logged once.
type Camera struct {
	log    zerolog.Logger
	cfg    Config
	prof   rawconv.Profile
	conv   *rawconv.Converter
	bin    string
	size   int
	stride int
	pool   *camera.Pool
	buf    []byte
	ctx    context.Context // done once Close has begun
	cancel context.CancelFunc

	// reading is the pipe being read; a cancelled capture context cuts
	// the read short through it. One watch per context (the worker passes
	// the same one every time), so captures do not allocate.
	reading   atomic.Pointer[os.File]
	watchCtx  context.Context
	watchStop func() bool

	mu       sync.Mutex
	child    *child
	closed   bool
	failures int
	lastFail time.Time
	backoff  backoff.Backoff
	timer    *time.Timer
}

// Ending the camera program's process group (stop, endGroup).
const (
	// termGrace is how long the program and its helpers get, after
	// SIGTERM, to exit before SIGKILL. rpicam-raw exits on SIGTERM at
	// once (the default action; the kernel releases the camera), so the
	// grace is for a wrapper that cleans up on SIGTERM; it is short
	// because every exposure change restarts the program while the
	// capture waits, and Close should not keep shutdown waiting.
	termGrace = 500 * time.Millisecond
	// groupPoll is how often the group is checked during the grace once
	// the program itself has exited: there is no event for a helper's end.
	groupPoll = 10 * time.Millisecond
	// stderrDrain bounds the read of the program's last stderr once its
	// group has been killed, in case a process that left the group still
	// holds the pipe.
	stderrDrain = 200 * time.Millisecond
)

type child struct {
	log      zerolog.Logger
	cmd      *exec.Cmd
	out      *os.File
	stderr   *tail
	exited   chan struct{} // closed when the program has been waited for
	done     chan struct{} // closed when, after that, its group has been ended and stderr read
	err      error         // Wait's result, valid after exited
	termAt   atomic.Int64  // when the group was sent SIGTERM (Unix ns), 0 before
	killed   atomic.Bool   // whether the group was sent SIGKILL
	exp      int64
	gain     float64
	started  time.Time
	received int
}

// New checks the configuration and finds the binary; the child is
// started by the first Capture.
func New(cfg Config) (*Camera, error) {
	rc := cfg
	if rc.Binary == "" {
		rc.Binary = "rpicam-raw"
	}
	prof, err := rawconv.Lookup(rc.Sensor)
	if err != nil {
		return nil, fmt.Errorf("camera: rpicam: %w", err)
	}
	size, err := camera.CheckSize(cfg.Size)
	if err != nil {
		return nil, fmt.Errorf("rpicam camera: %w", err)
	}
	conv, err := rawconv.NewConverter(prof, size, rc.SolveRotation)
	if err != nil {
		return nil, fmt.Errorf("camera: rpicam: %w", err)
	}
	bin, err := exec.LookPath(rc.Binary)
	if err != nil {
		why := errors.Unwrap(err) // exec's message repeats the program's name
		var pe *fs.PathError
		if errors.As(why, &pe) {
			why = pe.Err
		}
		return nil, fmt.Errorf("%s not found (install rpicam-apps, or name the program with --rpicam-path): %w", rc.Binary, why)
	}
	stride := rc.RowStride
	if stride == 0 {
		stride = 2 * prof.RawW
	}
	if stride < 2*prof.RawW {
		return nil, fmt.Errorf("%w: rpicam row stride %d < %d", camera.ErrBadConfig, stride, 2*prof.RawW)
	}
	if rc.FrameTimeout <= 0 {
		rc.FrameTimeout = 5 * time.Second
	}
	if rc.RestartMin <= 0 {
		rc.RestartMin = 200 * time.Millisecond
	}
	if rc.RestartMax < rc.RestartMin {
		rc.RestartMax = max(10*time.Second, rc.RestartMin)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Camera{
		log: cfg.Log, cfg: rc, backoff: backoff.Backoff{Min: rc.RestartMin, Max: rc.RestartMax}, prof: prof, conv: conv, bin: bin, size: size, stride: stride,
		pool: camera.NewPool(size, size), buf: make([]byte, stride*prof.RawH),
		ctx: ctx, cancel: cancel, timer: wait.NewStoppedTimer(),
	}, nil
}

// camera.Info reports the sensor profile's name as the type.
func (r *Camera) Info() camera.Info {
	return camera.Info{Type: r.prof.Name, Width: r.size, Height: r.size, HasRaw: true, DefaultGain: r.prof.AnalogueGain}
}

// Profile returns the sensor profile in use.
func (r *Camera) Profile() rawconv.Profile { return r.prof }

// Close stops the child, with its process group, and waits for it.
func (r *Camera) Close() error {
	r.cancel()
	// A Capture in progress holds mu: cut its read short (it sees the
	// context above and returns ErrSourceDown). Ending the child would
	// not do, as a helper of its may hold the pipe open.
	if f := r.reading.Load(); f != nil {
		_ = f.SetReadDeadline(time.Unix(1, 0))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.watchStop != nil {
		r.watchStop()
		r.watchStop, r.watchCtx = nil, nil
	}
	r.stopChild()
	return nil
}

// Args returns the command line (without the binary) for the settings.
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

// Capture returns the next frame the child streams, (re)starting it first
// when needed.
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
		if r.failures > 0 {
			delay := time.Until(r.lastFail.Add(r.backoff.Current()))
			if !s.Deadline.IsZero() {
				delay = min(delay, time.Until(s.Deadline))
			}
			if err := wait.Sleep(ctx, r.timer, delay); err != nil {
				return nil, err
			}
			if r.ctx.Err() != nil { // closed during the backoff
				return nil, camera.ErrSourceDown
			}
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
	if err != nil {
		if cerr := context.Cause(ctx); cerr != nil && ctx.Err() != nil {
			r.stopChild()
			return nil, cerr
		}
		if r.ctx.Err() != nil { // Close cut the read short
			r.stopChild()
			return nil, camera.ErrSourceDown
		}
		err = r.readError(c, n, err)
		r.stopChild()
		r.fail(err)
		return nil, err
	}
	c.received++
	end := time.Now()
	f := r.pool.Get()
	w, h := r.prof.CroppedSize()
	raw := f.EnsureRaw(w, h)
	if err := r.conv.Convert(r.buf, rawconv.Layout{Stride: r.stride}, raw, f.Gray); err != nil {
		f.Release()
		err = fmt.Errorf("camera: rpicam: frame %d: %w", c.received, err)
		r.stopChild() // the stream is probably out of step: restart it
		r.fail(err)
		return nil, err
	}
	if r.failures > 0 {
		r.log.Info().Int("failures", r.failures).Msg("camera: rpicam recovered")
		r.failures = 0
		r.backoff.Reset()
	}
	exp := time.Duration(s.ExposureUS) * time.Microsecond
	f.Meta = state.FrameMeta{
		Width: r.size, Height: r.size, ExposureStart: end.Add(-exp), ExposureEnd: end,
		ExposureUS: s.ExposureUS, Gain: s.Gain, Source: "rpicam",
	}
	return f, nil
}

// watch makes ctx's end interrupt whatever read is in progress.
func (r *Camera) watch(ctx context.Context) {
	if ctx == r.watchCtx {
		return
	}
	if r.watchStop != nil {
		r.watchStop()
	}
	r.watchCtx = ctx
	r.watchStop = context.AfterFunc(ctx, func() {
		if f := r.reading.Load(); f != nil {
			_ = f.SetReadDeadline(time.Unix(1, 0))
		}
	})
}

// readError describes a failed frame read.
func (r *Camera) readError(c *child, n int, err error) error {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%w (%d of %d bytes after %d frames)", camera.ErrStalled, n, len(r.buf), c.received)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %d of %d bytes, then end of stream%s", camera.ErrShortFrame, n, len(r.buf), c.stderr.suffix())
	case errors.Is(err, io.EOF):
		// The child's group closed the pipe: give the waiter a moment
		// to finish so the error can carry the exit status and stderr.
		t := time.NewTimer(500 * time.Millisecond)
		defer t.Stop()
		select {
		case <-c.done:
			return fmt.Errorf("%w after %d frames: %v%s", camera.ErrChildExit, c.received, c.err, c.stderr.suffix())
		case <-t.C:
			return fmt.Errorf("%w: output closed after %d frames%s", camera.ErrChildExit, c.received, c.stderr.suffix())
		}
	}
	return fmt.Errorf("camera: rpicam: read: %w", err)
}

// fail counts a failure; the first of a streak is logged.
func (r *Camera) fail(err error) {
	r.failures++
	r.lastFail = time.Now()
	r.backoff.Next()
	if r.failures == 1 {
		r.log.Warn().Err(err).Msg("camera: rpicam failed; restarting with backoff")
	}
}

func (r *Camera) startChild(s camera.Settings) error {
	cmd := exec.Command(r.bin, r.Args(s)...)
	cmd.Env = append(os.Environ(), r.cfg.Env...)
	cmd.SysProcAttr = sysProcAttr()
	// Our own pipes rather than StdoutPipe and a Writer for stderr: Wait
	// (on the waiter goroutine) must not close the read end while a frame
	// is being read, and must return when the program exits, not when
	// the last helper holding stderr does.
	out, outW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("camera: rpicam: stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		out.Close()
		outW.Close()
		return fmt.Errorf("camera: rpicam: stderr pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	c := &child{
		log: r.log, cmd: cmd, out: out, stderr: &tail{}, exited: make(chan struct{}), done: make(chan struct{}),
		exp: s.ExposureUS, gain: s.Gain, started: time.Now(),
	}
	started := make(chan error, 1)
	// The waiter goroutine belongs to the child: it ends once the program
	// has exited and its group has been ended, which stopChild and Close
	// guarantee (by signalling the group, and SIGKILL after termGrace).
	go c.run(started, errR)
	err = <-started
	outW.Close() // the child holds its copies
	errW.Close()
	if err != nil {
		out.Close()
		return fmt.Errorf("camera: rpicam: start %s: %w", r.bin, err)
	}
	r.child = c
	r.log.Debug().Str("bin", r.bin).Strs("args", cmd.Args[1:]).Int("pid", cmd.Process.Pid).Msg("camera: rpicam started")
	return nil
}

// run starts the program, reports the start, waits for the program, ends
// what is left of its process group (helpers must not outlive it: they
// would hold the camera and the pipes) and reads its stderr to the end;
// then it closes done.
//
// The goroutine stays locked to its thread from the start until the
// program has been reaped: the program's Pdeathsig fires when the thread
// that forked it exits (see sysProcAttr). Locking costs one thread,
// parked in Wait, per running program.
func (c *child) run(started chan<- error, errR *os.File) {
	runtime.LockOSThread()
	defer close(c.done)
	defer runtime.UnlockOSThread() // the program is reaped: the thread is free again
	if err := c.cmd.Start(); err != nil {
		errR.Close()
		started <- err
		return
	}
	copied := make(chan struct{})
	go func() { // ends at stderr's end, or at the drain deadline set below
		defer close(copied)
		_, _ = io.Copy(c.stderr, errR)
	}()
	started <- nil
	c.err = c.cmd.Wait()
	close(c.exited)
	c.endGroup()
	_ = errR.SetReadDeadline(time.Now().Add(stderrDrain))
	<-copied
	errR.Close()
}

// endGroup ends what is left of the process group once its leader, the
// program, has exited: SIGTERM (unless stop sent it already), then
// SIGKILL if anything remains termGrace after the SIGTERM.
func (c *child) endGroup() {
	p := c.cmd.Process
	if c.killed.Load() || !groupAlive(p) {
		return
	}
	deadline := c.term()
	for groupAlive(p) {
		if !time.Now().Before(deadline) {
			c.kill()
			return
		}
		time.Sleep(min(groupPoll, time.Until(deadline)))
	}
}

// stop ends the program and its group and waits for run to finish:
// SIGTERM to the group, SIGKILL termGrace later if the program is still
// running; once it has exited, run's endGroup does the same for the rest
// of the group, within the same grace.
func (c *child) stop() {
	select {
	case <-c.exited: // run is ending the group
	default:
		t := time.NewTimer(time.Until(c.term()))
		select {
		case <-c.exited:
		case <-t.C:
			c.kill()
		}
		t.Stop()
	}
	<-c.done
}

// term sends the group SIGTERM, the first time it is called, and returns
// when SIGKILL is due.
func (c *child) term() (killAt time.Time) {
	if c.termAt.CompareAndSwap(0, time.Now().UnixNano()) {
		c.signal(syscall.SIGTERM)
	}
	return time.Unix(0, c.termAt.Load()).Add(termGrace)
}

// kill sends the group SIGKILL, the first time it is called.
func (c *child) kill() {
	if c.killed.CompareAndSwap(false, true) {
		c.signal(syscall.SIGKILL)
	}
}

// signal sends sig to the child's process group; a failure (other than
// the group being gone) is logged, as there is nothing else to do.
func (c *child) signal(sig syscall.Signal) {
	if err := signalGroup(c.cmd.Process, sig); err != nil {
		c.log.Warn().Err(err).Msg("camera: rpicam: ending the camera program")
	}
}

// stopChild ends the child, if any, with its process group and waits for
// it.
func (r *Camera) stopChild() {
	c := r.child
	if c == nil {
		return
	}
	r.child = nil
	c.stop()
	c.out.Close()
}

// tail keeps the last bytes a child wrote to stderr for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 400

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return len(p), nil
}

// suffix is ": stderr: <last line>" or "".
func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if s == "" {
		return ""
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return ": stderr: " + s
}
