package bno055

import (
	"context"
	"fmt"

	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/host/v3"

	"github.com/pifinder-go/pifinder/hw/imu"
)

// DefaultBus is the I²C bus PiFinder wires the BNO055 to: the Pi's ARM I²C
// bus on GPIO 2/3, /dev/i2c-1 (dtparam=i2c_arm=on).
const DefaultBus = "1"

// Open initialises periph's host drivers, opens the I²C bus named bus
// (its number, e.g. "1" for /dev/i2c-1, or periph's name "I2C1"; "" means
// DefaultBus) and initialises the BNO055 on it. The bus is always opened by
// name: periph's "" would pick the lowest-numbered bus, which on a Pi with a
// camera can be the camera's. A missing bus or device is an error wrapping
// imu.ErrNoDevice; Close releases the bus.
func Open(ctx context.Context, bus string, opts Options) (*Device, error) {
	name := busName(bus)
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("bno055: periph host init: %w", err)
	}
	b, err := i2creg.Open(name)
	if err != nil {
		return nil, fmt.Errorf("bno055: open I2C bus %q: %w: %w", name, imu.ErrNoDevice, err)
	}
	d, err := New(ctx, b, opts)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("bno055: on I2C bus %q: %w", name, err)
	}
	d.closer = b.Close
	return d, nil
}

// busName is the bus Open opens for the name given: DefaultBus for "".
func busName(s string) string {
	if s == "" {
		return DefaultBus
	}
	return s
}
