package api

import (
	"encoding/json"
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/state"
)

// The JSON shapes of the API. Field names are snake_case and stable; a value
// that is not known is null rather than absent.

// PointingJSON is an RA/Dec/Roll triple in degrees (J2000).
type PointingJSON struct {
	RA   float64 `json:"ra_deg"`
	Dec  float64 `json:"dec_deg"`
	Roll float64 `json:"roll_deg"`
}

// AxisJSON is the last solve and the current estimate of one axis.
type AxisJSON struct {
	Solve    *PointingJSON `json:"solve"`
	Estimate *PointingJSON `json:"estimate"`
}

// PointingView is the pointing estimate: the camera boresight and the
// aligned (eyepiece) axis, where it comes from, and when.
type PointingView struct {
	Camera        AxisJSON   `json:"camera"`
	Aligned       AxisJSON   `json:"aligned"`
	Source        string     `json:"source"` // "CAM", "CAM_FAILED", "IMU" or ""
	EstimateTime  *time.Time `json:"estimate_time"`
	AltDeg        *float64   `json:"alt_deg"`
	AzDeg         *float64   `json:"az_deg"`
	Constellation string     `json:"constellation"`
	// ErrorArcsec is the distance to the simulated truth (simulated frames only).
	ErrorArcsec *float64 `json:"error_arcsec"`
	// JNow is the aligned estimate in the true equator and equinox of
	// date at the shared clock's time (what LX200 :GR/:GD answer); null
	// without an estimate or a datetime.
	JNow *PointingJSON `json:"jnow"`
}

// DiagnosticsView are the diagnostics of the last solve attempt.
type DiagnosticsView struct {
	Matches          int        `json:"matches"`
	StarsDetected    int        `json:"stars_detected"`
	RMSEArcsec       Num        `json:"rmse_arcsec"`
	P90Arcsec        Num        `json:"p90_arcsec"`
	MaxErrArcsec     Num        `json:"max_err_arcsec"`
	Prob             Num        `json:"prob"`
	FOVDeg           Num        `json:"fov_deg"`
	Distortion       Num        `json:"distortion"`
	TExtractMS       Num        `json:"t_extract_ms"`
	TSolveMS         Num        `json:"t_solve_ms"`
	Mode             string     `json:"mode"`
	Status           string     `json:"status"`
	LastSolveAttempt *time.Time `json:"last_solve_attempt"`
	LastSolveSuccess *time.Time `json:"last_solve_success"`
}

// IMUView is the latest IMU sample.
type IMUView struct {
	Present bool       `json:"present"`
	Time    *time.Time `json:"time"`
	Quat    [4]float64 `json:"quat_wxyz"`
	Status  int        `json:"status"` // gyro calibration 0..3
	Moving  bool       `json:"moving"`
}

// LocationView is the observer's site.
type LocationView struct {
	LatDeg      Num    `json:"lat_deg"`
	LonDeg      Num    `json:"lon_deg"`
	AltitudeM   Num    `json:"altitude_m"`
	Source      string `json:"source"`
	Lock        bool   `json:"lock"`
	LockType    int    `json:"lock_type"`
	ErrorM      Num    `json:"error_m"`
	Timezone    string `json:"timezone"`
	LastGPSLock string `json:"last_gps_lock"`
}

// TimeView is the shared datetime (GPS or manual) and the server's clock.
type TimeView struct {
	UTC    *time.Time `json:"utc"` // null when no datetime is known
	Manual bool       `json:"manual"`
	System time.Time  `json:"system"`
	// Source: "GPS", "APP", "MANUAL", "SYSTEM-UNVERIFIED", or "" when unknown.
	Source string `json:"source"`
}

// GPSView is the GPS receiver's status as gpsd last reported it.
type GPSView struct {
	Connected bool   `json:"connected"` // watching gpsd
	Mode      int    `json:"mode"`      // 0 unknown, 1 no fix, 2 2-D, 3 3-D (gpsd's TPV mode)
	SatsSeen  *int   `json:"sats_seen"` // null until gpsd reports satellites
	SatsUsed  *int   `json:"sats_used"`
	ErrorM    Num    `json:"error_m"` // horizontal error of the fix; 0 unknown
	Status    string `json:"status"`  // "searching, 7 sats seen", "3D fix, 9 used, ±4 m"
}

// StatsView are the pipeline's counters.
type StatsView struct {
	Frames        uint64 `json:"frames"`
	DroppedFrames uint64 `json:"dropped_frames"`
	Solves        uint64 `json:"solves"`
	SolveFailures uint64 `json:"solve_failures"`
	IMUSamples    uint64 `json:"imu_samples"`
}

// TargetView is the current goto/push target.
type TargetView struct {
	RA     float64   `json:"ra_deg"`
	Dec    float64   `json:"dec_deg"`
	Source string    `json:"source"`
	Time   time.Time `json:"time"`
	Seq    uint64    `json:"seq"`
	TargetInfo
}

// PixelView is a pixel of the solve image.
type PixelView struct {
	Y float64 `json:"y"`
	X float64 `json:"x"`
}

// FrameInfo is the metadata of the newest frame.
type FrameInfo struct {
	Seq              uint64     `json:"seq"`
	Width            int        `json:"width"`
	Height           int        `json:"height"`
	ExposureUS       int64      `json:"exposure_us"`
	ActualExposureUS int64      `json:"actual_exposure_us"`
	Gain             Num        `json:"gain"`
	ExposureEnd      *time.Time `json:"exposure_end"`
	Source           string     `json:"source"`
	Name             string     `json:"name"`
}

// StateView is the whole state as GET /api/state returns it.
type StateView struct {
	Version     uint64          `json:"version"`
	Power       string          `json:"power"` // "awake" or "asleep"
	Pointing    PointingView    `json:"pointing"`
	Diagnostics DiagnosticsView `json:"diagnostics"`
	IMU         IMUView         `json:"imu"`
	Location    LocationView    `json:"location"`
	Time        TimeView        `json:"time"`
	GPS         GPSView         `json:"gps"`
	Stats       StatsView       `json:"stats"`
	Target      *TargetView     `json:"target"`
	TargetPixel PixelView       `json:"target_pixel"`
	CameraType  string          `json:"camera_type"`
	Lens        string          `json:"lens"`
	Frame       FrameInfo       `json:"frame"`
}

// SolverEvent is the data of a "solver" event: a new solve attempt.
type SolverEvent struct {
	Success       bool       `json:"success"`
	Matches       int        `json:"matches"`
	StarsDetected int        `json:"stars_detected"`
	Status        string     `json:"status"`
	Source        string     `json:"source"`
	Attempt       *time.Time `json:"attempt"`
	RMSEArcsec    Num        `json:"rmse_arcsec"`
	// FrameSeq is the newest frame's sequence number (GET /api/frame.png
	// changes with it).
	FrameSeq uint64 `json:"frame_seq"`
	// Solves and SolveFailures count the attempts since start (a page
	// derives the solve rate from them).
	Solves        uint64 `json:"solves"`
	SolveFailures uint64 `json:"solve_failures"`
}

// StatusEvent is the data of a "status" event: where and when (site,
// datetime and their sources), the GPS receiver and the IMU, sent when
// one of them changes (the datetime: when it is set, not as it ticks).
type StatusEvent struct {
	Location LocationView `json:"location"`
	Time     TimeView     `json:"time"`
	GPS      GPSView      `json:"gps"`
	IMU      IMUStatus    `json:"imu"`
}

// IMUStatus is the IMU's presence and calibration (0..3).
type IMUStatus struct {
	Present bool `json:"present"`
	Status  int  `json:"status"`
	Moving  bool `json:"moving"`
}

func statusEventOf(st state.State) StatusEvent {
	v := View(st)
	return StatusEvent{Location: v.Location, Time: v.Time, GPS: v.GPS, IMU: IMUStatus{Present: v.IMU.Present, Status: v.IMU.Status, Moving: v.IMU.Moving}}
}

// sameStatus reports whether a and b have the same status event (the
// clock compared by its source and its offset to the system clock, to
// the second, so a ticking clock is not a change).
func sameStatus(a, b state.State) bool {
	return a.Location == b.Location && a.GPS.Connected == b.GPS.Connected && a.GPS.Mode == b.GPS.Mode &&
		a.GPS.SatsSeen == b.GPS.SatsSeen && a.GPS.SatsUsed == b.GPS.SatsUsed && a.GPS.HasSats == b.GPS.HasSats &&
		a.GPS.ErrorM == b.GPS.ErrorM && a.HasIMU == b.HasIMU && a.IMU.Status == b.IMU.Status && a.IMU.Moving == b.IMU.Moving &&
		a.Clock.Source() == b.Clock.Source() && a.Clock.Manual() == b.Clock.Manual() && a.Clock.Known() == b.Clock.Known() &&
		(a.Clock.Offset()-b.Clock.Offset()).Abs() < time.Second
}

// PowerEvent is the data of a "power" event.
type PowerEvent struct {
	Power string `json:"power"`
}

// Num is a float that encodes NaN and ±Inf as null, so a diagnostic the
// solver could not compute never breaks the JSON encoding.
type Num float64

// MarshalJSON writes the number, or null when it is not finite.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

func pointingJSON(p state.Pointing) *PointingJSON {
	if !p.Valid || !finite(p.RA, p.Dec, p.Roll) {
		return nil
	}
	return &PointingJSON{RA: p.RA, Dec: p.Dec, Roll: p.Roll}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// PointingOf returns the pointing part of a state.
func PointingOf(st state.State) PointingView {
	e := st.Estimate
	v := PointingView{
		Camera:        AxisJSON{Solve: pointingJSON(e.Camera.Solve), Estimate: pointingJSON(e.Camera.Estimate)},
		Aligned:       AxisJSON{Solve: pointingJSON(e.Aligned.Solve), Estimate: pointingJSON(e.Aligned.Estimate)},
		Source:        string(e.Source),
		EstimateTime:  timePtr(e.EstimateTime),
		Constellation: e.Constellation,
	}
	if e.HasAltAz && finite(e.Alt, e.Az) {
		alt, az := e.Alt, e.Az
		v.AltDeg, v.AzDeg = &alt, &az
	}
	if e.ErrArcsec >= 0 && finite(e.ErrArcsec) {
		errArcsec := e.ErrArcsec
		v.ErrorArcsec = &errArcsec
	}
	if a := v.Aligned.Estimate; a != nil {
		if at, ok := st.Clock.Now(); ok {
			ra, dec := astro.JNow(a.RA, a.Dec, at)
			if finite(ra, dec) {
				v.JNow = &PointingJSON{RA: ra, Dec: dec, Roll: a.Roll}
			}
		}
	}
	return v
}

func solverEventOf(st state.State) SolverEvent {
	e := st.Estimate
	return SolverEvent{
		Success:       !e.LastSolveSuccess.IsZero() && e.LastSolveSuccess.Equal(e.LastSolveAttempt),
		Matches:       e.Diag.Matches,
		StarsDetected: e.Diag.StarsDetected,
		Status:        e.Diag.Status,
		Source:        string(e.Source),
		Attempt:       timePtr(e.LastSolveAttempt),
		RMSEArcsec:    Num(e.Diag.RMSEArcsec),
		FrameSeq:      st.Frame.Seq,
		Solves:        st.Stats.Solves,
		SolveFailures: st.Stats.SolveFailures,
	}
}

// View converts a state snapshot to its JSON form.
func View(st state.State) StateView {
	e, d := st.Estimate, st.Estimate.Diag
	v := StateView{
		Version:  st.Version,
		Power:    st.Power.String(),
		Pointing: PointingOf(st),
		Diagnostics: DiagnosticsView{
			Matches: d.Matches, StarsDetected: d.StarsDetected, RMSEArcsec: Num(d.RMSEArcsec), P90Arcsec: Num(d.P90Arcsec),
			MaxErrArcsec: Num(d.MaxErrArcsec), Prob: Num(d.Prob), FOVDeg: Num(d.FOV), Distortion: Num(d.Distortion),
			TExtractMS: Num(ms(d.TExtract)), TSolveMS: Num(ms(d.TSolve)), Mode: d.Mode, Status: d.Status,
			LastSolveAttempt: timePtr(e.LastSolveAttempt), LastSolveSuccess: timePtr(e.LastSolveSuccess),
		},
		Location: LocationView{
			LatDeg: Num(st.Location.Lat), LonDeg: Num(st.Location.Lon), AltitudeM: Num(st.Location.AltitudeM),
			Source: st.Location.Source, Lock: st.Location.Lock, LockType: st.Location.LockType,
			ErrorM: Num(st.Location.ErrorM), Timezone: st.Location.Timezone, LastGPSLock: st.Location.LastGPSLock,
		},
		Time: TimeView{Manual: st.Clock.Manual(), System: time.Now().UTC(), Source: string(st.Clock.Source())},
		GPS:  gpsView(st.GPS),
		Stats: StatsView{
			Frames: st.Stats.Frames, DroppedFrames: st.Stats.DroppedFrames, Solves: st.Stats.Solves,
			SolveFailures: st.Stats.SolveFailures, IMUSamples: st.Stats.IMUSamples,
		},
		TargetPixel: PixelView{Y: st.TargetPixel.Y, X: st.TargetPixel.X},
		CameraType:  st.CameraType,
		Lens:        st.Lens,
		Frame: FrameInfo{
			Seq: st.Frame.Seq, Width: st.Frame.Width, Height: st.Frame.Height, ExposureUS: st.Frame.ExposureUS,
			ActualExposureUS: st.Frame.ActualExposureUS, Gain: Num(st.Frame.Gain), ExposureEnd: timePtr(st.Frame.ExposureEnd),
			Source: st.Frame.Source, Name: st.Frame.Name,
		},
	}
	if now, ok := st.Clock.Now(); ok {
		v.Time.UTC = &now
	}
	if st.HasIMU {
		q := st.IMU.Quat
		v.IMU = IMUView{Present: true, Time: timePtr(st.IMU.Time), Quat: [4]float64{q.Real, q.Imag, q.Jmag, q.Kmag},
			Status: st.IMU.Status, Moving: st.IMU.Moving}
	}
	v.Target = targetView(st) // targets.go: name, kind and guidance too
	return v
}

func gpsView(g state.GPSStatus) GPSView {
	v := GPSView{Connected: g.Connected, Mode: g.Mode, ErrorM: Num(g.ErrorM), Status: g.String()}
	if g.HasSats {
		seen, used := g.SatsSeen, g.SatsUsed
		v.SatsSeen, v.SatsUsed = &seen, &used
	}
	return v
}
