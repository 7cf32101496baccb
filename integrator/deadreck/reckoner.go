package deadreck

import (
	"github.com/pifinder-go/pifinder/internal/sky/rot"
	"gonum.org/v1/gonum/num/quat"
)

// Reckoner carries a plate solve forward with the IMU. The zero value is not
// usable; create it with NewReckoner. Not safe for concurrent use.
type Reckoner struct {
	imu2cam     quat.Number
	eq2x        quat.Number // NaN until the first solve
	cam2aligned quat.Number // NaN until the first solve
}

// NewReckoner returns an uninitialised reckoner for the build's q_imu2cam.
func NewReckoner(imu2cam quat.Number) *Reckoner {
	return &Reckoner{imu2cam: imu2cam, eq2x: NaNQuat, cam2aligned: NaNQuat}
}

// IMUToCam returns the fixed q_imu2cam.
func (r *Reckoner) IMUToCam() quat.Number { return r.imu2cam }

// EqToX returns q_eq2x (NaN until initialised).
func (r *Reckoner) EqToX() quat.Number { return r.eq2x }

// CamToAligned returns q_cam2aligned (NaN until initialised).
func (r *Reckoner) CamToAligned() quat.Number { return r.cam2aligned }

// Initialized reports whether a solve has seeded the reckoner.
func (r *Reckoner) Initialized() bool { return !rot.HasNaN(r.eq2x) && !rot.HasNaN(r.cam2aligned) }

// Solve reseeds the reckoner with a solved camera and aligned pointing and
// the IMU orientation q_x2imu at the exposure. It is a no-op when either
// pointing is invalid or the quaternion has a NaN (a zero quaternion
// normalises to NaN, so it is a no-op too).
func (r *Reckoner) Solve(camera, aligned RaDecRoll, x2imu quat.Number) {
	if !camera.Valid() || !aligned.Valid() || rot.HasNaN(x2imu) {
		return
	}
	x2imu = rot.Normalize(x2imu)
	if rot.HasNaN(x2imu) {
		return
	}
	eq2cam := EqToCam(camera)
	r.eq2x = rot.Normalize(quat.Mul(eq2cam, quat.Conj(quat.Mul(x2imu, r.imu2cam))))
	r.cam2aligned = rot.Normalize(quat.Mul(quat.Conj(eq2cam), EqToCam(aligned)))
}

// Predict returns the camera and aligned pointings for the IMU orientation
// q_x2imu; ok is false before the first solve or for a NaN/zero quaternion.
func (r *Reckoner) Predict(x2imu quat.Number) (camera, aligned RaDecRoll, ok bool) {
	if !r.Initialized() || rot.HasNaN(x2imu) {
		return Invalid, Invalid, false
	}
	eq2cam := rot.Normalize(quat.Mul(quat.Mul(r.eq2x, x2imu), r.imu2cam))
	if rot.HasNaN(eq2cam) {
		return Invalid, Invalid, false
	}
	eq2al := rot.Normalize(quat.Mul(eq2cam, r.cam2aligned))
	return ToRaDecRoll(eq2cam), ToRaDecRoll(eq2al), true
}

// Reset forgets the seed.
func (r *Reckoner) Reset() {
	r.eq2x, r.cam2aligned = NaNQuat, NaNQuat
}
