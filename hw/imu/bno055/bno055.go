package bno055

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/num/quat"
	"periph.io/x/conn/v3/i2c"

	"github.com/pifinder-go/pifinder/hw/imu"
)

// DefaultAddr is the BNO055's I²C address with COM3 low (PiFinder's wiring).
const DefaultAddr = 0x28

// ChipID is the value of register 0x00.
const ChipID = 0xA0

// Registers (page 0 unless noted), datasheet BST-BNO055-DS000 §4.2-§4.3.
const (
	regChipID   = 0x00
	regPage     = 0x07
	regGyro     = 0x14 // GYR_DATA_X_LSB .. 0x19
	regQuat     = 0x20 // QUA_DATA_W_LSB .. 0x27: the start of the burst
	regMode     = 0x3D // OPR_MODE
	regPower    = 0x3E // PWR_MODE
	regTrigger  = 0x3F // SYS_TRIGGER
	regAccCfgP1 = 0x08 // page 1: ACC_Config
	regMagCfgP1 = 0x09 // page 1: MAG_Config
	regGyrCfgP1 = 0x0A // page 1: GYR_Config_0
)

// The burst read: one transaction from QUA_DATA_W_LSB (0x20) through
// CALIB_STAT (0x35), offsets into it. The register map keeps these
// contiguous: QUA_DATA 0x20-0x27, LIA_DATA 0x28-0x2D, GRV_DATA 0x2E-0x33,
// TEMP 0x34, CALIB_STAT 0x35.
//
// Why one burst. On the Pi the bus runs at 10 kHz (PiFinder's
// pifinder_setup.sh appends dtparam=i2c_arm_baudrate=10000 to
// /boot/config.txt) because the BNO055 stretches the clock and the Pi's
// controller mishandles stretching at higher rates. A register read of n
// bytes is START, address+W, register, repeated START, address+R, n data
// bytes and STOP: (3+n)·9 clocks plus about 2, and a clock is 100 µs at
// 10 kHz. The reads this driver used to make, CALIB_STAT (n=1, 38 clocks)
// and QUA_DATA (n=8, 101 clocks), took 13.9 ms of the 33.3 ms period,
// and the linear acceleration another 8.3 ms (n=6). The burst (n=22, 227
// clocks) takes 22.7 ms for all of them plus gravity and temperature: about
// the same bus time as the three short reads (22.2 ms), but one transaction
// instead of three, so one address phase where the chip may stretch the
// clock instead of three, and every value from the same instant. Gravity
// and temperature come for free and serve as sanity checks on the bytes.
// Options.Raw adds the gyro (n=6, 83 clocks, 8.3 ms): 31 ms in all, which
// leaves almost nothing of a 30 Hz period at 10 kHz.
const (
	burstLen  = 0x36 - regQuat // 22 bytes
	offQuat   = 0x20 - regQuat
	offLinAcc = 0x28 - regQuat
	offGrav   = 0x2E - regQuat
	offTemp   = 0x34 - regQuat
	offCalib  = 0x35 - regQuat
)

// Operation modes (OPR_MODE, datasheet table 3-5).
const (
	ModeConfig  = 0x00
	ModeIMUPlus = 0x08
	ModeNDOF    = 0x0C
)

// Values written during initialisation: the power-on defaults, written
// again as Adafruit's adafruit_bno055.py (which PiFinder's imu_pi.py uses)
// does, so the chip is in a known state even after a partial reset.
const (
	triggerReset = 0x20 // SYS_TRIGGER RST_SYS
	powerNormal  = 0x00
	accCfg4G     = 0x0D // ACC_Config: ±4 g (bits 0-1 = 01), 62.5 Hz (bits 2-4 = 011), normal (bits 5-7 = 000)
	// MAG_Config: 20 Hz (bits 0-2 = 101), regular operation (bits 3-4 = 01),
	// forced power mode (bits 5-6 = 11): datasheet table 3-10 and the
	// MAGNET_* constants of adafruit_bno055.py. IMUPLUS does not use the
	// magnetometer; the value only restores the default.
	magCfg20Hz = 0x6D
	gyrCfg2000 = 0x38 // GYR_Config_0: 2000 °/s (bits 0-2 = 000), 32 Hz (bits 3-5 = 111)
)

// Start-up delays and where each one comes from.
const (
	// resetDelay: after RST_SYS the chip is back in CONFIG mode after the
	// power-on-reset time, 650 ms typical (datasheet table 0-2, "start-up
	// time"); adafruit_bno055.py sleeps 0.7 s.
	resetDelay = 700 * time.Millisecond
	// toConfigDelay: any mode → CONFIG takes 19 ms (datasheet table 3-6,
	// mode switching times); Bosch's BNO055_driver (bno055.h,
	// BNO055_CONFIG_MODE_SWITCHING_DELAY) and adafruit_bno055.py wait 20 ms.
	toConfigDelay = 20 * time.Millisecond
	// fusionStartDelay: CONFIG → any mode takes 7 ms (datasheet table 3-6),
	// which is when OPR_MODE takes effect, but Bosch's own driver
	// (bno055.c, bno055_set_operation_mode, BNO055_MODE_SWITCHING_DELAY)
	// waits 600 ms before the fusion output is used, and so do we: the
	// first samples after the switch are the fusion filter starting up.
	// (adafruit_bno055.py waits only 10 ms.)
	fusionStartDelay = 600 * time.Millisecond
	// settleDelay: between polls of a chip still resetting, and after the
	// configuration writes before the mode switch (adafruit_bno055.py
	// sleeps 10 ms there).
	settleDelay = 10 * time.Millisecond
	chipPolls   = 5 // chip-id polls after a reset before giving up
)

// Scales of the data registers in the power-on unit selection (UNIT_SEL 0x80:
// m/s², °/s, °C; datasheet §3.6.5).
const (
	quatScale  = 1.0 / 16384          // 1 quaternion unit = 2¹⁴ LSB
	gyroScale  = math.Pi / 180 / 16.0 // 1 °/s = 16 LSB → rad/s
	accelScale = 1.0 / 100            // 1 m/s² = 100 LSB
)

// Plausibility bounds of a sample; a sample outside them is a corrupt read
// (ErrBadData), not a measurement.
const (
	// maxNormError: the chip outputs a unit quaternion, rounded to 2⁻¹⁴ per
	// component (|q| within 1.2e-4 of 1); 1% leaves margin for the fusion
	// and still catches any flipped bit above the lowest seven of a
	// component that is not tiny.
	maxNormError = 0.01
	// maxLinAcc: the accelerometer range is ±4 g (accCfg4G); linear
	// acceleration is that minus gravity, so no axis can exceed 5 g.
	maxLinAcc = 5 * 9.80665
	// maxGravAxis: a gravity vector's axes cannot exceed 1 g; 1.5 g leaves
	// room for the fusion's estimate.
	maxGravAxis = 1.5 * 9.80665
	// Operating temperature range, datasheet table 0-2: -40 to +85 °C.
	minTempC, maxTempC = -40, 85
	// DefaultMaxRate is the fastest rotation a sample may show, rad/s: the
	// gyro's configured full scale, 2000 °/s (gyrCfg2000). The fusion cannot
	// follow a faster turn, so a bigger jump between samples is a bad read.
	DefaultMaxRate = 2000 * math.Pi / 180
	// rateSlack and jumpSlack widen the jump bound: rate noise and the
	// fusion's own corrections (the accelerometer pulling the tilt back).
	rateSlack = 30 * math.Pi / 180
	jumpSlack = 5 * math.Pi / 180
	// maxJumpRejects consecutive jump rejections make the next sample the
	// new reference: a one-off bad read is rejected, but if the reference
	// itself was the bad one the driver must not refuse the truth forever.
	maxJumpRejects = 3
)

// Options configure a Device. Zero values take the defaults.
type Options struct {
	// Addr is the I²C address; default DefaultAddr.
	Addr uint16
	// Raw also reads the gyro (config telemetry_raw_imu); the linear
	// acceleration comes with every burst. With Raw, the jump check uses
	// the measured rotation rate instead of MaxRate alone.
	Raw bool
	// MaxRate (rad/s) bounds the rotation between two samples; default
	// DefaultMaxRate.
	MaxRate float64
	// Sleep waits out a datasheet delay; default a context-aware timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now stamps readings; default time.Now.
	Now func() time.Time
}

// Device is one BNO055. It re-initialises itself on the next Read after a
// failed bus transaction, so a sensor that lost power comes back in IMUPLUS
// mode. A corrupt sample (ErrBadData) is not a bus failure: the chip is
// left alone and the next Read tries again.
// Not safe for concurrent use.
type Device struct {
	dev      i2c.Dev
	closer   func() error
	opts     Options
	needInit bool
	buf      [burstLen]byte // read buffer, reused: no allocation per Read
	wbuf     [2]byte

	// The last accepted orientation, for the jump check; ref is zero when
	// there is none (after init, or while the fusion outputs zero).
	ref         quat.Number
	refTime     time.Time
	refRate     float64 // |gyro| at ref, rad/s (with Raw)
	jumpRejects int
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// New checks the chip id on bus, resets the chip and selects IMUPLUS mode.
// A wrong chip id or a silent bus is an error wrapping imu.ErrNoDevice.
// The bus stays the caller's: Close does not close it.
func New(ctx context.Context, bus i2c.Bus, opts Options) (*Device, error) {
	if bus == nil {
		return nil, fmt.Errorf("bno055: nil bus: %w", imu.ErrNoDevice)
	}
	if opts.Addr == 0 {
		opts.Addr = DefaultAddr
	}
	if !(opts.MaxRate > 0) || math.IsInf(opts.MaxRate, 0) {
		opts.MaxRate = DefaultMaxRate
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	d := &Device{dev: i2c.Dev{Bus: bus, Addr: opts.Addr}, opts: opts}
	if err := d.init(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Device) write(reg, val byte) error {
	d.wbuf = [2]byte{reg, val}
	if err := d.dev.Tx(d.wbuf[:], nil); err != nil {
		return fmt.Errorf("bno055: write reg %#02x: %w: %w", reg, imu.ErrBus, err)
	}
	return nil
}

func (d *Device) read(reg byte, n int) ([]byte, error) {
	b := d.buf[:n]
	d.wbuf[0] = reg
	if err := d.dev.Tx(d.wbuf[:1], b); err != nil {
		return nil, fmt.Errorf("bno055: read reg %#02x: %w: %w", reg, imu.ErrBus, err)
	}
	return b, nil
}

func (d *Device) checkID() error {
	b, err := d.read(regChipID, 1)
	if err != nil {
		return fmt.Errorf("bno055: no answer at %#02x: %w: %w", d.opts.Addr, imu.ErrNoDevice, err)
	}
	if b[0] != ChipID {
		return fmt.Errorf("bno055: chip id %#02x at %#02x, want %#02x: %w", b[0], d.opts.Addr, ChipID, imu.ErrNoDevice)
	}
	return nil
}

// setMode goes through CONFIG mode, as the datasheet requires for a change
// between operation modes (§3.3), with the delays above.
func (d *Device) setMode(ctx context.Context, mode byte) error {
	if err := d.write(regMode, ModeConfig); err != nil {
		return err
	}
	if err := d.opts.Sleep(ctx, toConfigDelay); err != nil {
		return err
	}
	if mode == ModeConfig {
		return nil
	}
	if err := d.write(regMode, mode); err != nil {
		return err
	}
	return d.opts.Sleep(ctx, fusionStartDelay)
}

func (d *Device) init(ctx context.Context) error {
	d.ref, d.jumpRejects = quat.Number{}, 0
	if err := d.checkID(); err != nil {
		return err
	}
	if err := d.setMode(ctx, ModeConfig); err != nil {
		return fmt.Errorf("bno055: config mode: %w", err)
	}
	// The chip may NACK the reset write while it is already resetting
	// (adafruit_bno055.py ignores the OSError there too).
	_ = d.write(regTrigger, triggerReset)
	if err := d.opts.Sleep(ctx, resetDelay); err != nil {
		return err
	}
	var err error
	for range chipPolls {
		if err = d.checkID(); err == nil {
			break
		}
		if !errors.Is(err, imu.ErrNoDevice) {
			return err
		}
		if serr := d.opts.Sleep(ctx, settleDelay); serr != nil {
			return serr
		}
	}
	if err != nil {
		return fmt.Errorf("bno055: after reset: %w", err)
	}
	steps := []struct {
		reg, val byte
	}{
		{regPower, powerNormal},
		{regPage, 1},
		{regAccCfgP1, accCfg4G},
		{regGyrCfgP1, gyrCfg2000},
		{regMagCfgP1, magCfg20Hz},
		{regPage, 0},
		{regTrigger, 0},
	}
	for _, s := range steps {
		if err := d.write(s.reg, s.val); err != nil {
			return fmt.Errorf("bno055: init: %w", err)
		}
	}
	if err := d.opts.Sleep(ctx, settleDelay); err != nil {
		return err
	}
	if err := d.setMode(ctx, ModeIMUPlus); err != nil {
		return fmt.Errorf("bno055: IMUPLUS mode: %w", err)
	}
	d.needInit = false
	return nil
}

func le16(b []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(b))) }

// Read returns the calibration status, the fused quaternion, the linear
// acceleration and, with Options.Raw, the gyro. After a failed bus
// transaction the next Read first re-initialises the chip. A sample that
// fails the plausibility checks is an error wrapping imu.ErrBadData; the
// caller keeps its last good sample.
func (d *Device) Read(ctx context.Context) (imu.Reading, error) {
	if err := context.Cause(ctx); err != nil {
		return imu.Reading{}, err
	}
	if d.needInit {
		if err := d.init(ctx); err != nil {
			return imu.Reading{}, err
		}
	}
	r, s, err := d.read1()
	if err != nil {
		d.needInit = true
		return imu.Reading{}, err
	}
	if err := d.check(r, s); err != nil {
		return imu.Reading{}, err
	}
	return r, nil
}

func (d *Device) read1() (imu.Reading, sample, error) {
	var r imu.Reading
	if d.opts.Raw {
		b, err := d.read(regGyro, 6)
		if err != nil {
			return r, sample{}, err
		}
		for i := range 3 {
			r.Gyro[i] = le16(b[2*i:]) * gyroScale
		}
		r.HasRaw = true
	}
	b, err := d.read(regQuat, burstLen)
	if err != nil {
		return r, sample{}, err
	}
	r.Time = d.opts.Now()
	return r, decodeBurst(b, &r), nil
}

// sample is what a burst carries besides the Reading's fields: the values
// only the plausibility checks use.
type sample struct {
	grav  [3]float64
	tempC int
}

// decodeBurst fills r from a burst (burstLen bytes from QUA_DATA_W_LSB) and
// returns the check-only values.
func decodeBurst(b []byte, r *imu.Reading) sample {
	r.Quat = quat.Number{
		Real: le16(b[offQuat:]) * quatScale, Imag: le16(b[offQuat+2:]) * quatScale,
		Jmag: le16(b[offQuat+4:]) * quatScale, Kmag: le16(b[offQuat+6:]) * quatScale,
	}
	var s sample
	for i := range 3 {
		r.Accel[i] = le16(b[offLinAcc+2*i:]) * accelScale
		s.grav[i] = le16(b[offGrav+2*i:]) * accelScale
	}
	s.tempC = int(int8(b[offTemp]))
	r.GyroCal = int(b[offCalib]>>4) & 0x3
	return s
}

// check rejects an implausible sample and, for a good one, moves the jump
// reference to it. The zero quaternion is the fusion's "no orientation yet"
// (CONFIG mode, or the filter starting): it passes and clears the reference.
func (d *Device) check(r imu.Reading, s sample) error {
	for i := range 3 {
		if math.Abs(r.Accel[i]) > maxLinAcc {
			return fmt.Errorf("bno055: linear acceleration %.2f m/s² beyond the ±4 g range: %w", r.Accel[i], imu.ErrBadData)
		}
		if math.Abs(s.grav[i]) > maxGravAxis {
			return fmt.Errorf("bno055: gravity %.2f m/s² beyond 1.5 g: %w", s.grav[i], imu.ErrBadData)
		}
	}
	if s.tempC < minTempC || s.tempC > maxTempC {
		return fmt.Errorf("bno055: temperature %d °C outside %d..%d: %w", s.tempC, minTempC, maxTempC, imu.ErrBadData)
	}
	q := r.Quat
	n := quat.Abs(q)
	if n == 0 {
		d.ref, d.jumpRejects = quat.Number{}, 0
		return nil
	}
	if math.Abs(n-1) > maxNormError {
		return fmt.Errorf("bno055: quaternion norm %.4f, want 1: %w", n, imu.ErrBadData)
	}
	rate := 0.0
	if r.HasRaw {
		rate = math.Sqrt(r.Gyro[0]*r.Gyro[0] + r.Gyro[1]*r.Gyro[1] + r.Gyro[2]*r.Gyro[2])
	}
	if d.ref != (quat.Number{}) {
		if err := d.checkJump(q, r.Time, rate, r.HasRaw); err != nil {
			return err
		}
	}
	d.ref, d.refTime, d.refRate, d.jumpRejects = q, r.Time, rate, 0
	return nil
}

// checkJump bounds the rotation from the reference to q by the rate the
// gyro allows over the time between them: MaxRate, or with the measured
// rate (Raw) twice the larger of the two samples' rates plus rateSlack,
// whichever is smaller.
func (d *Device) checkJump(q quat.Number, t time.Time, rate float64, measured bool) error {
	dt := t.Sub(d.refTime).Seconds()
	if dt < 0 {
		dt = 0
	}
	maxRate := d.opts.MaxRate
	if measured {
		maxRate = math.Min(maxRate, 2*math.Max(rate, d.refRate)+rateSlack)
	}
	limit := maxRate*dt + jumpSlack
	angle := rotationAngle(d.ref, q)
	if angle <= limit {
		return nil
	}
	d.jumpRejects++
	if d.jumpRejects >= maxJumpRejects {
		return nil // the caller re-anchors on this sample
	}
	return fmt.Errorf("bno055: orientation jumped %.1f° in %.0f ms, the gyro allows %.1f°: %w",
		angle*180/math.Pi, dt*1000, limit*180/math.Pi, imu.ErrBadData)
}

// rotationAngle is the angle of the rotation between unit quaternions a and
// b, in [0, π]; q and -q are the same rotation (double cover), so a sign
// flip is no jump.
func rotationAngle(a, b quat.Number) float64 {
	dot := a.Real*b.Real + a.Imag*b.Imag + a.Jmag*b.Jmag + a.Kmag*b.Kmag
	c := math.Abs(dot) / (quat.Abs(a) * quat.Abs(b))
	return 2 * math.Acos(math.Min(c, 1))
}

// Close puts the chip in CONFIG mode (fusion off) and releases the bus if
// Open opened it.
func (d *Device) Close() error {
	err := d.write(regMode, ModeConfig)
	if d.closer != nil {
		if cerr := d.closer(); cerr != nil && err == nil {
			err = fmt.Errorf("bno055: close bus: %w", cerr)
		}
		d.closer = nil
	}
	return err
}

var _ imu.Device = (*Device)(nil)
