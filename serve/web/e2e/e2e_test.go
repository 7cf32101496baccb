package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// token is the API token of the servers under test.
const token = "e2e-t0ken-for-the-browser"

// requireBrowser makes a missing companion a failure (CI).
var requireBrowser = os.Getenv("PIFINDER_REQUIRE_BROWSER") == "1"

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if requireBrowser {
		t.Fatalf(format+" (PIFINDER_REQUIRE_BROWSER=1)", args...)
	}
	t.Skipf(format, args...)
}

// chromium finds the system Chromium: $PIFINDER_CHROMIUM, else Debian's
// chromium (or Ubuntu's chromium-browser) on PATH.
func chromium() (string, error) {
	if p := os.Getenv("PIFINDER_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on PATH")
}

func TestPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests run in the full pass (without -short)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("browser tests run on Linux")
	}
	browser, err := chromium()
	if err != nil {
		skipOrFail(t, "skipping the browser tests: %v; install Debian's chromium package (apt-get install chromium)", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "skipping the browser tests: no node on PATH; install Debian's nodejs and npm packages")
	}
	dir, _ := filepath.Abs("testdata")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err != nil {
		npm, lerr := exec.LookPath("npm")
		if lerr != nil {
			skipOrFail(t, "skipping the browser tests: playwright-core not installed and no npm; install Debian's npm package, or run npm ci in %s", dir)
		}
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			skipOrFail(t, "skipping the browser tests: npm ci in %s failed (no registry?): %v\n%s", dir, err, out)
		}
	}
	artifacts := os.Getenv("PIFINDER_ARTIFACTS")
	if artifacts == "" {
		if artifacts, err = os.MkdirTemp("", "pifinder-e2e-"); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", artifacts)

	bin := filepath.Join(t.TempDir(), "pifinder")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = "../../.."
	build.Env = append(os.Environ(), "GOARCH=", "GOARM=", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the binary: %v\n%s", err, out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	// The main server: the simulated night, the simulated observer
	// pushing to each target, Brussels.
	main := startServer(t, ctx, &wg, bin, "main", serverOptions{observer: true, token: true})
	// The faulty one: its state owner fails 8 s after each start, and the
	// supervisor restarts it, as systemd does.
	faulty := startServer(t, ctx, &wg, bin, "faulty", serverOptions{observer: true, token: true, fault: true})
	// And `go run .`'s defaults: no token (changes off), no site.
	plain := startServer(t, ctx, &wg, bin, "plain", serverOptions{})
	waitPointing(t, main)

	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "page.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PIFINDER_URL="+main, "PIFINDER_FAULT_URL="+faulty, "PIFINDER_PLAIN_URL="+plain, "PIFINDER_TOKEN="+token,
		"PIFINDER_CHROMIUM="+browser, "PIFINDER_ARTIFACTS="+artifacts)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test page.test.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
}

// serverOptions say how startServer runs the binary.
type serverOptions struct {
	observer bool // --sim-observer and a site (Brussels)
	token    bool // the API token set (changes enabled)
	fault    bool // the owner dies 8 s after each start
}

// startServer runs the binary on a free port until ctx ends, restarting
// it when it exits with status 1 (the owner-death exit) as systemd's
// Restart=on-failure does. It returns the page's URL.
func startServer(t *testing.T, ctx context.Context, wg *sync.WaitGroup, bin, name string, o serverOptions) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	args := []string{
		"--http", addr, "--lx200", "", "--gpsd", "", "--log-format", "json",
		"--config", filepath.Join(dir, "config.json"), "--obslog", filepath.Join(dir, "obs.db"),
	}
	if o.observer {
		args = append(args, "--location", "50.85,4.35,60", "--sleep-timeout", "Off", "--sim-observer")
	}
	if o.fault {
		args = append(args, "--fault", "owner-error-after=8s")
	}
	logf, err := os.Create(filepath.Join(dir, "log.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	starts := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer logf.Close()
		for ctx.Err() == nil {
			starts++
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env = append(os.Environ(), "PIFINDER_API_TOKEN=")
			if o.token {
				cmd.Env = append(os.Environ(), "PIFINDER_API_TOKEN="+token)
			}
			cmd.Stdout, cmd.Stderr = logf, logf
			cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
			cmd.WaitDelay = 10 * time.Second
			err := cmd.Run()
			var exit *exec.ExitError
			if ctx.Err() != nil || !errors.As(err, &exit) || exit.ExitCode() != 1 {
				if ctx.Err() == nil {
					t.Errorf("%s server stopped: %v (log %s)", name, err, logf.Name())
				}
				return
			}
			time.Sleep(500 * time.Millisecond) // systemd's RestartSec, shortened
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s server log (%d starts), last lines:\n%s", name, starts, tail(string(b), 30))
		}
	})
	return "http://" + addr + "/"
}

// waitPointing waits until the server at url has a solved pointing.
func waitPointing(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "api/state")
		if err == nil {
			var st struct {
				Pointing struct {
					Aligned struct {
						Estimate *struct{} `json:"estimate"`
					} `json:"aligned"`
				} `json:"pointing"`
			}
			err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st)
			resp.Body.Close()
			if err == nil && st.Pointing.Aligned.Estimate != nil {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no pointing from %s within 60 s", url)
}

func tail(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + fmt.Sprintf("\n(%d lines)", len(lines))
}
