package simworld

import (
	"math"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
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
