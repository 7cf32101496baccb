package imu

import (
	"context"
	"errors"
	"time"

	"gonum.org/v1/gonum/num/quat"
)

// Reading is one raw IMU reading.
type Reading struct {
	Time time.Time
	// Quat is the fused orientation q_x2imu, scalar first; the zero
	// quaternion means the fusion has no orientation yet.
	Quat quat.Number
	// GyroCal is the gyro calibration status, 0 (none) to 3 (full).
	GyroCal int
	// Gyro (rad/s) and Accel (linear acceleration, m/s²) in IMU axes, set
	// only when HasRaw.
	Gyro, Accel [3]float64
	HasRaw      bool
}

// Device is an orientation sensor. Read returns the current reading; it may
// block for bus I/O but returns when ctx ends. Close releases the device.
// Implementations need not be safe for concurrent use: one worker owns one IMU.
type Device interface {
	Read(ctx context.Context) (Reading, error)
	Close() error
}

// Error kinds of IMU devices; drivers wrap them so the worker can tell them
// apart for retries and rate-limited logging.
var (
	// ErrNoDevice: nothing (or the wrong chip) answers at the address.
	ErrNoDevice = errors.New("imu: no device")
	// ErrBus: an I²C transaction failed (NACK, arbitration loss, timeout).
	ErrBus = errors.New("imu: bus error")
	// ErrBadData: the device answered with an impossible value.
	ErrBadData = errors.New("imu: bad data")
)

// errorKind names the class of a read error for rate-limited logging.
func errorKind(err error) string {
	switch {
	case errors.Is(err, ErrNoDevice):
		return "no_device"
	case errors.Is(err, ErrBus):
		return "bus"
	case errors.Is(err, ErrBadData):
		return "bad_data"
	}
	return "other"
}
