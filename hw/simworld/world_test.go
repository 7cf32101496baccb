package simworld

import (
	"math"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/rot"
)

func TestQuaternionConvention(t *testing.T) {
	// T7: q_eq2cam(0,0,0) = (0.5, 0.5, 0.5, 0.5); q_eq2cam(90°,0,0) = (0, 0, 0.70711, 0.70711).
	cases := []struct {
		a    geom.Attitude
		want [4]float64
	}{
		{geom.Attitude{}, [4]float64{0.5, 0.5, 0.5, 0.5}},
		{geom.Attitude{RA: 90}, [4]float64{0, 0, math.Sqrt2 / 2, math.Sqrt2 / 2}},
	}
	for _, c := range cases {
		q := Quaternion(c.a)
		got := [4]float64{q.Real, q.Imag, q.Jmag, q.Kmag}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-9 {
				t.Errorf("Quaternion(%+v) = %v, want %v", c.a, got, c.want)
				break
			}
		}
	}
	for _, a := range []geom.Attitude{{RA: 123.4, Dec: -12.3, Roll: 271}, {RA: 10, Dec: 80, Roll: 5}} {
		b := AttitudeOf(Quaternion(a))
		if geom.Separation(a.RA, a.Dec, b.RA, b.Dec) > 1e-9 || math.Abs(math.Remainder(a.Roll-b.Roll, 360)) > 1e-7 {
			t.Errorf("round trip %+v -> %+v", a, b)
		}
		// The quaternion and geom.Rotation agree on the boresight.
		r := a.Rotation()
		ra, dec := geom.RADec(r[2])
		if geom.Separation(ra, dec, b.RA, b.Dec) > 1e-9 {
			t.Errorf("geom and quaternion disagree for %+v", a)
		}
	}
}

func TestSlewAndHold(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)
	a := geom.Attitude{RA: 10, Dec: 0, Roll: 0}
	b := geom.Attitude{RA: 20, Dec: 0, Roll: 0}
	w := New(t0, Script{Start: a, Steps: []Step{
		{To: b, RateDegPerS: 2, Hold: 10 * time.Second},
		{To: b, Hold: 5 * time.Second, Covered: true},
	}})
	if w.Duration() != 20*time.Second {
		t.Fatalf("duration %v, want 20s", w.Duration())
	}
	mid := w.Attitude(t0.Add(2500 * time.Millisecond))
	if math.Abs(mid.RA-15) > 1e-6 || !w.Moving(t0.Add(2500*time.Millisecond)) {
		t.Errorf("mid-slew RA %v, want 15 and moving", mid.RA)
	}
	if end := w.Attitude(t0.Add(6 * time.Second)); math.Abs(end.RA-20) > 1e-9 || w.Moving(t0.Add(6*time.Second)) {
		t.Errorf("after slew RA %v, want 20 and still", end.RA)
	}
	if w.Covered(t0.Add(10*time.Second)) || !w.Covered(t0.Add(17*time.Second)) {
		t.Error("covered window wrong")
	}
	if got := w.Attitude(t0.Add(time.Hour)); math.Abs(got.RA-20) > 1e-9 {
		t.Errorf("after the end (no loop) RA %v, want 20", got.RA)
	}
}

func TestDefaultScriptLoops(t *testing.T) {
	t0 := time.Now()
	w := New(t0, DefaultScript())
	d := w.Duration()
	if d <= 0 {
		t.Fatal("empty default script")
	}
	a, b := w.Attitude(t0.Add(3*time.Second)), w.Attitude(t0.Add(d+3*time.Second))
	if geom.Separation(a.RA, a.Dec, b.RA, b.Dec) > 1e-9 {
		t.Errorf("loop does not repeat: %+v vs %+v", a, b)
	}
}

// TestSteer: a push takes over from the script where the telescope is,
// moves at the given rate, holds, and a later push starts from the held
// attitude; instants before the first push still follow the script.
func TestSteer(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
	w := New(t0, DefaultScript())
	at := t0.Add(10 * time.Second)
	before := w.Attitude(at.Add(-time.Second))
	start := w.Attitude(at)
	target := Attitude{RA: start.RA + 20, Dec: start.Dec, Roll: start.Roll}
	dist := geom.Separation(start.RA, start.Dec, target.RA, target.Dec)
	w.Steer(at, target, 4)
	// The slew turns the whole camera, boresight and roll together, by the
	// angle between the two orientations.
	turn := rot.Angle(Quaternion(start), Quaternion(target)) * 180 / math.Pi
	arrive := at.Add(time.Duration(turn / 4 * float64(time.Second)))
	cases := []struct {
		name     string
		t        time.Time
		wantDist float64 // from start, degrees
		moving   bool
	}{
		{"at the push", at, 0, true},
		{"half way", at.Add(arrive.Sub(at) / 2), -1, true},
		{"arrived", arrive.Add(time.Millisecond), dist, false},
		{"much later", arrive.Add(time.Hour), dist, false},
	}
	for _, c := range cases {
		a := w.Attitude(c.t)
		d := geom.Separation(start.RA, start.Dec, a.RA, a.Dec)
		if c.wantDist < 0 { // under way: strictly between
			if !(d > 0.3*dist && d < 0.7*dist) {
				t.Errorf("%s: %.3f° from the start, want about half of %.3f°", c.name, d, dist)
			}
		} else if math.Abs(d-c.wantDist) > 0.01 {
			t.Errorf("%s: %.3f° from the start, want %.3f°", c.name, d, c.wantDist)
		}
		if m := w.Moving(c.t); m != c.moving {
			t.Errorf("%s: moving %v, want %v", c.name, m, c.moving)
		}
		if w.Covered(c.t) {
			t.Errorf("%s: covered", c.name)
		}
	}
	if a := w.Attitude(at.Add(-time.Second)); geom.Separation(a.RA, a.Dec, before.RA, before.Dec) > 1e-9 {
		t.Errorf("before the push: %+v, want the script's %+v", a, before)
	}
	// A second push starts from the held attitude.
	later := arrive.Add(5 * time.Second)
	back := Attitude{RA: start.RA, Dec: start.Dec + 10, Roll: start.Roll}
	w.Steer(later, back, 0)
	if a := w.Attitude(later); geom.Separation(a.RA, a.Dec, back.RA, back.Dec) > 1e-6 {
		t.Errorf("a jump: %+v, want %+v", a, back)
	}
	if a := w.Attitude(later.Add(-time.Second)); geom.Separation(a.RA, a.Dec, target.RA, target.Dec) > 1e-6 {
		t.Errorf("before the second push: %+v, want the first push's end %+v", a, target)
	}
}
