// Package bno055 is a driver for the Bosch BNO055 absolute orientation
// sensor on an I²C bus (periph.io), as PiFinder uses it: IMUPLUS fusion
// (accelerometer + gyro, no magnetometer), fused quaternion, gyro
// calibration status and optionally the raw gyro and linear acceleration.
//
// New takes any periph i2c.Bus (tests use i2ctest.Playback transcripts);
// Open initialises the host drivers and opens the Pi's default bus.
// The datasheet delays go through Options.Sleep so tests run instantly.
package bno055
