package imu

import (
	"testing"
	"time"

	"gonum.org/v1/gonum/num/quat"
)

var t0 = time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)

func rd(i int, q quat.Number, cal int) Reading {
	return Reading{Time: t0.Add(time.Duration(i) * time.Second / 30), Quat: q, GyroCal: cal}
}

// settled returns a filter that has accepted base and come to rest on it.
func settled(t *testing.T, scale float64, base quat.Number) *Filter {
	f := NewFilter(scale)
	if _, _, ev := f.Step(rd(0, base, 3)); ev&EventMoveStart == 0 {
		t.Fatalf("first reading from the zero history must register as movement (ev %b)", ev)
	}
	if _, _, ev := f.Step(rd(1, base, 3)); ev&EventMoveEnd == 0 {
		t.Fatalf("an unchanged reading must stop the motion (ev %b)", ev)
	}
	return f
}

func TestT21Hysteresis(t *testing.T) {
	base := quat.Number{Real: 1}
	cases := []struct {
		scale      float64
		start, stp float64
		diffs      []float64
		moving     []bool
	}{
		{1, 0.0005, 0.0003, []float64{0.0004, 0.0006, 0.0004, 0.0002}, []bool{false, true, true, false}},
		{2, 0.001, 0.0006, []float64{0.0008, 0.0011, 0.0007, 0.0005}, []bool{false, true, true, false}},
		{0, 0.0005, 0.0003, []float64{0.0004, 0.0006}, []bool{false, true}}, // 0 = default scale
	}
	for _, c := range cases {
		f := settled(t, c.scale, base)
		if s, p := f.Thresholds(); s != c.start || p != c.stp {
			t.Errorf("scale %g thresholds (%g, %g), want (%g, %g)", c.scale, s, p, c.start, c.stp)
		}
		q := base
		prev, _, _ := f.Step(rd(2, q, 3)) // unchanged reading: at rest
		for i, d := range c.diffs {
			q.Imag += d
			s, pub, _ := f.Step(rd(3+i, q, 3))
			if !pub || s.Moving != c.moving[i] {
				t.Errorf("scale %g step %d diff %g: moving %v, want %v", c.scale, i, d, s.Moving, c.moving[i])
			}
			// The quaternion is published only while moving and when motion stops.
			stopped := prev.Moving && !s.Moving
			if changed := s.Quat != prev.Quat; changed != (s.Moving || stopped) {
				t.Errorf("scale %g step %d: published quat changed=%v moving=%v", c.scale, i, changed, s.Moving)
			}
			if (s.Moving || stopped) && s.Quat != q {
				t.Errorf("scale %g step %d: published %v, want the reading %v", c.scale, i, s.Quat, q)
			}
			prev = s
		}
	}
}

func TestT21StationaryQuatUnchanged(t *testing.T) {
	base := quat.Number{Real: 0.8, Imag: 0.6}
	f := settled(t, 1, base)
	q := base
	for i := range 20 {
		q.Jmag += 0.0001 // below the start threshold every sample
		s, pub, _ := f.Step(rd(2+i, q, 3))
		if !pub || s.Moving || s.Quat != base {
			t.Fatalf("sample %d: moving %v quat %v, want stationary at %v", i, s.Moving, s.Quat, base)
		}
		if !s.Time.Equal(rd(2+i, q, 3).Time) {
			t.Fatalf("timestamp not fresh")
		}
	}
}

func TestT21ChatterAndFlips(t *testing.T) {
	base := quat.Number{Real: 1}
	f := settled(t, 1, base)
	chat := base
	chat.Imag += ChatterDiff
	s, _, ev := f.Step(rd(2, chat, 3))
	if ev&EventChatter == 0 || s.Moving || f.Diff() != 0 {
		t.Errorf("chatter not ignored: ev %b moving %v", ev, s.Moving)
	}
	// The chatter sample did not enter the history: a reading equal to base has diff 0.
	if _, _, ev := f.Step(rd(3, base, 3)); ev&(EventMoveStart|EventChatter) != 0 {
		t.Errorf("history changed by chatter: ev %b", ev)
	}

	flip := quat.Number{Real: 1 - 1.6}
	for i := 1; i <= MaxFlips; i++ {
		s, _, ev := f.Step(rd(3+i, flip, 3))
		if ev&EventFlip == 0 || ev&EventReset != 0 || s.Quat != base || s.Moving {
			t.Fatalf("flip %d: ev %b quat %v", i, ev, s.Quat)
		}
	}
	_, _, ev = f.Step(rd(20, flip, 3))
	if ev&EventReset == 0 {
		t.Fatalf("11th flip must reset the history: ev %b", ev)
	}
	// History is now the flipped reading: a reading next to it is ordinary.
	near := flip
	near.Kmag += 0.0001
	if _, _, ev := f.Step(rd(21, near, 3)); ev&(EventFlip|EventReset) != 0 {
		t.Errorf("reading near the reset history: ev %b", ev)
	}

	// A flip streak broken by a normal reading starts counting again.
	f = settled(t, 1, base)
	for i := range 3 * MaxFlips {
		q := flip
		if i%MaxFlips == MaxFlips-1 {
			q = base
		}
		if _, _, ev := f.Step(rd(2+i, q, 3)); ev&EventReset != 0 {
			t.Fatalf("reset at %d although no streak exceeded %d", i, MaxFlips)
		}
	}
}

func TestT21StartupFlipThenAnchor(t *testing.T) {
	// A start-up reading with L1 norm > 1.5 is classed as a flip, so the
	// published quaternion stays zero ("no anchor") until real movement.
	f := NewFilter(1)
	q := quat.Number{Real: 0.5, Imag: 0.5, Jmag: 0.5, Kmag: 0.5} // L1 = 2
	s, pub, ev := f.Step(rd(0, q, 3))
	if !pub || ev&EventFlip == 0 || s.Quat != (quat.Number{}) {
		t.Errorf("pub %v ev %b quat %v", pub, ev, s.Quat)
	}
	// Unlike PiFinder, the reading that ends the flip streak (the 11th) is
	// published while still: a night that starts still has an anchor for
	// its first slew.
	for i := 1; i <= MaxFlips; i++ {
		s, _, ev = f.Step(rd(i, q, 3))
	}
	if ev&EventReset == 0 || s.Quat != q || s.Moving {
		t.Errorf("after the streak: ev %b quat %v moving %v, want the reading, still", ev, s.Quat, s.Moving)
	}
}

func TestT21CalibrationGate(t *testing.T) {
	f := NewFilter(1)
	q := quat.Number{Real: 1}
	for i, cal := range []int{0, 1, 2, 2} {
		if _, pub, ev := f.Step(rd(i, q, cal)); pub {
			t.Fatalf("published at gyro status %d", cal)
		} else if cal == 0 && ev&EventNoCal == 0 {
			t.Error("status 0 must raise NOIMU CAL")
		}
	}
	s, pub, ev := f.Step(rd(4, q, 3))
	if !pub || ev&EventCalibrated == 0 || s.Status != 3 {
		t.Fatalf("status 3: pub %v ev %b", pub, ev)
	}
	// After calibration every cycle publishes, even when it drops again.
	s, pub, ev = f.Step(rd(5, quat.Number{Imag: 1}, 0))
	if !pub || s.Status != 0 || ev&EventNoCal == 0 || ev&EventCalibrated != 0 {
		t.Errorf("after drop: pub %v status %d ev %b", pub, s.Status, ev)
	}
	// The uncalibrated reading was skipped: the quaternion did not move.
	if s.Quat == (quat.Number{Imag: 1}) {
		t.Error("uncalibrated reading entered the filter")
	}
	nan := quat.Number{Real: 1}
	nan.Imag = nan.Imag / 0 * 0 // NaN
	if _, pub, ev := f.Step(rd(6, nan, 3)); !pub || ev&EventBadQuat == 0 {
		t.Errorf("NaN quaternion: pub %v ev %b", pub, ev)
	}
}

func TestRawCarried(t *testing.T) {
	f := NewFilter(1)
	r := rd(0, quat.Number{Real: 1}, 3)
	r.Gyro, r.Accel, r.HasRaw = [3]float64{1, 2, 3}, [3]float64{4, 5, 6}, true
	s, _, _ := f.Step(r)
	if !s.HasRaw || s.Gyro != r.Gyro || s.Accel != r.Accel {
		t.Errorf("raw not carried: %+v", s)
	}
}

func BenchmarkFilterStep(b *testing.B) {
	f := NewFilter(1)
	q := quat.Number{Real: 0.8, Imag: 0.6}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		q.Jmag = float64(i%7) * 0.0002
		f.Step(rd(i, q, 3))
	}
}
