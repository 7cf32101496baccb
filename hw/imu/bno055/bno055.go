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

// Registers (page 0 unless noted), datasheet §4.2-§4.3.
const (
	regChipID   = 0x00
	regPage     = 0x07
	regGyro     = 0x14 // GYR_DATA_X_LSB .. 0x19
	regQuat     = 0x20 // QUA_DATA_W_LSB .. 0x27
	regLinAcc   = 0x28 // LIA_DATA_X_LSB .. 0x2D
	regCalib    = 0x35 // CALIB_STAT
	regMode     = 0x3D // OPR_MODE
	regPower    = 0x3E // PWR_MODE
	regTrigger  = 0x3F // SYS_TRIGGER
	regAccCfgP1 = 0x08 // page 1: ACC_Config
	regMagCfgP1 = 0x09 // page 1: MAG_Config
	regGyrCfgP1 = 0x0A // page 1: GYR_Config_0
)

// Operation modes.
const (
	ModeConfig  = 0x00
	ModeIMUPlus = 0x08
	ModeNDOF    = 0x0C
)

// Values written during initialisation (the Adafruit driver's defaults).
const (
	triggerReset = 0x20 // SYS_TRIGGER RST_SYS
	powerNormal  = 0x00
	accCfg4G     = 0x0D // ±4 g, 62.5 Hz, normal
	magCfg20Hz   = 0x6D // 20 Hz, regular, normal, auto
	gyrCfg2000   = 0x38 // 2000 °/s, 32 Hz
)

// Datasheet delays (Table 3.6 and the POR time).
const (
	resetDelay      = 700 * time.Millisecond // reset to normal: 650 ms typ.
	toConfigDelay   = 20 * time.Millisecond  // any mode → CONFIG: 19 ms
	fromConfigDelay = 10 * time.Millisecond  // CONFIG → any mode: 7 ms
	settleDelay     = 10 * time.Millisecond
	chipPolls       = 5 // chip-id polls after a reset before giving up
)

// Scales of the data registers in the power-on unit selection.
const (
	quatScale  = 1.0 / 16384          // 1 quaternion unit = 2¹⁴ LSB
	gyroScale  = math.Pi / 180 / 16.0 // 1 °/s = 16 LSB → rad/s
	accelScale = 1.0 / 100            // 1 m/s² = 100 LSB
)

// Options configure a Device. Zero values take the defaults.
type Options struct {
	// Addr is the I²C address; default DefaultAddr.
	Addr uint16
	// Raw also reads the gyro and linear acceleration (config telemetry_raw_imu).
	Raw bool
	// Sleep waits out a datasheet delay; default a context-aware timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now stamps readings; default time.Now.
	Now func() time.Time
}

// Device is one BNO055. It re-initialises itself on the next Read after a
// failed read, so a sensor that lost power comes back in IMUPLUS mode.
// Not safe for concurrent use.
type Device struct {
	dev      i2c.Dev
	closer   func() error
	opts     Options
	needInit bool
	buf      [8]byte // read buffer, reused: no allocation per Read
	wbuf     [2]byte
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
// between fusion modes, with the settle delays of Table 3.6.
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
	return d.opts.Sleep(ctx, fromConfigDelay)
}

func (d *Device) init(ctx context.Context) error {
	if err := d.checkID(); err != nil {
		return err
	}
	if err := d.setMode(ctx, ModeConfig); err != nil {
		return fmt.Errorf("bno055: config mode: %w", err)
	}
	// The chip may NACK the reset write while it is already resetting.
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

// Read returns the calibration status, the fused quaternion and, with
// Options.Raw, the gyro and linear acceleration. After a failed read the
// next Read first re-initialises the chip.
func (d *Device) Read(ctx context.Context) (imu.Reading, error) {
	if err := context.Cause(ctx); err != nil {
		return imu.Reading{}, err
	}
	if d.needInit {
		if err := d.init(ctx); err != nil {
			return imu.Reading{}, err
		}
	}
	r, err := d.read1()
	if err != nil {
		d.needInit = true
	}
	return r, err
}

func (d *Device) read1() (imu.Reading, error) {
	var r imu.Reading
	b, err := d.read(regCalib, 1)
	if err != nil {
		return r, err
	}
	r.GyroCal = int(b[0]>>4) & 0x3
	b, err = d.read(regQuat, 8)
	if err != nil {
		return r, err
	}
	r.Quat = quat.Number{
		Real: le16(b[0:]) * quatScale, Imag: le16(b[2:]) * quatScale,
		Jmag: le16(b[4:]) * quatScale, Kmag: le16(b[6:]) * quatScale,
	}
	if d.opts.Raw {
		if b, err = d.read(regGyro, 6); err != nil {
			return r, err
		}
		for i := range 3 {
			r.Gyro[i] = le16(b[2*i:]) * gyroScale
		}
		if b, err = d.read(regLinAcc, 6); err != nil {
			return r, err
		}
		for i := range 3 {
			r.Accel[i] = le16(b[2*i:]) * accelScale
		}
		r.HasRaw = true
	}
	r.Time = d.opts.Now()
	return r, nil
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
