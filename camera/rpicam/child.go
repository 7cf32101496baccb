package rpicam

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
)

// Ending the camera program's process group (stop, endGroup).
const (
	// termGrace is how long the program and its helpers get, after
	// SIGTERM, to exit before SIGKILL. rpicam-raw exits on SIGTERM at
	// once (the default action; the kernel releases the camera), and the
	// picamera2 helper ends on SIGTERM or on its stdin closing, so the
	// grace is for a wrapper that cleans up on SIGTERM; it is short
	// because every rpicam-raw exposure change restarts the program while
	// the capture waits, and Close should not keep shutdown waiting.
	termGrace = 500 * time.Millisecond
	// groupPoll is how often the group is checked during the grace once
	// the program itself has exited: there is no event for a helper's end.
	groupPoll = 10 * time.Millisecond
	// stderrDrain bounds the read of the program's last stderr once its
	// group has been killed, in case a process that left the group still
	// holds the pipe.
	stderrDrain = 200 * time.Millisecond
)

// child is one run of the camera program: its process group, the read end
// of its stdout, the write end of its stdin (when it takes commands) and
// the tail of its stderr.
type child struct {
	log      zerolog.Logger
	cmd      *exec.Cmd
	out      *os.File
	in       *os.File // nil unless started with commands
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

// procSpec is what to run.
type procSpec struct {
	bin   string
	args  []string
	env   []string
	stdin bool              // give the program a command pipe
	line  func(line string) // called for each stderr line, on the copier goroutine; may be nil
}

// startChild starts the program described by sp in a process group of its
// own and returns once it runs.
func startChild(log zerolog.Logger, sp procSpec) (*child, error) {
	cmd := exec.Command(sp.bin, sp.args...)
	cmd.Env = append(os.Environ(), sp.env...)
	cmd.SysProcAttr = sysProcAttr()
	// Our own pipes rather than StdoutPipe and a Writer for stderr: Wait
	// (on the waiter goroutine) must not close the read end while a frame
	// is being read, and must return when the program exits, not when
	// the last helper holding stderr does.
	var files []*os.File // the child's ends, closed once it holds copies
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	out, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("camera: rpicam: stdout pipe: %w", err)
	}
	files = append(files, outW)
	errR, errW, err := os.Pipe()
	if err != nil {
		out.Close()
		closeAll()
		return nil, fmt.Errorf("camera: rpicam: stderr pipe: %w", err)
	}
	files = append(files, errW)
	var in *os.File
	if sp.stdin {
		inR, inW, err := os.Pipe()
		if err != nil {
			out.Close()
			errR.Close()
			closeAll()
			return nil, fmt.Errorf("camera: rpicam: stdin pipe: %w", err)
		}
		files = append(files, inR)
		cmd.Stdin, in = inR, inW
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	c := &child{
		log: log, cmd: cmd, out: out, in: in, stderr: &tail{line: sp.line},
		exited: make(chan struct{}), done: make(chan struct{}), started: time.Now(),
	}
	started := make(chan error, 1)
	// The waiter goroutine belongs to the child: it ends once the program
	// has exited and its group has been ended, which stop guarantees (by
	// signalling the group, and SIGKILL after termGrace).
	go c.run(started, errR)
	err = <-started
	closeAll() // the child holds its copies
	if err != nil {
		out.Close()
		if in != nil {
			in.Close()
		}
		return nil, fmt.Errorf("camera: rpicam: start %s: %w", sp.bin, err)
	}
	return c, nil
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

// stop ends the program and its group, waits for run to finish and closes
// our pipe ends: SIGTERM to the group, SIGKILL termGrace later if the
// program is still running; once it has exited, run's endGroup does the
// same for the rest of the group, within the same grace.
func (c *child) stop() {
	if c.in != nil {
		c.in.Close() // a helper reading commands sees the end at once
	}
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
	c.out.Close()
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

// exitError describes the program's end once its output has closed: it
// gives the waiter a moment to finish so the error can carry the exit
// status and the last stderr line.
func (c *child) exitError(what string) error {
	t := time.NewTimer(500 * time.Millisecond)
	defer t.Stop()
	select {
	case <-c.done:
		return fmt.Errorf("%w %s: %v%s", camera.ErrChildExit, what, c.err, c.stderr.suffix())
	case <-t.C:
		return fmt.Errorf("%w: output closed %s%s", camera.ErrChildExit, what, c.stderr.suffix())
	}
}

// tail keeps the last bytes a child wrote to stderr for error messages,
// and hands complete lines to line when set.
type tail struct {
	mu   sync.Mutex
	buf  []byte
	part []byte // an incomplete last line, for line
	line func(string)
}

const (
	tailMax = 400
	lineMax = 4096 // a longer stderr line is passed on cut
)

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	var lines []string
	if t.line != nil {
		t.part = append(t.part, p...)
		for {
			i := strings.IndexByte(string(t.part), '\n')
			if i < 0 {
				if len(t.part) > lineMax {
					lines = append(lines, string(t.part))
					t.part = t.part[:0]
				}
				break
			}
			lines = append(lines, string(t.part[:i]))
			t.part = append(t.part[:0], t.part[i+1:]...)
		}
	}
	t.mu.Unlock()
	for _, l := range lines {
		t.line(l)
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
