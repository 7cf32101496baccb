package bno055

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
	"gonum.org/v1/gonum/num/quat"
	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/physic"

	"github.com/pifinder-go/pifinder/hw/imu"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const A = DefaultAddr

// initOps is the datasheet initialisation sequence the driver must produce.
func initOps() []i2ctest.IO {
	return []i2ctest.IO{
		{Addr: A, W: []byte{0x00}, R: []byte{0xA0}}, // chip id
		{Addr: A, W: []byte{0x3D, 0x00}},            // CONFIG mode
		{Addr: A, W: []byte{0x3F, 0x20}},            // system reset
		{Addr: A, W: []byte{0x00}, R: []byte{0xA0}}, // chip back after reset
		{Addr: A, W: []byte{0x3E, 0x00}},            // power normal
		{Addr: A, W: []byte{0x07, 0x01}},            // page 1
		{Addr: A, W: []byte{0x08, 0x0D}},            // accel ±4 g
		{Addr: A, W: []byte{0x0A, 0x38}},            // gyro 2000 °/s
		{Addr: A, W: []byte{0x09, 0x6D}},            // mag 20 Hz
		{Addr: A, W: []byte{0x07, 0x00}},            // page 0
		{Addr: A, W: []byte{0x3F, 0x00}},            // trigger 0
		{Addr: A, W: []byte{0x3D, 0x00}},            // via CONFIG ...
		{Addr: A, W: []byte{0x3D, 0x08}},            // ... to IMUPLUS
	}
}

// initDelays are the sleeps of initOps, in order: to CONFIG, reset, settle,
// to CONFIG again, fusion start.
var initDelays = []time.Duration{20 * time.Millisecond, 700 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 600 * time.Millisecond}

// burst is the content of registers 0x20-0x35 in LSB, as the chip has them.
type burst struct {
	q        [4]int16 // QUA_DATA w, x, y, z: 2^14 LSB = 1
	lia, grv [3]int16 // LIA_DATA, GRV_DATA: 100 LSB = 1 m/s²
	temp     int8     // TEMP, °C
	cal      byte     // CALIB_STAT
}

// level is a chip at rest, level, 24 °C, gyro fully calibrated.
func level() burst {
	return burst{q: [4]int16{16384, 0, 0, 0}, grv: [3]int16{0, 0, 981}, temp: 24, cal: 0x30}
}

// rotX is a chip turned by deg about x.
func rotX(deg float64) burst {
	b := level()
	h := deg * math.Pi / 360
	b.q = [4]int16{int16(math.Round(16384 * math.Cos(h))), int16(math.Round(16384 * math.Sin(h))), 0, 0}
	return b
}

func le(b []byte, v int16) []byte { return append(b, byte(uint16(v)), byte(uint16(v)>>8)) }

func (b burst) bytes() []byte {
	out := make([]byte, 0, 22)
	for _, v := range b.q {
		out = le(out, v)
	}
	for _, v := range b.lia {
		out = le(out, v)
	}
	for _, v := range b.grv {
		out = le(out, v)
	}
	return append(out, byte(b.temp), b.cal)
}

// readOp is one burst read of 22 bytes from QUA_DATA_W_LSB.
func readOp(b burst) i2ctest.IO { return i2ctest.IO{Addr: A, W: []byte{0x20}, R: b.bytes()} }

// readOpRaw is a raw read: the gyro (6 bytes from 0x14), then the burst.
func readOpRaw(gyro [3]int16, b burst) []i2ctest.IO {
	var g []byte
	for _, v := range gyro {
		g = le(g, v)
	}
	return []i2ctest.IO{{Addr: A, W: []byte{0x14}, R: g}, readOp(b)}
}

// clock steps 1/30 s at every call, as the worker's reads do.
type clock struct{ t time.Time }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)} }
func (c *clock) now() time.Time {
	c.t = c.t.Add(time.Second / 30)
	return c.t
}

var errNACK = errors.New("i2c: NACK")

// flakyBus fails the transactions whose index (counting every Tx) is in
// fail, without consuming the transcript: a NACK or an absent device.
type flakyBus struct {
	*i2ctest.Playback
	fail func(i int) bool
	n    int
}

func (b *flakyBus) Tx(addr uint16, w, r []byte) error {
	i := b.n
	b.n++
	if b.fail != nil && b.fail(i) {
		return errNACK
	}
	return b.Playback.Tx(addr, w, r)
}

type sleeps struct{ got []time.Duration }

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.got = append(s.got, d)
	return context.Cause(ctx)
}

func TestInitAndRead(t *testing.T) {
	ops := initOps()
	first := burst{q: [4]int16{8192, -8192, 8192, -8192}, lia: [3]int16{100, -981, 1}, grv: [3]int16{0, 490, 850}, temp: -3, cal: 0x30 | 0x0F}
	second := burst{q: [4]int16{8192, -8192, 8192, -8192}, grv: [3]int16{0, 0, 981}, temp: 30, cal: 0xE0}
	ops = append(ops, readOp(first), readOp(second))
	pb := &i2ctest.Playback{Ops: ops, DontPanic: true}
	var sl sleeps
	clk := newClock()
	d, err := New(t.Context(), pb, Options{Sleep: sl.sleep, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sl.got, initDelays) {
		t.Errorf("delays %v, want %v", sl.got, initDelays)
	}
	r, err := d.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := quat.Number{Real: 0.5, Imag: -0.5, Jmag: 0.5, Kmag: -0.5}
	wantA := [3]float64{1, -9.81, 0.01}
	if r.Quat != want || r.GyroCal != 3 || r.HasRaw || !r.Time.Equal(clk.t) {
		t.Errorf("reading %+v, want quat %v gyro cal 3", r, want)
	}
	for i := range 3 {
		if math.Abs(r.Accel[i]-wantA[i]) > 1e-12 {
			t.Errorf("linear acceleration %v, want %v", r.Accel, wantA)
		}
	}
	r, err = d.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.GyroCal != 2 || r.Quat != want {
		t.Errorf("second reading %+v", r)
	}
	if err := pb.Close(); err != nil {
		t.Errorf("transcript not consumed: %v", err)
	}
}

func TestRawRead(t *testing.T) {
	ops := initOps()
	ops = append(ops, readOpRaw([3]int16{0x10, -0x20, 0}, level())...)
	ops = append(ops, i2ctest.IO{Addr: A, W: []byte{0x3D, 0x00}}) // Close: fusion off
	pb := &i2ctest.Playback{Ops: ops, DontPanic: true}
	d, err := New(t.Context(), pb, Options{Raw: true, Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dps := math.Pi / 180
	wantG := [3]float64{dps, -2 * dps, 0}
	for i := range 3 {
		if math.Abs(r.Gyro[i]-wantG[i]) > 1e-12 {
			t.Errorf("gyro %d: %v, want %v", i, r.Gyro[i], wantG[i])
		}
	}
	if !r.HasRaw || r.Quat != (quat.Number{Real: 1}) {
		t.Errorf("raw reading %+v", r)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Error(err)
	}
}

// TestStartupTiming runs the start-up on the real timer under synctest and
// checks when each transaction happens: the reset waits its 700 ms, each
// switch to CONFIG 20 ms, and New returns only after the 600 ms the fusion
// needs to start (Bosch's BNO055_MODE_SWITCHING_DELAY).
func TestStartupTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		bus := &timedBus{Playback: &i2ctest.Playback{Ops: initOps(), DontPanic: true}}
		if _, err := New(t.Context(), bus, Options{}); err != nil {
			t.Fatal(err)
		}
		ms := time.Millisecond
		// Offsets from start of each transaction of initOps.
		want := []time.Duration{0, 0, 20 * ms, 720 * ms, 720 * ms, 720 * ms, 720 * ms, 720 * ms, 720 * ms, 720 * ms, 720 * ms, 730 * ms, 750 * ms}
		if !slices.Equal(bus.at, want) {
			t.Errorf("transactions at %v, want %v", bus.at, want)
		}
		if got := time.Since(start); got != 1350*ms {
			t.Errorf("New returned after %v, want 1.35 s", got)
		}
		if err := bus.Close(); err != nil {
			t.Error(err)
		}
	})
}

// TestStartupCancelled: a context that ends during a datasheet wait ends
// New with its cause, without further bus traffic.
func TestStartupCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cause := errors.New("start-up deadline")
		ctx, cancel := context.WithTimeoutCause(t.Context(), time.Second, cause)
		defer cancel()
		bus := &timedBus{Playback: &i2ctest.Playback{Ops: initOps(), DontPanic: true}}
		_, err := New(ctx, bus, Options{})
		if !errors.Is(err, cause) {
			t.Fatalf("New: %v, want the context's cause", err)
		}
		if n := len(bus.at); n != 13 {
			t.Errorf("%d transactions before the deadline, want 13 (cancelled in the fusion-start wait)", n)
		}
	})
}

type timedBus struct {
	*i2ctest.Playback
	start time.Time
	at    []time.Duration
}

func (b *timedBus) Tx(addr uint16, w, r []byte) error {
	if b.start.IsZero() {
		b.start = time.Now()
	}
	b.at = append(b.at, time.Since(b.start))
	return b.Playback.Tx(addr, w, r)
}

func TestInitFailures(t *testing.T) {
	wrongID := []i2ctest.IO{{Addr: A, W: []byte{0x00}, R: []byte{0x55}}}
	cases := []struct {
		name string
		ops  []i2ctest.IO
		fail func(int) bool
		want error
	}{
		{"wrong chip id", wrongID, nil, imu.ErrNoDevice},
		{"no device (NACK on id)", initOps(), func(int) bool { return true }, imu.ErrNoDevice},
		{"empty bus (playback error)", nil, nil, imu.ErrNoDevice},
		{"NACK on power write", initOps(), func(i int) bool { return i == 4 }, imu.ErrBus},
		{"NACK on IMUPLUS", initOps(), func(i int) bool { return i == 12 }, imu.ErrBus},
		{"never back after reset", initOps()[:3], nil, imu.ErrNoDevice},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bus := &flakyBus{Playback: &i2ctest.Playback{Ops: c.ops, DontPanic: true}, fail: c.fail}
			_, err := New(t.Context(), bus, Options{Sleep: (&sleeps{}).sleep})
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := New(t.Context(), nil, Options{}); !errors.Is(err, imu.ErrNoDevice) {
		t.Errorf("nil bus: %v", err)
	}
}

func TestResetNACKTolerated(t *testing.T) {
	// The chip may NACK the reset write because it is already resetting.
	bus := &flakyBus{Playback: &i2ctest.Playback{Ops: slices.Delete(initOps(), 2, 3), DontPanic: true},
		fail: func(i int) bool { return i == 2 }}
	if _, err := New(t.Context(), bus, Options{Sleep: (&sleeps{}).sleep}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Close(); err != nil {
		t.Error(err)
	}
}

func TestSlowResetPolls(t *testing.T) {
	// The chip stays silent for two polls after reset, then answers.
	ops := initOps()
	var sl sleeps
	bus := &flakyBus{Playback: &i2ctest.Playback{Ops: ops, DontPanic: true},
		fail: func(i int) bool { return i == 3 || i == 4 }}
	if _, err := New(t.Context(), bus, Options{Sleep: sl.sleep}); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{20 * time.Millisecond, 700 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 600 * time.Millisecond}
	if !slices.Equal(sl.got, want) {
		t.Errorf("delays %v, want %v", sl.got, want)
	}
}

func TestDeviceDisappearsMidRun(t *testing.T) {
	// Two good reads, then the device vanishes for a while (every Tx fails),
	// then it comes back powered-up: the driver re-initialises it.
	ops := initOps()
	ops = append(ops, readOp(level()), readOp(level()))
	ops = append(ops, initOps()...)
	// After a re-init a new orientation is no jump: the fusion restarted.
	ops = append(ops, readOp(rotX(180)))
	gone := false
	bus := &flakyBus{Playback: &i2ctest.Playback{Ops: ops, DontPanic: true}, fail: func(int) bool { return gone }}
	d, err := New(t.Context(), bus, Options{Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := d.Read(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	gone = true
	if _, err := d.Read(t.Context()); !errors.Is(err, imu.ErrBus) {
		t.Fatalf("read after disappearance: %v, want ErrBus", err)
	}
	if _, err := d.Read(t.Context()); !errors.Is(err, imu.ErrNoDevice) {
		t.Fatalf("re-init while gone: %v, want ErrNoDevice", err)
	}
	gone = false
	r, err := d.Read(t.Context())
	if err != nil {
		t.Fatalf("read after return: %v", err)
	}
	if r.Quat != (quat.Number{Imag: 1}) {
		t.Errorf("quat after return %v", r.Quat)
	}
	if err := bus.Close(); err != nil {
		t.Error(err)
	}
	// A transcript that simply ends is a device that stopped answering.
	pb := &i2ctest.Playback{Ops: initOps(), DontPanic: true}
	d, err = New(t.Context(), pb, Options{Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Read(t.Context()); !errors.Is(err, imu.ErrBus) {
		t.Errorf("read past transcript: %v", err)
	}
}

func TestReadCancelled(t *testing.T) {
	pb := &i2ctest.Playback{Ops: initOps(), DontPanic: true}
	d, err := New(t.Context(), pb, Options{Sleep: (&sleeps{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	cause := errors.New("shutdown")
	cancel(cause)
	if _, err := d.Read(ctx); !errors.Is(err, cause) {
		t.Errorf("cancelled read: %v", err)
	}
	// The real sleep honours the context too.
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, cause) {
		t.Errorf("sleepCtx: %v", err)
	}
}

// regBus is a register-file fake BNO055 for benchmarks and fuzzing.
type regBus struct{ regs [256]byte }

func (b *regBus) String() string                  { return "regbus" }
func (b *regBus) SetSpeed(physic.Frequency) error { return nil }
func (b *regBus) Tx(addr uint16, w, r []byte) error {
	if addr != A || len(w) == 0 {
		return errNACK
	}
	reg := int(w[0])
	if len(w) == 2 {
		b.regs[reg] = w[1]
		return nil
	}
	for i := range r {
		r[i] = b.regs[(reg+i)&0xFF]
	}
	return nil
}

func newRegBus() *regBus {
	b := &regBus{}
	b.regs[0] = ChipID
	copy(b.regs[0x20:], rotX(30).bytes())
	return b
}

func BenchmarkRead(b *testing.B) {
	for _, raw := range []bool{false, true} {
		name := "burst"
		if raw {
			name = "gyro+burst"
		}
		b.Run(name, func(b *testing.B) {
			d, err := New(b.Context(), newRegBus(), Options{Raw: raw, Sleep: (&sleeps{}).sleep})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Read(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzRead feeds arbitrary register contents (the 22 burst bytes, the gyro)
// through Read: it must never panic, and what it accepts must be a
// measurement: a unit (or zero) quaternion, a calibration status 0..3 and
// accelerations within the sensor's range.
func FuzzRead(f *testing.F) {
	f.Add(rotX(30).bytes(), []byte{0x10, 0, 0xE0, 0xFF, 0, 0}, level().bytes())
	f.Add(level().bytes(), []byte{}, rotX(1).bytes())
	f.Add(bytes.Repeat([]byte{0xFF}, 22), []byte{0xFF}, rotX(170).bytes())
	f.Add(make([]byte, 22), []byte{}, level().bytes())
	f.Fuzz(func(t *testing.T, first, gyro, second []byte) {
		bus := newRegBus()
		clk := newClock()
		d, err := New(context.Background(), bus, Options{Raw: true, Sleep: (&sleeps{}).sleep, Now: clk.now})
		if err != nil {
			t.Fatal(err)
		}
		copy(bus.regs[0x14:0x1A], gyro)
		for _, regs := range [][]byte{first, second} {
			copy(bus.regs[0x20:0x36], regs)
			r, err := d.Read(context.Background())
			if errors.Is(err, imu.ErrBadData) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.GyroCal < 0 || r.GyroCal > 3 {
				t.Errorf("gyro cal %d", r.GyroCal)
			}
			if n := quat.Abs(r.Quat); n != 0 && math.Abs(n-1) > maxNormError {
				t.Errorf("accepted quaternion %v of norm %v", r.Quat, n)
			}
			for _, a := range r.Accel {
				if math.Abs(a) > maxLinAcc {
					t.Errorf("accepted linear acceleration %v", r.Accel)
				}
			}
		}
	})
}

// TestRejectsCorruptSamples reads scripted bursts one period apart and
// checks which the driver rejects as bad data. A rejection must not
// re-initialise the chip: the transcripts hold no init sequence after the
// first, so a re-init would fail the playback.
func TestRejectsCorruptSamples(t *testing.T) {
	type step struct {
		b    burst
		gyro []int16 // with Raw: the gyro in LSB (16 LSB = 1 °/s)
		ok   bool
	}
	flip := func(b burst, i int, bit uint) burst { b.q[i] = int16(uint16(b.q[i]) ^ 1<<bit); return b }
	with := func(b burst, f func(*burst)) burst { f(&b); return b }
	neg := func(b burst) burst {
		for i := range b.q {
			b.q[i] = -b.q[i]
		}
		return b
	}
	ff := burst{q: [4]int16{-1, -1, -1, -1}, lia: [3]int16{-1, -1, -1}, grv: [3]int16{-1, -1, -1}, temp: -1, cal: 0xFF}
	r30 := rotX(30)
	cases := []struct {
		name  string
		raw   bool
		steps []step
	}{
		{"good samples pass", false, []step{{b: level(), ok: true}, {b: rotX(2), ok: true}, {b: rotX(4), ok: true}}},
		{"top bit of w flipped", false, []step{{b: r30, ok: true}, {b: flip(r30, 0, 15)}, {b: r30, ok: true}}},
		{"top bit of z flipped", false, []step{{b: r30, ok: true}, {b: flip(r30, 3, 15)}}},
		{"bit 10 of x flipped", false, []step{{b: r30, ok: true}, {b: flip(r30, 1, 10)}}},
		{"all bytes 0xFF (bus stuck high)", false, []step{{b: level(), ok: true}, {b: ff}}},
		{"quaternion scaled to 0.9", false, []step{{b: with(level(), func(b *burst) { b.q[0] = 14746 })}}},
		{"90° in one period is beyond 2000 °/s", false, []step{{b: level(), ok: true}, {b: rotX(90)}, {b: level(), ok: true}}},
		{"60° in one period is within 2000 °/s", false, []step{{b: level(), ok: true}, {b: rotX(60), ok: true}}},
		{"sign flip (double cover) is no jump", false, []step{{b: r30, ok: true}, {b: neg(r30), ok: true}}},
		{"zero quaternion passes and clears the reference", false, []step{{b: level(), ok: true}, {b: burst{temp: 20}, ok: true}, {b: rotX(170), ok: true}}},
		{"a rejection keeps the reference", false, []step{{b: level(), ok: true}, {b: rotX(100)}, {b: rotX(5), ok: true}}},
		{"three jumps in a row re-anchor", true, []step{{b: level(), gyro: []int16{0, 0, 0}, ok: true}, {b: rotX(20), gyro: []int16{0, 0, 0}}, {b: rotX(20), gyro: []int16{0, 0, 0}}, {b: rotX(20), gyro: []int16{0, 0, 0}, ok: true}, {b: rotX(21), gyro: []int16{0, 0, 0}, ok: true}}},
		{"a jump grows acceptable with time", false, []step{{b: level(), ok: true}, {b: rotX(100)}, {b: rotX(100), ok: true}}},
		{"measured rate at rest: 10° rejected", true, []step{{b: level(), gyro: []int16{0, 0, 0}, ok: true}, {b: rotX(10), gyro: []int16{0, 0, 0}}}},
		{"measured rate at rest: 3° passes", true, []step{{b: level(), gyro: []int16{0, 0, 0}, ok: true}, {b: rotX(3), gyro: []int16{0, 0, 0}, ok: true}}},
		{"measured 300 °/s: 10° passes", true, []step{{b: level(), gyro: []int16{4800, 0, 0}, ok: true}, {b: rotX(10), gyro: []int16{4800, 0, 0}, ok: true}}},
		{"linear acceleration beyond ±4 g", false, []step{{b: with(level(), func(b *burst) { b.lia[1] = -32768 })}}},
		{"linear acceleration at 4 g passes", false, []step{{b: with(level(), func(b *burst) { b.lia[2] = 3923 }), ok: true}}},
		{"gravity of 2 g", false, []step{{b: with(level(), func(b *burst) { b.grv[2] = 1962 })}}},
		{"temperature -128 °C", false, []step{{b: with(level(), func(b *burst) { b.temp = -128 })}}},
		{"temperature 86 °C", false, []step{{b: with(level(), func(b *burst) { b.temp = 86 })}}},
		{"zero quaternion with linear acceleration beyond range", false, []step{{b: burst{lia: [3]int16{48, 12336, 12336}, temp: 20}}}},
		{"temperature 85 °C passes", false, []step{{b: with(level(), func(b *burst) { b.temp = 85 }), ok: true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ops := initOps()
			for _, s := range c.steps {
				if c.raw {
					ops = append(ops, readOpRaw([3]int16(s.gyro), s.b)...)
				} else {
					ops = append(ops, readOp(s.b))
				}
			}
			pb := &i2ctest.Playback{Ops: ops, DontPanic: true}
			d, err := New(t.Context(), pb, Options{Raw: c.raw, Sleep: (&sleeps{}).sleep, Now: newClock().now})
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range c.steps {
				r, err := d.Read(t.Context())
				switch {
				case s.ok && err != nil:
					t.Errorf("step %d: %v, want accepted", i, err)
				case !s.ok && !errors.Is(err, imu.ErrBadData):
					t.Errorf("step %d: err %v (reading %v), want ErrBadData", i, err, r.Quat)
				case !s.ok && r != (imu.Reading{}):
					t.Errorf("step %d: rejected read returned %+v, want the zero Reading", i, r)
				}
			}
			if err := pb.Close(); err != nil {
				t.Errorf("transcript: %v", err)
			}
		})
	}
}

func TestBusName(t *testing.T) {
	for in, want := range map[string]string{"": "1", "1": "1", "3": "3", "I2C1": "I2C1"} {
		if got := busName(in); got != want {
			t.Errorf("busName(%q) = %q, want %q", in, got, want)
		}
	}
}
