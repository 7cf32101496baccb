package ae

import (
	"image"
	"testing"
	"time"
)

func TestRecoveryT2(t *testing.T) {
	r := NewRecovery(2, 2)
	if r.Active() || r.Trigger != 2 || r.Repeats != 2 {
		t.Fatalf("fresh recovery: active %v trigger %d repeats %d", r.Active(), r.Trigger, r.Repeats)
	}
	want := []int64{400000, 800000, 1000000, 200000}
	for i, v := range want {
		if r.Ladder[i] != v {
			t.Fatalf("ladder %v, want %v", r.Ladder, want)
		}
	}
	if _, ok := r.Handle(50000, 1); ok || r.Active() {
		t.Fatalf("handle(50000,1) with trigger 2 changed exposure or activated")
	}
	if v, ok := r.Handle(50000, 2); !ok || v != 400000 || !r.Active() {
		t.Fatalf("handle(50000,2) = %d %v active %v, want 400000", v, ok, r.Active())
	}

	r1 := NewRecovery(1, 2)
	seq := []int64{400000, 400000, 800000, 800000, 1000000, 1000000, 200000, 200000, 400000}
	for i, w := range seq {
		if v, ok := r1.Handle(50000, i+1); !ok || v != w {
			t.Fatalf("trigger 1 call %d = %d %v, want %d", i+1, v, ok, w)
		}
	}
	r.Reset()
	if idx, rep := r.Position(); r.Active() || idx != 0 || rep != 0 {
		t.Fatalf("after reset: active %v index %d repeat %d", r.Active(), idx, rep)
	}
	if _, ok := r.Handle(50000, 1); ok {
		t.Fatal("after reset handle(…,1) changed exposure")
	}
	c := NewRecovery(3, 3)
	if c.Trigger != 3 || c.Repeats != 3 {
		t.Fatalf("custom recovery stored %d, %d", c.Trigger, c.Repeats)
	}
}

type step struct {
	matches int
	cur     int64
	after   time.Duration // since the test's start
	want    int64         // 0 = no change
	integ   *float64
}

func fptr(v float64) *float64 { return &v }

func TestPIDT3(t *testing.T) {
	custom := DefaultPIDConfig()
	custom.Target, custom.DeadBand = 15, 2
	kpDown := DefaultPIDConfig()
	kpDown.Down = Gains{Kp: 50000}
	kpUp := DefaultPIDConfig()
	kpUp.Up = Gains{Kp: 50000}
	t0 := time.Unix(1000, 0)
	cases := []struct {
		name  string
		cfg   PIDConfig
		steps []step
	}{
		{"deadband then increase", custom, []step{
			{15, 100000, 0, 0, nil}, {14, 100000, 0, 0, nil}, {17, 100000, 0, 0, nil},
			{10, 100000, 0, 121250, nil},
		}},
		{"fresh decrease", custom, []step{{25, 100000, 0, 94950, nil}}},
		{"defaults increase twice", DefaultPIDConfig(), []step{
			{10, 400000, 0, 429750, nil}, {10, 429750, 0, 461250, nil},
		}},
		{"rate-limited decrease", DefaultPIDConfig(), []step{
			{5, 400000, 0, 451000, nil}, {5, 451000, 0, 505000, nil},
			{30, 505000, 0, 0, nil},
			{30, 505000, 500 * time.Millisecond, 492185, fptr(-13)},
		}},
		{"clamped high", DefaultPIDConfig(), []step{{1, 990000, 0, 1000000, fptr(-216)}}},
		{"kp-only decrease", kpDown, []step{{100, 50000, 0, 25000, nil}}},
		{"kp-only increase", kpUp, []step{{1, 900000, 0, 1000000, nil}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := NewPID(c.cfg)
			for i, s := range c.steps {
				v, ok := p.Update(s.matches, s.cur, t0.Add(s.after))
				if s.want == 0 {
					if ok {
						t.Fatalf("step %d: %d matches at %d → %d, want no change", i, s.matches, s.cur, v)
					}
					continue
				}
				if !ok || v != s.want {
					t.Fatalf("step %d: %d matches at %d → %d (%v), want %d", i, s.matches, s.cur, v, ok, s.want)
				}
				if s.integ != nil && p.Integral() != *s.integ {
					t.Fatalf("step %d: integral %g, want %g", i, p.Integral(), *s.integ)
				}
			}
		})
	}
}

func TestPIDZeroMatch(t *testing.T) {
	cfg := DefaultPIDConfig()
	cfg.Target, cfg.DeadBand = 15, 2
	p := NewPID(cfg)
	now := time.Unix(0, 0)
	if _, ok := p.Update(0, 100000, now); ok || p.ZeroCount() != 1 {
		t.Fatalf("first zero: change or counter %d", p.ZeroCount())
	}
	for i, w := range []int64{400000, 400000, 800000} {
		v, ok := p.Update(0, 100000, now)
		if !ok || v != w {
			t.Fatalf("zero %d → %d %v, want %d", i+2, v, ok, w)
		}
		if !p.Recovery.Active() {
			t.Fatal("recovery inactive")
		}
	}
	if _, ok := p.Update(15, 800000, now); ok || p.Recovery.Active() || p.ZeroCount() != 0 {
		t.Fatalf("15 stars: change %v, recovery %v, counter %d", ok, p.Recovery.Active(), p.ZeroCount())
	}
	p.Update(5, 100000, now)
	p.Update(0, 100000, now)
	p.Reset()
	if p.Integral() != 0 || p.ZeroCount() != 0 || p.hasLast {
		t.Fatal("reset left state")
	}
}

func uniform(v uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range g.Pix {
		g.Pix[i] = v
	}
	return g
}

func TestSNRT4(t *testing.T) {
	s := NewSNR(DefaultSNRConfig())
	noFloor := DefaultSNRConfig()
	noFloor.HasNoiseFloor = false
	cases := []struct {
		name string
		s    *SNR
		bg   uint8
		cur  int64
		want int64 // 0 = no change
	}{
		{"dark", s, 5, 100000, 130000},
		{"bright", s, 150, 100000, 76923},
		{"inside", s, 50, 100000, 0},
		{"dark clamp", s, 5, 900000, 1000000},
		{"floor 11", s, 11, 100000, 130000},
		{"floor 12", s, 12, 100000, 0},
		{"no floor 14", NewSNR(noFloor), 14, 100000, 130000},
		{"no floor 15", NewSNR(noFloor), 15, 100000, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bg := Percentile(uniform(c.bg), 10)
			v, ok := c.s.Update(bg, c.cur)
			if c.want == 0 {
				if ok {
					t.Fatalf("got %d, want no change", v)
				}
				return
			}
			if !ok || v != c.want {
				t.Fatalf("got %d %v, want %d", v, ok, c.want)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 11, 1))
	for i := range g.Pix {
		g.Pix[i] = uint8(10 * i) // 0..100
	}
	if p := Percentile(g, 10); p != 10 {
		t.Fatalf("p10 = %g, want 10", p)
	}
	if p := Percentile(g, 15); p != 15 {
		t.Fatalf("p15 = %g, want 15", p)
	}
}

func TestSweepT5(t *testing.T) {
	want := []int64{25000, 30357, 36861, 44760, 54352, 65998, 80140, 97313, 118165, 143486,
		174232, 211567, 256901, 311950, 378795, 459964, 558525, 678206, 823533, 1000000}
	got := SweepExposures(20, 25000, 1000000)
	for i := range want {
		d := got[i] - want[i]
		if d < -1 || d > 1 || (i > 0 && d != 0) {
			t.Fatalf("sweep[%d] = %d, want %d (all %v)", i, got[i], want[i], got)
		}
	}
}
