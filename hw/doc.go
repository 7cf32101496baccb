// Package hw is the home of the device packages: each device kind has its
// own subpackage with a small interface, its implementations beside it and
// a fake for tests, in the shape of periph.io.
//
//   - hw/imu: the orientation sensor (Device), its worker and motion filter;
//     hw/imu/bno055 (the PiFinder's BNO055 on I²C), hw/imu/simimu (follows
//     the simulated telescope), hw/imu/imutest (scripted readings).
//   - hw/gps: the gpsd client worker (site, time, fix status); hw/gps/gpstest
//     writes NMEA logs and runs gpsfake on them.
//   - hw/simworld: the simulated telescope and observer that the simulated
//     camera and the simulated IMU both look at.
package hw
