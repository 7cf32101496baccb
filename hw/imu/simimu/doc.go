// Package simimu is the simulated IMU: it follows the true attitude of a
// simworld.World and reports the fused orientation q_x2imu a BNO055 would,
// relative to an arbitrary reference frame q_eq2x that drifts slowly, with
// configurable noise, drift, mounting bias and the chip's 1/16384
// quantisation, so that
//
//	q_eq2cam(t) = q_eq2x(t) ⊗ q_x2imu(t) ⊗ q_imu2cam
//
// holds for the build's q_imu2cam (screen_direction). It implements hw.IMU.
package simimu
