package ratelog

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestLimiter(t *testing.T) {
	l := New(time.Minute)
	logged, total := 0, 0
	for i := range 3 * 60 * 30 { // 3 minutes at 30 Hz
		ok, n := l.Note("bus", t0.Add(time.Duration(i)*time.Second/30))
		if ok {
			logged++
			total += n
		}
	}
	if logged != 3 {
		t.Errorf("%d lines in 3 minutes, want 3 (first + 2 summaries)", logged)
	}
	if total < 2*60*30-5 {
		t.Errorf("summaries counted %d suppressed events", total)
	}
	if ok, _ := l.Note("other", t0); !ok {
		t.Error("a new kind must log at once")
	}
}
