package rpicam

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// sysProcAttr starts the camera program as the leader of a process group
// of its own, so that helpers it starts (a wrapper script's commands,
// rpicam-raw's own children) can be ended with it: signalling only the
// program left one orphan per restart when a helper hung.
//
// Pdeathsig SIGKILL: if this process dies without running Close (a crash,
// the OOM killer, a watchdog's SIGKILL), the kernel kills the camera
// program at once. It would otherwise hold the camera until its next write
// to the pipe fails, which a stalled program or a long exposure delays
// indefinitely, and the restarted service could not open the camera.
// The signal goes to the program only (the kernel clears it for the
// program's own children); the service manager's cgroup kill covers those.
//
// Linux sends the signal when the thread that forked the program exits,
// not the process (go.dev/issue/27505), and the Go runtime ends a thread
// whenever a goroutine that locked it returns without unlocking, which any
// code in the process may do. So the program is started and waited for on
// one goroutine locked to its thread (child.run) until it is reaped.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends sig to the process group p leads; a group already gone
// is not an error.
//
// The group id is p's pid. It stays valid while the leader is unreaped or
// any member remains (Linux does not reuse an id a group still holds);
// only once all are gone could a new process take it, and callers signal
// only while the group may still exist (see child.stop and endGroup).
func signalGroup(p *os.Process, sig syscall.Signal) error {
	if p.Pid <= 1 { // -0 is our own group, -1 every process we may signal
		return fmt.Errorf("camera: rpicam: signal %v to group %d: not a child's group", sig, p.Pid)
	}
	if err := syscall.Kill(-p.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("camera: rpicam: signal %v to process group %d: %w", sig, p.Pid, err)
	}
	return nil
}

// groupAlive reports whether any process remains in the group p leads. A
// zombie counts until its parent reaps it: the leader's is reaped by our
// Wait, an orphaned helper's by init.
func groupAlive(p *os.Process) bool {
	return p.Pid > 1 && !errors.Is(syscall.Kill(-p.Pid, 0), syscall.ESRCH)
}
