package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/memnet"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/wait"
	"github.com/pifinder-go/pifinder/state"
)

var pipelineWorkers = []string{"camera", "solver", "integrator", "imu", "power", "summary", "lx200", "http", "targets"}

// loopWorkers are the workers whose loops report their wake-ups (wait.Woke).
var loopWorkers = []string{"camera", "solver", "integrator", "imu", "power", "summary", "targets"}

// wakeCounter counts loop wake-ups per worker through wait.SetWakeHook.
type wakeCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func countWakes(t *testing.T) *wakeCounter {
	c := &wakeCounter{n: map[string]int{}}
	restore := wait.SetWakeHook(func(w string) { c.mu.Lock(); c.n[w]++; c.mu.Unlock() })
	t.Cleanup(restore)
	return c
}

func (c *wakeCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// The whole pipeline (simulated camera, real detector and solver, simulated
// IMU, integrator, power, summary, and the LX200 and HTTP servers with a
// client each) meets the owner's death: every worker stops with exactly one
// line, nothing else is logged after the fault, no loop wakes up in the ten
// minutes after, and the status is 1.
func TestPipelineOwnerDeath(t *testing.T) {
	for _, kind := range []string{"owner-panic", "owner-error"} {
		t.Run(kind, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				wakes := countWakes(t)
				logs := &logBuffer{}
				lx, web := memnet.Listen(), memnet.Listen()
				p, err := New(Config{
					// Info, as the binary logs: per-client debug lines are not events.
					Log:             zerolog.New(logs).Level(zerolog.InfoLevel),
					Fault:           Fault{Kind: kind, After: 3500 * time.Millisecond}, // between summary ticks
					SummaryInterval: time.Second,
					LX200Listener:   lx,
					HTTPListener:    web,
				})
				if err != nil {
					t.Fatal(err)
				}
				// A SkySafari-like client and an HTTP client stay connected
				// through the fault.
				clients := startClients(t, lx, web)
				start := time.Now()
				err = p.Run(context.Background())
				if took := time.Since(start); took > 4500*time.Millisecond {
					t.Errorf("stopped %v after start; the fault came at 3.5 s", took)
				}
				if !errors.Is(err, state.ErrOwnerGone) || ExitCode(err) != 1 {
					t.Fatalf("Run = %v, want ErrOwnerGone, exit 1", err)
				}
				clients.Wait()
				lines := logs.Lines()
				final, _ := p.Store().Final()
				if final.Stats.Frames == 0 || final.Stats.Solves == 0 {
					t.Errorf("the pipeline did not run before the fault: %+v", final.Stats)
				}
				for _, n := range pipelineWorkers {
					if got := countContaining(lines, `"worker":"`+n+`"`, `"message":"worker stopped"`); got != 1 {
						t.Errorf("worker %s: %d stop lines, want exactly 1:\n%s", n, got, strings.Join(lines, "\n"))
					}
				}
				// After the fault: the owner's line and the stop lines, nothing else.
				fault := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "injecting fault") })
				if fault < 0 {
					t.Fatal("no fault line")
				}
				for _, l := range lines[fault+1:] {
					if !strings.Contains(l, `"message":"worker stopped"`) && !strings.Contains(l, `"message":"state owner ended; stopping the pipeline"`) {
						t.Errorf("line after the fault that is not a stop line: %s", l)
					}
				}
				before := wakes.snapshot()
				for _, n := range loopWorkers {
					if before[n] == 0 {
						t.Errorf("worker %s never reported a wake-up while running: the hook is not wired", n)
					}
				}
				n := len(lines)
				time.Sleep(10 * time.Minute)
				synctest.Wait()
				if got := len(logs.Lines()); got != n {
					t.Errorf("%d log lines after the stop", got-n)
				}
				if after := wakes.snapshot(); !maps.Equal(after, before) {
					t.Errorf("loops woke after the stop: before %v, after %v", before, after)
				}
			})
		})
	}
}

// startClients connects an LX200 client that polls :GR#/:GD# and an HTTP
// client reading the event stream; both end when the servers close them.
func startClients(t *testing.T, lx, web *memnet.Listener) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	wg.Go(func() {
		c, err := lx.Dial(context.Background())
		if err != nil {
			t.Errorf("lx200 dial: %v", err)
			return
		}
		defer c.Close()
		buf := make([]byte, 64)
		for {
			if _, err := io.WriteString(c, ":GR#:GD#"); err != nil {
				return
			}
			if _, err := c.Read(buf); err != nil {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	})
	wg.Go(func() {
		tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return web.Dial(ctx) }}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get("http://pifinder/api/events")
		if err != nil {
			t.Errorf("events: %v", err)
			return
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
	})
	return &wg
}

func TestPipelineRequestedStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuffer{}
		p, err := New(Config{Log: zerolog.New(logs), SummaryInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Run(ctx); err != nil {
			t.Fatalf("Run = %v, want nil (exit 0)", err)
		}
		lines := logs.Lines()
		if got := countContaining(lines, `"message":"summary"`, `"frames"`, `"solves"`, `"solve_rate_hz"`, `"ra_deg"`, `"dec_deg"`, `"err_arcsec"`); got < 3 {
			t.Errorf("%d summary lines with the contract fields, want ≥ 3 in 5 s:\n%s", got, strings.Join(lines, "\n"))
		}
		if got := countContaining(lines, `"alt_deg"`, `"az_deg"`, `"constellation"`, `"source"`, `"message":"summary"`); got < 3 {
			t.Errorf("summary lines lack alt/az/constellation/source")
		}
		if countContaining(lines, `"level":"error"`) != 0 {
			t.Errorf("errors logged on a clean run:\n%s", strings.Join(lines, "\n"))
		}
	})
}

// nightScript is the scripted night: slews at 2-5°/s, holds, the camera
// covered for 20 s while the telescope moves, and a hold long enough for
// the power manager to put the device to sleep.
func nightScript(short bool) simworld.Script {
	a := geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}
	b := geom.Attitude{RA: 56.9, Dec: 24.1, Roll: 10}
	c := geom.Attitude{RA: 101.3, Dec: -16.7, Roll: 50}
	d := geom.Attitude{RA: 114.8, Dec: 5.2, Roll: 80}
	steps := []simworld.Step{
		{To: a, Hold: 15 * time.Second},
		{To: b, RateDegPerS: 3, Hold: 12 * time.Second},
		{To: c, RateDegPerS: 5, Hold: 8 * time.Second},
		// Covered for 20 s: 10 s of slew at 2°/s and 10 s of hold.
		{To: geom.Attitude{RA: c.RA + 20.5, Dec: c.Dec + 2, Roll: 50}, RateDegPerS: 2, Hold: 10 * time.Second, Covered: true},
		{To: geom.Attitude{RA: c.RA + 20.5, Dec: c.Dec + 2, Roll: 50}, Hold: 10 * time.Second},
		{To: d, RateDegPerS: 2, Hold: 45 * time.Second}, // asleep after 30 s
		{To: a, RateDegPerS: 4, Hold: 15 * time.Second}, // the slew wakes it
	}
	if short {
		steps = steps[:5]
	}
	return simworld.Script{Start: a, Steps: steps}
}

type phaseStats struct {
	errs []float64
}

func (p *phaseStats) add(e float64) { p.errs = append(p.errs, e) }

func (p *phaseStats) summary() (n int, median, p95, max float64) {
	if len(p.errs) == 0 {
		return 0, 0, 0, 0
	}
	s := append([]float64(nil), p.errs...)
	sort.Float64s(s)
	return len(s), s[len(s)/2], s[int(float64(len(s)-1)*0.95)], s[len(s)-1]
}

// The scripted night through the whole pipeline in fake time.
func TestScriptedNight(t *testing.T) {
	short := testing.Short()
	synctest.Test(t, func(t *testing.T) {
		const drift = 3.0 // arcsec/s
		t0 := time.Now()
		world := simworld.New(t0, nightScript(short))
		logs := &logBuffer{}
		p, err := New(Config{
			Log:          zerolog.New(logs).Level(zerolog.InfoLevel),
			World:        world,
			SimIMU:       &simimu.Config{DriftArcsecPerS: drift, NoiseArcsec: 1, Seed: 7},
			SleepTimeout: "30s",
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), world.Duration())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()

		phases := map[string]*phaseStats{}
		add := func(name string, e float64) {
			if phases[name] == nil {
				phases[name] = &phaseStats{}
			}
			phases[name].add(e)
		}
		// The instant the cover comes off.
		var coverEnd time.Time
		for at := t0; at.Before(t0.Add(world.Duration())); at = at.Add(100 * time.Millisecond) {
			if world.Covered(at) {
				coverEnd = at.Add(100 * time.Millisecond)
			}
		}
		var (
			firstAfterCover time.Time
			sawAsleep       bool
			sawWake         bool
			violations      []string
		)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
	sample:
		for {
			select {
			case <-ctx.Done():
				break sample
			case <-tick.C:
			}
			s, err := p.Store().Snapshot(ctx)
			if err != nil {
				break
			}
			if s.Power == state.Asleep {
				sawAsleep = true
			} else if sawAsleep {
				sawWake = true
			}
			e := s.Estimate
			cam := e.Camera.Estimate
			if !cam.Valid {
				continue
			}
			at := e.EstimateTime
			truth := world.Attitude(at)
			errArc := geom.Separation(cam.RA, cam.Dec, truth.RA, truth.Dec) * 3600
			switch {
			case e.Source == state.SourceCamera && !world.Moving(at):
				add("stationary, fresh solve", errArc)
				if errArc > 60 {
					violations = append(violations, fmt.Sprintf("solve at %v off by %.1f″", at.Sub(t0), errArc))
				}
			case e.Source == state.SourceIMU:
				name := "slewing, IMU"
				if world.Covered(at) {
					name = "covered, IMU"
				}
				add(name, errArc)
				// Drift model: the IMU frame drifts by `drift` per second since
				// its anchor was measured (the anchor of a solve during a hold is
				// the quaternion at the end of the previous slew: ≤ 45 s older).
				bound := 60 + drift*(at.Sub(e.LastSolveSuccess).Seconds()+45)
				if errArc > bound {
					violations = append(violations, fmt.Sprintf("IMU estimate at %v off by %.1f″ > %.1f″", at.Sub(t0), errArc, bound))
				}
			case e.Source == state.SourceCamera:
				// A frame that ended just as a slew began: its solve stands
				// until the IMU registers the motion.
				add("slew start, last solve", errArc)
			default:
				add("other ("+string(e.Source)+")", errArc)
			}
			if !coverEnd.IsZero() && firstAfterCover.IsZero() && e.Source == state.SourceCamera && at.After(coverEnd) {
				firstAfterCover = at
				if errArc > 60 {
					violations = append(violations, fmt.Sprintf("first solve after the cover off by %.1f″", errArc))
				}
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		final, _ := p.Store().Final()
		t.Logf("night of %v fake time: %d frames, %d solves, %d failed, %d dropped", world.Duration(), final.Stats.Frames, final.Stats.Solves, final.Stats.SolveFailures, final.Stats.DroppedFrames)
		t.Logf("%-26s %6s %10s %10s %10s", "phase", "n", "median″", "p95″", "max″")
		names := make([]string, 0, len(phases))
		for n := range phases {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c, med, p95, mx := phases[n].summary()
			t.Logf("%-26s %6d %10.1f %10.1f %10.1f", n, c, med, p95, mx)
		}
		for _, v := range violations {
			t.Error(v)
		}
		if phases["stationary, fresh solve"] == nil || phases["slewing, IMU"] == nil {
			t.Fatalf("phases missing: %v", names)
		}
		if phases["covered, IMU"] == nil {
			t.Error("no IMU estimates while the camera was covered")
		}
		if !firstAfterCover.IsZero() && firstAfterCover.Sub(coverEnd) > 2*time.Second {
			t.Errorf("first solve %v after the cover came off, want within two frames", firstAfterCover.Sub(coverEnd))
		}
		if !short && (!sawAsleep || !sawWake) {
			t.Errorf("power: asleep seen %v, wake seen %v; want both", sawAsleep, sawWake)
		}
		if c, _, _, _ := phases["stationary, fresh solve"].summary(); c < 10 {
			t.Errorf("only %d fresh solves sampled", c)
		}
	})
}
