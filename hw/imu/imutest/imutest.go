// Package imutest holds a scripted imu.Device for tests, in the shape of
// periph's *test packages: a program that embeds the pipeline can drive the
// real IMU worker and integrator with readings it chooses (a slew, a
// dropped bus, an uncalibrated start) without hardware.
package imutest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/hw/imu"
)

// Device is a scripted imu.Device. Each Read calls Script with the read's
// number (1, 2, …) and the time since the first read, and stamps the
// reading with the current time. It is safe for concurrent use.
type Device struct {
	Script func(n int, elapsed time.Duration) (imu.Reading, error)

	mu     sync.Mutex
	start  time.Time
	reads  int
	closed bool
}

// Read returns the script's next reading. After Close it fails with an
// error wrapping imu.ErrNoDevice, as a driver whose bus is gone does.
func (d *Device) Read(ctx context.Context) (imu.Reading, error) {
	if err := ctx.Err(); err != nil {
		return imu.Reading{}, context.Cause(ctx)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return imu.Reading{}, fmt.Errorf("imutest: read after close: %w", imu.ErrNoDevice)
	}
	if d.Script == nil {
		return imu.Reading{}, errors.New("imutest: no script")
	}
	if d.start.IsZero() {
		d.start = time.Now()
	}
	d.reads++
	r, err := d.Script(d.reads, time.Since(d.start))
	r.Time = time.Now()
	return r, err
}

// Close ends the device; later reads fail.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

// Reads is how many times Read was called before Close.
func (d *Device) Reads() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reads
}
