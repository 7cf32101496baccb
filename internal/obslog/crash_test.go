package obslog

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const crashChildEnv = "OBSLOG_CRASH_CHILD_DB"

// crashChild is the writer of TestCrashKeepsAcknowledged: it adds entries
// as fast as it can and prints each id once Add has returned, that is once
// the entry is acknowledged. It never stops by itself (it is killed), but
// gives up after a minute in case the parent died.
func crashChild() {
	l, err := Open(os.Getenv(crashChildEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	deadline := time.Now().Add(time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		e, err := l.Add(context.Background(), crashEntry(i))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		fmt.Printf("%d %d\n", e.ID, i)
	}
	os.Exit(5)
}

// crashEntry is the i'th entry the child writes; the parent rebuilds it to
// check what it reads back.
func crashEntry(i int) Entry {
	e := m31(t0.Add(time.Duration(i) * time.Second))
	e.Target.Name = fmt.Sprintf("Target %d", i)
	e.Notes = fmt.Sprintf("entry %d, %s", i, "x")
	e.Stars = i % 100
	return e
}

// TestCrashKeepsAcknowledged kills a writing process with SIGKILL in the
// middle of its stream of commits, then checks that every entry it
// reported as added is in the reopened database, intact, and that the
// file passes SQLite's integrity check. Killing the process (not just
// dropping a handle) is what tests the WAL recovery path.
func TestCrashKeepsAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process that writes for a second or so")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "obslog.db")
	for round := range 3 {
		acked := crashRound(t, path, 40+round*35)
		l, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		ctx := context.Background()
		if err := l.Check(ctx); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
		for id, i := range acked {
			got, err := l.Get(ctx, id)
			if err != nil {
				t.Errorf("round %d: acknowledged entry %d lost: %v", round, id, err)
				continue
			}
			want := crashEntry(i)
			if got.Target.Name != want.Target.Name || got.Notes != want.Notes || !got.Time.Equal(want.Time) || got.Stars != want.Stars {
				t.Errorf("round %d: entry %d = %+v, want %+v", round, id, got, want)
			}
		}
		n, _ := l.Count(ctx, Filter{})
		t.Logf("round %d: %d acknowledged, %d in the file", round, len(acked), n)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// crashRound runs the child until it has acknowledged after entries, kills
// it and returns the acknowledged id → index.
func crashRound(t *testing.T, path string, after int) map[int64]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int64]int{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var id int64
		var i int
		if _, err := fmt.Sscan(sc.Text(), &id, &i); err != nil {
			t.Fatalf("child said %q: %v", sc.Text(), err)
		}
		acked[id] = i
		if len(acked) == after {
			// Mid-stream: the child is inside its next Add right now.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	// Lines the child printed before the signal landed are acknowledged
	// too: read them all.
	for sc.Scan() {
		var id int64
		var i int
		if _, err := fmt.Sscan(sc.Text(), &id, &i); err == nil {
			acked[id] = i
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v (acknowledged %d of %d)", err, len(acked), after)
	}
	if len(acked) < after {
		t.Fatalf("child acknowledged %d entries, want %d", len(acked), after)
	}
	return acked
}
