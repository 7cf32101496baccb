// Package mount describes how the camera and the IMU sit in each PiFinder
// build (the "screen direction" setting): the rotation from IMU axes to
// camera axes, and the rotation of the solve image. The table is PiFinder's
// (reference §5.2, imu_pi.py and camera_interface.py). Both the integrator
// and the simulated IMU need it, so it lives with the hardware, not with
// either of them.
package mount
