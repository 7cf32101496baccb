package bno055

import (
	"context"
	"fmt"

	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/host/v3"

	"github.com/pifinder-go/pifinder/hw/imu"
)

// Open initialises periph's host drivers, opens the default I²C bus (bus 1
// on a Raspberry Pi; busName "" picks the first) and initialises the
// BNO055 on it. A missing bus or device is an error wrapping imu.ErrNoDevice;
// Close releases the bus.
func Open(ctx context.Context, busName string, opts Options) (*Device, error) {
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("bno055: periph host init: %w", err)
	}
	bus, err := i2creg.Open(busName)
	if err != nil {
		return nil, fmt.Errorf("bno055: open I2C bus %q: %w: %w", busName, imu.ErrNoDevice, err)
	}
	d, err := New(ctx, bus, opts)
	if err != nil {
		bus.Close()
		return nil, err
	}
	d.closer = bus.Close
	return d, nil
}
