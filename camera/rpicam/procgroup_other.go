//go:build !linux

package rpicam

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// The product runs on Linux (procgroup_linux.go), where the camera program
// gets a process group of its own and the group is ended. Elsewhere, for
// building and testing on a developer machine, only the program itself is
// signalled: helpers it starts may outlive it.

func sysProcAttr() *syscall.SysProcAttr { return nil }

func signalGroup(p *os.Process, sig syscall.Signal) error {
	if err := p.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("camera: rpicam: signal %v to %d: %w", sig, p.Pid, err)
	}
	return nil
}

func groupAlive(*os.Process) bool { return false }
