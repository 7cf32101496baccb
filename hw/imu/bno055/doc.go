// Package bno055 is a driver for the Bosch BNO055 absolute orientation
// sensor on an I²C bus (periph.io), as PiFinder uses it: IMUPLUS fusion
// (accelerometer + gyro, no magnetometer), fused quaternion, linear
// acceleration and gyro calibration status read in one burst, and
// optionally the raw gyro.
//
// Samples that cannot be measurements (a quaternion far from unit length,
// values beyond the sensor's ranges, an orientation jump larger than the
// gyro allows) are rejected with imu.ErrBadData, so that a corrupt read on
// the Pi's clock-stretching-averse I²C controller never reaches the
// pipeline.
//
// New takes any periph i2c.Bus (tests use i2ctest.Playback transcripts);
// Open initialises the host drivers and opens the bus by name (DefaultBus,
// /dev/i2c-1, unless told otherwise). The datasheet delays go through
// Options.Sleep so tests can run instantly, or under testing/synctest with
// the default timer.
package bno055
