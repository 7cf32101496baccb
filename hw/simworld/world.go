package simworld

import (
	"math"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/rot"

	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// Step moves the telescope to To and then holds it there.
type Step struct {
	To          Attitude
	RateDegPerS float64       // slew rate; 0 jumps at once
	Hold        time.Duration // time spent at To after arriving
	Covered     bool          // the camera sees nothing during this step (slew and hold)
}

// Script is a trajectory: a start attitude and the steps that follow.
// With Loop set the steps repeat forever (the last step should lead back
// near Start for a smooth loop; a jump back is allowed).
type Script struct {
	Start Attitude
	Steps []Step
	Loop  bool
}

type segment struct {
	from, to   quat.Number
	begin, end time.Duration // slew from begin to end, then hold until next begin
	holdEnd    time.Duration
	covered    bool
}

// World answers where the telescope truly points at any instant.
type World struct {
	t0     time.Time
	start  quat.Number
	segs   []segment
	total  time.Duration
	loop   bool
	script Script

	mu     sync.RWMutex
	steers []steer // live pushes (Steer), in time order
}

// steer is a live push: from the orientation at begin to to, arriving at
// end, then holding until the next steer.
type steer struct {
	from, to   quat.Number
	begin, end time.Time
}

// New starts script at t0.
func New(t0 time.Time, s Script) *World {
	w := &World{t0: t0, start: Quaternion(s.Start), loop: s.Loop, script: s}
	cur := w.start
	var at time.Duration
	for _, st := range s.Steps {
		to := Quaternion(st.To)
		var slew time.Duration
		if st.RateDegPerS > 0 {
			ang := rot.Angle(cur, to) * 180 / math.Pi
			slew = time.Duration(ang / st.RateDegPerS * float64(time.Second))
		}
		seg := segment{from: cur, to: to, begin: at, end: at + slew, holdEnd: at + slew + st.Hold, covered: st.Covered}
		w.segs = append(w.segs, seg)
		at = seg.holdEnd
		cur = to
	}
	w.total = at
	return w
}

// Script returns the script the world follows.
func (w *World) Script() Script { return w.script }

// Start returns the instant the script starts.
func (w *World) Start() time.Time { return w.t0 }

// Duration is the length of one pass through the script.
func (w *World) Duration() time.Duration { return w.total }

func (w *World) find(t time.Time) (seg *segment, into time.Duration) {
	d := t.Sub(w.t0)
	if d < 0 || len(w.segs) == 0 || w.total <= 0 {
		return nil, 0
	}
	if d >= w.total {
		if !w.loop {
			return &w.segs[len(w.segs)-1], w.segs[len(w.segs)-1].holdEnd
		}
		d %= w.total
	}
	for i := range w.segs {
		if d < w.segs[i].holdEnd {
			return &w.segs[i], d
		}
	}
	last := &w.segs[len(w.segs)-1]
	return last, last.holdEnd
}

// Orientation returns q_eq2cam, the true camera orientation at t.
func (w *World) Orientation(t time.Time) quat.Number {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.orientation(t)
}

func (w *World) orientation(t time.Time) quat.Number {
	if st := w.steerAt(t); st != nil {
		if !t.Before(st.end) || !st.end.After(st.begin) {
			return st.to
		}
		return slerp(st.from, st.to, float64(t.Sub(st.begin))/float64(st.end.Sub(st.begin)))
	}
	seg, d := w.find(t)
	if seg == nil {
		return w.start
	}
	if d >= seg.end || seg.end == seg.begin {
		return seg.to
	}
	f := float64(d-seg.begin) / float64(seg.end-seg.begin)
	return slerp(seg.from, seg.to, f)
}

// Attitude returns the true camera attitude at t.
func (w *World) Attitude(t time.Time) Attitude {
	return AttitudeOf(w.Orientation(t))
}

// Covered reports whether the camera is covered at t. A steered telescope
// is never covered.
func (w *World) Covered(t time.Time) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.steerAt(t) != nil {
		return false
	}
	seg, _ := w.find(t)
	return seg != nil && seg.covered
}

// Moving reports whether the telescope is slewing at t.
func (w *World) Moving(t time.Time) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if st := w.steerAt(t); st != nil {
		return t.Before(st.end)
	}
	seg, d := w.find(t)
	return seg != nil && d >= seg.begin && d < seg.end
}

// Steer is a hand on the telescope: from t on, the script no longer
// applies; the telescope moves from where it is at t to `to` along the
// great circle at rateDegPerS (0 jumps), then stays there until the next
// Steer. A later Steer at an earlier t replaces the pushes after it. It is
// safe to call while cameras and IMUs read the world: simulated observers
// use it to follow push-to guidance.
func (w *World) Steer(t time.Time, to Attitude, rateDegPerS float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	from := w.orientation(t)
	q := Quaternion(to)
	end := t
	if rateDegPerS > 0 {
		ang := rot.Angle(from, q) * 180 / math.Pi
		end = t.Add(time.Duration(ang / rateDegPerS * float64(time.Second)))
	}
	keep := len(w.steers)
	for keep > 0 && !w.steers[keep-1].begin.Before(t) {
		keep--
	}
	w.steers = append(w.steers[:keep], steer{from: from, to: q, begin: t, end: end})
}

// steerAt returns the push in force at t, or nil before the first one.
// The caller holds mu.
func (w *World) steerAt(t time.Time) *steer {
	for i := len(w.steers) - 1; i >= 0; i-- {
		if !t.Before(w.steers[i].begin) {
			return &w.steers[i]
		}
	}
	return nil
}

// Quaternion returns q_eq2cam for an attitude:
// axis_angle(z, ra) ⊗ axis_angle(y, 90°−dec) ⊗ axis_angle(z, 90°+roll).
func Quaternion(a Attitude) quat.Number {
	const d = math.Pi / 180
	q := quat.Mul(rot.AxisAngle(r3.Vec{Z: 1}, a.RA*d), rot.AxisAngle(r3.Vec{Y: 1}, math.Pi/2-a.Dec*d))
	q = quat.Mul(q, rot.AxisAngle(r3.Vec{Z: 1}, math.Pi/2+a.Roll*d))
	return rot.Normalize(q)
}

// AttitudeOf converts q_eq2cam back to RA/Dec/Roll.
func AttitudeOf(q quat.Number) Attitude {
	rot := func(v r3.Vec) r3.Vec {
		p := quat.Mul(quat.Mul(q, quat.Number{Imag: v.X, Jmag: v.Y, Kmag: v.Z}), quat.Conj(q))
		return r3.Vec{X: p.Imag, Y: p.Jmag, Z: p.Kmag}
	}
	return geom.AttitudeOf(geom.Rotation{rot(r3.Vec{X: 1}), rot(r3.Vec{Y: 1}), rot(r3.Vec{Z: 1})})
}

func dot(a, b quat.Number) float64 {
	return a.Real*b.Real + a.Imag*b.Imag + a.Jmag*b.Jmag + a.Kmag*b.Kmag
}

func slerp(a, b quat.Number, f float64) quat.Number {
	c := dot(a, b)
	if c < 0 { // shortest way round
		b, c = quat.Scale(-1, b), -c
	}
	if c > 0.9999995 {
		return rot.Normalize(quat.Add(quat.Scale(1-f, a), quat.Scale(f, b)))
	}
	th := math.Acos(c)
	s := math.Sin(th)
	return rot.Normalize(quat.Add(quat.Scale(math.Sin((1-f)*th)/s, a), quat.Scale(math.Sin(f*th)/s, b)))
}

// DefaultScript is the demonstration night of `go run .`: slews at 3°/s
// between well-known fields, holds of 20-30 s, one 20 s stretch with the
// camera covered, looping forever.
func DefaultScript() Script {
	orion := geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}
	return Script{
		Start: orion,
		Loop:  true,
		Steps: []Step{
			{To: orion, Hold: 20 * time.Second},
			{To: geom.Attitude{RA: 56.9, Dec: 24.1, Roll: 10}, RateDegPerS: 3, Hold: 25 * time.Second},   // Pleiades
			{To: geom.Attitude{RA: 101.3, Dec: -16.7, Roll: 50}, RateDegPerS: 3, Hold: 20 * time.Second}, // Sirius
			{To: geom.Attitude{RA: 101.3, Dec: -16.7, Roll: 50}, Hold: 20 * time.Second, Covered: true},
			{To: geom.Attitude{RA: 114.8, Dec: 5.2, Roll: 80}, RateDegPerS: 2, Hold: 20 * time.Second}, // Procyon
			{To: orion, RateDegPerS: 4, Hold: 10 * time.Second},
		},
	}
}

// Attitude is a pointing in degrees (RA, Dec, Roll), the solver's convention
// (an alias of the shared geometry type, so scripts can be written outside
// this module).
type Attitude = geom.Attitude
