// Package deadreck owns the quaternion maths of the pointing estimate:
// RA/Dec/Roll ↔ q_eq2cam, the fixed IMU-to-camera rotation of each PiFinder
// build (screen_direction), and the dead reckoner that carries a plate solve
// forward with the IMU between solves.
//
// Frames (the solver/geom convention): equatorial +z to the north celestial
// pole, +x to RA 0/Dec 0, +y to RA 90°; camera +z boresight, +y image-up,
// +x image-left. Quaternions are gonum quat.Number, scalar first
// (Real = w). Angles inside this package are radians; the integrator
// converts to and from the degrees of state.Pointing at its boundary.
//
// The reckoner keeps two rotations fixed between solves:
//
//	q_eq2x        = q_eq2cam ⊗ (q_x2imu ⊗ q_imu2cam)*   (the IMU's drifting reference frame)
//	q_cam2aligned = q_eq2cam* ⊗ q_eq2aligned             (camera to eyepiece axis)
//
// and predicts q_eq2cam = q_eq2x ⊗ q_x2imu ⊗ q_imu2cam for every new IMU
// orientation q_x2imu.
package deadreck
