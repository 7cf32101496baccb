package bno055

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
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

// initDelays are the sleeps of initOps, in order.
var initDelays = []time.Duration{20 * time.Millisecond, 700 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 10 * time.Millisecond}

// quatBytes encodes (w, x, y, z) in LSB as the chip does.
func quatBytes(w, x, y, z int16) []byte {
	b := make([]byte, 0, 8)
	for _, v := range []int16{w, x, y, z} {
		b = append(b, byte(uint16(v)), byte(uint16(v)>>8))
	}
	return b
}

func readOps(cal byte, q []byte) []i2ctest.IO {
	return []i2ctest.IO{
		{Addr: A, W: []byte{0x35}, R: []byte{cal}},
		{Addr: A, W: []byte{0x20}, R: q},
	}
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

func fixedNow() time.Time { return time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC) }

func TestInitAndRead(t *testing.T) {
	ops := initOps()
	ops = append(ops, readOps(0x30|0x0F, quatBytes(8192, -8192, 4096, -1))...)
	ops = append(ops, readOps(0xE0, quatBytes(16384, 0, 0, 0))...)
	pb := &i2ctest.Playback{Ops: ops, DontPanic: true}
	var sl sleeps
	d, err := New(t.Context(), pb, Options{Sleep: sl.sleep, Now: fixedNow})
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
	want := quat.Number{Real: 0.5, Imag: -0.5, Jmag: 0.25, Kmag: -1.0 / 16384}
	if r.Quat != want || r.GyroCal != 3 || r.HasRaw || !r.Time.Equal(fixedNow()) {
		t.Errorf("reading %+v, want quat %v gyro cal 3", r, want)
	}
	r, err = d.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.GyroCal != 2 || r.Quat != (quat.Number{Real: 1}) {
		t.Errorf("second reading %+v", r)
	}
	if err := pb.Close(); err != nil {
		t.Errorf("transcript not consumed: %v", err)
	}
}

func TestRawRead(t *testing.T) {
	ops := initOps()
	ops = append(ops, readOps(0x30, quatBytes(16384, 0, 0, 0))...)
	ops = append(ops,
		i2ctest.IO{Addr: A, W: []byte{0x14}, R: []byte{0x10, 0x00, 0xE0, 0xFF, 0x00, 0x00}},
		i2ctest.IO{Addr: A, W: []byte{0x28}, R: []byte{0x64, 0x00, 0x2B, 0xFC, 0x01, 0x00}},
		i2ctest.IO{Addr: A, W: []byte{0x3D, 0x00}}, // Close: fusion off
	)
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
	wantA := [3]float64{1, -9.81, 0.01}
	for i := range 3 {
		if math.Abs(r.Gyro[i]-wantG[i]) > 1e-12 || math.Abs(r.Accel[i]-wantA[i]) > 1e-12 {
			t.Errorf("raw %d: gyro %v accel %v, want %v %v", i, r.Gyro[i], r.Accel[i], wantG[i], wantA[i])
		}
	}
	if !r.HasRaw {
		t.Error("HasRaw not set")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pb.Close(); err != nil {
		t.Error(err)
	}
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
	want := []time.Duration{20 * time.Millisecond, 700 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 10 * time.Millisecond}
	if !slices.Equal(sl.got, want) {
		t.Errorf("delays %v, want %v", sl.got, want)
	}
}

func TestDeviceDisappearsMidRun(t *testing.T) {
	// Two good reads, then the device vanishes for a while (every Tx fails),
	// then it comes back powered-up: the driver re-initialises it.
	ops := initOps()
	ops = append(ops, readOps(0x30, quatBytes(16384, 0, 0, 0))...)
	ops = append(ops, readOps(0x30, quatBytes(16384, 0, 0, 0))...)
	ops = append(ops, initOps()...)
	ops = append(ops, readOps(0x30, quatBytes(0, 16384, 0, 0))...)
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
	b.regs[0x35] = 0x30
	copy(b.regs[0x20:], quatBytes(8192, 8192, 8192, 8192))
	return b
}

func BenchmarkRead(b *testing.B) {
	for _, raw := range []bool{false, true} {
		name := "quat"
		if raw {
			name = "quat+raw"
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

func FuzzDecode(f *testing.F) {
	f.Add(byte(0x30), quatBytes(8192, 8192, 8192, 8192), []byte{0x10, 0, 0xE0, 0xFF, 0, 0, 0x64, 0, 0x2B, 0xFC, 1, 0})
	f.Add(byte(0xFF), quatBytes(-32768, 32767, 0, -1), []byte{})
	f.Fuzz(func(t *testing.T, cal byte, q, raw []byte) {
		bus := newRegBus()
		bus.regs[0x35] = cal
		copy(bus.regs[0x20:0x28], q)
		copy(bus.regs[0x14:0x1A], raw)
		if len(raw) > 6 {
			copy(bus.regs[0x28:0x2E], raw[6:])
		}
		d, err := New(context.Background(), bus, Options{Raw: true, Sleep: (&sleeps{}).sleep})
		if err != nil {
			t.Fatal(err)
		}
		r, err := d.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r.GyroCal < 0 || r.GyroCal > 3 {
			t.Errorf("gyro cal %d", r.GyroCal)
		}
		for _, v := range []float64{r.Quat.Real, r.Quat.Imag, r.Quat.Jmag, r.Quat.Kmag} {
			if math.Abs(v) > 2 || math.IsNaN(v) {
				t.Errorf("quat component %v", v)
			}
		}
	})
}
