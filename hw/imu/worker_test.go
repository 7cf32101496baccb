package imu

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"
	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type syncBuf = statetest.LogBuffer

// scriptIMU answers every Read with script(n, elapsed).
type scriptIMU struct {
	mu     sync.Mutex
	start  time.Time
	reads  int
	script func(n int, el time.Duration) (Reading, error)
}

func (d *scriptIMU) Read(ctx context.Context) (Reading, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.start.IsZero() {
		d.start = time.Now()
	}
	d.reads++
	r, err := d.script(d.reads, time.Since(d.start))
	r.Time = time.Now()
	return r, err
}

func (d *scriptIMU) Close() error { return nil }

func (d *scriptIMU) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reads
}

// runWorker runs a store and Run for d of fake time, then cancels with a
// cause and returns the final state and Run's result.
func runWorker(t *testing.T, dev Device, opts Options, d time.Duration, logs *syncBuf) (state.State, error) {
	st := state.New(state.Default())
	stCtx, stopStore := context.WithCancel(t.Context())
	defer stopStore()
	go st.Run(stCtx)
	ctx, cancel := context.WithCancelCause(t.Context())
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		runErr = Run(ctx, dev, st, zerolog.New(logs), opts)
	}()
	time.Sleep(d)
	snap, err := st.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cancel(errors.New("test over"))
	<-done
	stopStore()
	<-st.Done()
	return snap, runErr
}

func TestRunIMUPublishesAfterCalibration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dev := &scriptIMU{script: func(n int, el time.Duration) (Reading, error) {
			cal := 0
			if el >= time.Second {
				cal = 3
			}
			return Reading{Quat: quat.Number{Real: 1}, GyroCal: cal}, nil
		}}
		var logs syncBuf
		snap, err := runWorker(t, dev, Options{}, 3*time.Second, &logs)
		if err == nil || err.Error() != "test over" {
			t.Fatalf("Run returned %v, want the cause", err)
		}
		if !snap.HasIMU || snap.IMU.Status != 3 || snap.IMU.Quat != (quat.Number{Real: 1}) {
			t.Errorf("state IMU %+v (has %v)", snap.IMU, snap.HasIMU)
		}
		// 30 Hz for the 2 calibrated seconds.
		if n := snap.Stats.IMUSamples; n < 58 || n > 62 {
			t.Errorf("%d samples published in 2 s, want ~60", n)
		}
		if r := dev.count(); r < 88 || r > 92 {
			t.Errorf("%d reads in 3 s, want ~90", r)
		}
		if n := logs.Count(`"message":"` + "NOIMU CAL" + `"`); n != 1 {
			t.Errorf("NOIMU CAL logged %d times in 1 s, want 1 (rate-limited)", n)
		}
		if n := logs.Count(`"message":"` + "IMU: NDOF Calibrated!" + `"`); n != 1 {
			t.Errorf("calibrated logged %d times", n)
		}
		if strings.Contains(logs.String(), "test over") {
			t.Errorf("the worker logged its own stop (the runner writes it):\n%s", logs.String())
		}
	})
}

func TestRunIMUBackoffAndRateLimitedLogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var broken = true
		var mu sync.Mutex
		dev := &scriptIMU{script: func(n int, el time.Duration) (Reading, error) {
			mu.Lock()
			defer mu.Unlock()
			if broken {
				return Reading{}, fmt.Errorf("bno055: read reg 0x35: %w: i2c: NACK", ErrBus)
			}
			return Reading{Quat: quat.Number{Real: 1}, GyroCal: 3}, nil
		}}
		var logs syncBuf
		st := state.New(state.Default())
		ctx, cancel := context.WithCancelCause(t.Context())
		go st.Run(ctx)
		done := make(chan error)
		go func() { done <- Run(ctx, dev, st, zerolog.New(&logs), Options{}) }()

		time.Sleep(3 * time.Minute)
		reads := dev.count()
		// Backoff doubles from 1/15 s to the 5 s cap: ~8 fast retries, then one per 5 s.
		if reads > 50 || reads < 30 {
			t.Errorf("%d reads in 3 minutes of errors: backoff not working", reads)
		}
		if n := logs.Count(`"message":"` + "imu: read failed" + `"`); n < 3 || n > 4 {
			t.Errorf("%d error lines in 3 minutes, want first + one per minute", n)
		}
		mu.Lock()
		broken = false
		mu.Unlock()
		time.Sleep(6 * time.Second)
		if n := logs.Count(`"message":"` + "imu: reads recovered" + `"`); n != 1 {
			t.Errorf("recovered logged %d times", n)
		}
		snap, err := st.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !snap.HasIMU || snap.Stats.IMUSamples < 30 {
			t.Errorf("not publishing after recovery: %d samples", snap.Stats.IMUSamples)
		}
		cause := errors.New("bye")
		cancel(cause)
		if err := <-done; !errors.Is(err, cause) {
			t.Errorf("Run = %v, want the cause", err)
		}
		<-st.Done()
		if n := logs.Count("stop"); n != 0 {
			t.Errorf("the worker logged its own stop %d times (the runner writes it)", n)
		}
	})
}

// TestRunIMUNone: without a device the worker logs the degraded mode once
// and idles until the pipeline stops (no polling), then returns the cause.
func TestRunIMUNone(t *testing.T) {
	var logs syncBuf
	ctx, cancel := context.WithCancelCause(t.Context())
	cause := errors.New("stop")
	time.AfterFunc(50*time.Millisecond, func() { cancel(cause) })
	if err := Run(ctx, nil, nil, zerolog.New(&logs), Options{}); !errors.Is(err, cause) {
		t.Fatalf("Run = %v, want the cause", err)
	}
	if !strings.Contains(logs.String(), "DEGRADED_OPS IMU") || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("log %q", logs.String())
	}
}

func TestRunIMUOwnerGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dev := &scriptIMU{script: func(int, time.Duration) (Reading, error) {
			return Reading{Quat: quat.Number{Real: 1}, GyroCal: 3}, nil
		}}
		st := state.New(state.Default())
		stCtx, kill := context.WithCancel(t.Context())
		go st.Run(stCtx)
		var logs syncBuf
		done := make(chan error)
		go func() { done <- Run(t.Context(), dev, st, zerolog.New(&logs), Options{}) }()
		time.Sleep(time.Second)
		kill()
		if err := <-done; !errors.Is(err, state.ErrOwnerGone) {
			t.Errorf("Run = %v, want the owner's end", err)
		}
	})
}

// TestRunIMURejectedSamples: samples the device rejects as bad data are
// dropped without backoff (the read rate stays 30 Hz), the state keeps the
// last good sample, and the rejections are counted in one rate-limited
// line per minute.
func TestRunIMURejectedSamples(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		good := quat.Number{Real: 0.8, Imag: 0.6}
		dev := &scriptIMU{script: func(n int, el time.Duration) (Reading, error) {
			switch {
			case n <= 30: // one still second, calibrated
				return Reading{Quat: good, GyroCal: 3}, nil
			case n%2 == 0: // then every other sample is corrupt
				return Reading{}, fmt.Errorf("bno055: quaternion norm 1.7: %w", ErrBadData)
			}
			return Reading{Quat: good, GyroCal: 3}, nil
		}}
		var logs syncBuf
		snap, err := runWorker(t, dev, Options{}, 2*time.Minute+10*time.Second, &logs)
		if err == nil || err.Error() != "test over" {
			t.Fatalf("Run returned %v, want the cause", err)
		}
		if r := dev.count(); r < 3890 || r > 3910 {
			t.Errorf("%d reads in 130 s, want ~3900: a rejection must not back off", r)
		}
		if !snap.HasIMU || snap.IMU.Quat != good {
			t.Errorf("state IMU %+v, want the last good sample", snap.IMU)
		}
		if n := snap.Stats.IMUSamples; n < 1955 || n > 1975 {
			t.Errorf("%d samples published, want ~1965 (the first second, then the good half)", n)
		}
		if n := logs.Count(`"message":"imu: sample rejected"`); n != 3 {
			t.Errorf("%d rejection lines in 130 s, want 3 (first, then one per minute)\n%s", n, logs.String())
		}
		if !strings.Contains(logs.String(), `"kind":"bad_data"`) || !strings.Contains(logs.String(), `"rejected_total":1,`) {
			t.Errorf("rejection lines lack kind or count:\n%s", logs.String())
		}
		// The last line (at 121 s) counts every rejection since the start.
		m := regexp.MustCompile(`"rejected_total":(\d+)`).FindAllStringSubmatch(logs.String(), -1)
		if total, _ := strconv.Atoi(m[len(m)-1][1]); total < 1790 || total > 1810 {
			t.Errorf("last rejected_total %d, want ~1800 (every other read from 1 s to 121 s)", total)
		}
		if n := logs.Count(`"message":"imu: read failed"`); n != 0 {
			t.Errorf("bad data logged as %d read failures", n)
		}
	})
}
