// Package imu owns the hardware device interfaces of the pipeline and the
// workers that drive them. For the IMU it defines the IMU device interface
// (implemented by hw/bno055 on the Pi and hw/simimu in simulation), the
// motion filter PiFinder applies to the fused orientation (moving
// hysteresis, 128-LSB chatter and sign-flip rejection) and Run, the 30 Hz
// worker that reads the device, filters the readings and publishes
// state.SetIMU once the gyro is calibrated.
//
// "--imu none" is a nil IMU: Run logs the degraded mode once and returns,
// and the pipeline runs camera-only.
package imu
