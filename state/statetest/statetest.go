package statetest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/state"
)

// LogBuffer collects log lines written from many goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; zerolog writes one whole line per call.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines returns the lines written so far.
func (b *LogBuffer) Lines() []string {
	s := strings.TrimSpace(b.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Count returns the number of lines that contain every one of subs.
func (b *LogBuffer) Count(subs ...string) int {
	return CountLines(b.Lines(), subs...)
}

// CountLines returns the number of lines that contain every one of subs.
func CountLines(lines []string, subs ...string) int {
	n := 0
next:
	for _, l := range lines {
		for _, s := range subs {
			if !strings.Contains(l, s) {
				continue next
			}
		}
		n++
	}
	return n
}

// Start runs a state owner from init until the test ends.
func Start(t testing.TB, init state.State) *state.Store {
	t.Helper()
	st, _ := Run(t, init)
	return st
}

// Run is Start with a stop function, for tests that end the owner
// themselves (the owner's death, a clean stop): stop cancels the owner and
// waits for it; calling it again, or the cleanup at the test's end, does
// nothing more.
func Run(t testing.TB, init state.State) (st *state.Store, stop func()) {
	t.Helper()
	st = state.New(init)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = st.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return st, stop
}
