package state

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/internal/targets"
)

// PowerState is awake or asleep.
type PowerState int

// Power states, numbered as PiFinder numbers them.
const (
	Asleep PowerState = 0
	Awake  PowerState = 1
)

func (p PowerState) String() string {
	switch p {
	case Asleep:
		return "asleep"
	case Awake:
		return "awake"
	}
	return fmt.Sprintf("PowerState(%d)", int(p))
}

// Pointing is an RA/Dec/Roll triple in degrees. Valid is false for "none".
type Pointing struct {
	RA, Dec, Roll float64
	Valid         bool
}

// PointingOf returns a valid pointing unless a component is NaN.
func PointingOf(ra, dec, roll float64) Pointing {
	if math.IsNaN(ra) || math.IsNaN(dec) || math.IsNaN(roll) {
		return Pointing{}
	}
	return Pointing{RA: ra, Dec: dec, Roll: roll, Valid: true}
}

// Axis holds the last solved and the current estimated pointing of one axis
// (the camera's boresight or the aligned eyepiece axis).
type Axis struct {
	Solve, Estimate Pointing
}

// SolveSource says where the current estimate comes from.
type SolveSource string

// Solve sources, spelled as PiFinder spells them.
const (
	SourceNone      SolveSource = ""
	SourceCamera    SolveSource = "CAM"
	SourceCamFailed SolveSource = "CAM_FAILED"
	SourceIMU       SolveSource = "IMU"
)

// ImuSample is one published IMU reading. Quat is the fused orientation
// (scalar first, unit norm); the zero quaternion means "no anchor".
type ImuSample struct {
	Time   time.Time
	Quat   quat.Number
	Status int // gyro calibration, 0..3
	Moving bool
	// Optional raw readings (rad/s and m/s²); HasRaw says whether they are set.
	Gyro, Accel [3]float64
	HasRaw      bool
}

// HasQuat reports whether the sample carries a usable orientation.
func (s ImuSample) HasQuat() bool {
	q := s.Quat
	if math.IsNaN(q.Real) || math.IsNaN(q.Imag) || math.IsNaN(q.Jmag) || math.IsNaN(q.Kmag) {
		return false
	}
	return quat.Abs(q) > 1e-9
}

// FrameMeta describes one captured frame. It travels inside the frame value
// itself, so pixels and metadata can never be paired wrongly.
type FrameMeta struct {
	Seq              uint64
	Width, Height    int
	ExposureStart    time.Time
	ExposureEnd      time.Time
	ExposureUS       int64 // requested
	ActualExposureUS int64 // reported by the driver; 0 when unknown
	Gain             float64
	SensorTempC      float64
	HasSensorTemp    bool
	IMUStart, IMUEnd ImuSample
	HasIMUStart      bool
	HasIMUEnd        bool
	IMUDeltaDeg      float64 // angle between IMUStart and IMUEnd; 0 if either is missing
	Source           string  // camera source name: sim, replay, rpicam...
	Name             string  // file name for replayed frames
	// Truth is the true boresight attitude of a simulated frame at exposure end.
	Truth Pointing
}

// Pixel is a position in the solve image, (Y, X) as PiFinder stores it.
type Pixel struct {
	Y, X float64
}

// CentrePixel is the default target pixel of a 512×512 solve image: no offset.
var CentrePixel = Pixel{Y: 256, X: 256}

// MatchedStar is one centroid the solver matched to a catalogue star.
type MatchedStar struct {
	X, Y          float64
	HIP           int
	RA, Dec, Vmag float64
}

// SolveDiag are the diagnostics of the last solve attempt.
type SolveDiag struct {
	Matches       int
	StarsDetected int
	RMSEArcsec    float64
	P90Arcsec     float64
	MaxErrArcsec  float64
	Prob          float64
	FOV           float64
	Distortion    float64
	TExtract      time.Duration
	TSolve        time.Duration
	Mode          string // "lost-in-space" or "tracking"
	Status        string // the solver's status word
}

// SolveEvent is what the solver emits for every attempted frame: a success
// (Success true, Camera valid) or a failure (diagnostics only).
type SolveEvent struct {
	Success bool
	Camera  Pointing
	Aligned Pointing // the target pixel's sky position; equals Camera when absent
	// Anchor is the IMU orientation at exposure end; zero when unknown.
	Anchor      quat.Number
	Attempt     time.Time // exposure end of the frame
	LastSuccess time.Time // exposure end of the latest successful frame; zero if none
	FrameSeq    uint64
	Diag        SolveDiag
	// Alignment is the pixel of an armed alignment target (see AlignOnRaDec).
	Alignment    Pixel
	HasAlignment bool
	Matched      []MatchedStar
	// Truth is the simulated true attitude of the frame (simulated camera only).
	Truth Pointing
}

// Estimate is the long-lived pointing estimate the integrator publishes.
type Estimate struct {
	Camera, Aligned  Axis
	Anchor           quat.Number // IMU orientation of the last solve; zero when none
	Alt, Az          float64
	HasAltAz         bool
	Source           SolveSource
	EstimateTime     time.Time // exposure end of the solve, or the IMU sample time
	LastSolveAttempt time.Time
	LastSolveSuccess time.Time
	Constellation    string
	Diag             SolveDiag
	Alignment        Pixel
	HasAlignment     bool
	Matched          []MatchedStar
	// ErrArcsec is the angle between the aligned estimate and the simulated
	// truth when the frames are simulated; negative when unknown.
	ErrArcsec float64
}

// HasPointing reports whether the aligned axis has an estimate.
func (e Estimate) HasPointing() bool { return e.Aligned.Estimate.Valid }

// Location is the observer's site.
type Location struct {
	Lat, Lon    float64 // degrees, east positive
	AltitudeM   float64
	Source      string // "GPS", "WEB", "MANUAL", "CONFIG:<name>", "replay", "None"
	Lock        bool
	LockType    int // 0 none, 2 2-D, 3 3-D
	ErrorM      float64
	Timezone    string
	LastGPSLock string // "HH:MM:SS"
}

// Clock is the shared date and time (GPS or manual). It stores the value it
// was given and when, and reads as that value plus the time elapsed since.
type Clock struct {
	value    time.Time
	storedAt time.Time // carries the monotonic reading
	manual   bool
	source   TimeSource
}

// NewClock returns a clock that reads t now and runs on from there; manual
// marks a hand-entered time (GPS updates are then ignored until reset).
func NewClock(t time.Time, manual bool) Clock {
	src := TimeSystem
	if manual {
		src = TimeManual
	}
	return Clock{value: t.UTC(), storedAt: time.Now(), manual: manual, source: src}
}

// Source says who set the datetime: TimeNone while it is unknown.
func (c Clock) Source() TimeSource {
	switch {
	case !c.Known():
		return TimeNone
	case c.manual:
		return TimeManual
	case c.source == TimeNone:
		return TimeSystem
	}
	return c.source
}

// Offset is how far the shared clock reads ahead of the system clock. It
// changes only when the clock is set (GPS, the app, a manual entry), so a
// change of it says the time that sky positions depend on has jumped.
func (c Clock) Offset() time.Duration {
	if !c.Known() {
		return 0
	}
	return c.value.Sub(c.storedAt)
}

// Known reports whether a datetime has been set.
func (c Clock) Known() bool { return !c.value.IsZero() }

// Manual reports whether the datetime was entered by hand.
func (c Clock) Manual() bool { return c.manual }

// Now returns the shared datetime extrapolated to the current instant (UTC).
func (c Clock) Now() (time.Time, bool) { return c.At(time.Now()) }

// At returns the shared datetime extrapolated to the local instant now.
func (c Clock) At(now time.Time) (time.Time, bool) {
	if !c.Known() {
		return time.Time{}, false
	}
	return c.value.Add(now.Sub(c.storedAt)).UTC(), true
}

// Target is a goto/push target from a consumer (LX200 or the API).
type Target struct {
	RA, Dec float64 // J2000 degrees
	Source  string
	Time    time.Time
	Seq     uint64
	// Name labels the target ("M 51 Whirlpool Galaxy", "Jupiter", or the
	// coordinates); Object is what it is (see target.go). For a body,
	// RA/Dec follow its motion (refreshed about once a second).
	Name   string
	Object targets.Target
	posAt  time.Time // when RA/Dec of a body were last computed (shared clock)
}

// Stats are the counters the pipeline keeps for its summary line.
type Stats struct {
	Frames        uint64 // frames captured
	DroppedFrames uint64 // frames replaced by a newer one before the solver took them
	Solves        uint64 // successful solves
	SolveFailures uint64
	IMUSamples    uint64
}

// State is the whole canonical state. A State obtained from Snapshot or a
// subscription is a copy the reader may keep; slices in it are never
// modified after publication.
type State struct {
	Power       PowerState
	Estimate    Estimate
	IMU         ImuSample
	HasIMU      bool
	Frame       FrameMeta
	TargetPixel Pixel
	Location    Location
	Clock       Clock
	// GPS is the receiver's last status (fix mode, satellites); the zero
	// value means no gpsd connection.
	GPS        GPSStatus
	CameraType string
	Lens       string
	Target     Target
	HasTarget  bool
	Stats      Stats
	// CameraWait is when the state began waiting for the camera's next
	// frame, on the owner's clock: the latest SetFrame, SetCamera (the
	// capture worker starting) or power change (which changes how often
	// it captures). Zero until a camera is set. See CameraStalled.
	CameraWait time.Time
	// Version counts applied updates; two snapshots with the same Version are equal.
	Version uint64

	// Guidance is the push-to guidance from the aligned estimate to the
	// target, computed with every estimate (see target.go); Mount is the
	// mount type it is for; Recent the latest targets, newest first.
	Guidance Guidance
	Mount    targets.Mount
	Recent   []Target
}

// How long past CameraWait, on top of twice the last exposure, a camera
// may go without a frame before CameraStalled says so. Awake, the capture
// worker takes a frame per exposure, gives a capture up after 10 s and
// retries within 5 s; asleep it captures once every 30 s (every 60th tick
// of the 2 Hz pacer).
const (
	CameraStallAwake  = 15 * time.Second
	CameraStallAsleep = 45 * time.Second
)

// CameraStalled reports whether the camera should have published a frame
// by now and has not: a source failing every capture (a replay folder
// with nothing readable, a camera that stopped streaming) publishes
// nothing, and the last frame and estimate then only grow old. A camera
// of type none never stalls.
func (s State) CameraStalled(now time.Time) bool {
	if s.CameraWait.IsZero() || s.CameraType == "none" {
		return false
	}
	limit := CameraStallAwake
	if s.Power == Asleep {
		limit = CameraStallAsleep
	}
	limit += 2 * time.Duration(s.Frame.ExposureUS) * time.Microsecond
	return now.Sub(s.CameraWait) > limit
}

// Default returns the state PiFinder boots with.
func Default() State {
	return State{
		Power:       Awake,
		TargetPixel: CentrePixel,
		Location:    Location{Source: "None", Timezone: "UTC"},
		CameraType:  "imx296",
		Estimate:    Estimate{ErrArcsec: -1},
	}
}
