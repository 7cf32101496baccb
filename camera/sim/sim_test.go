package sim

import (
	"context"
	"math"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pifinder-go/pifinder/camera"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

// testStars loads the shared catalogue, or makes a synthetic star field
// when it is absent (the sim test needs only plausible stars).
func testStars(t testing.TB) []starcat.Star {
	t.Helper()
	const path = "../../../shared/catalog/hip8.csv"
	if _, err := os.Stat(path); err == nil {
		stars, err := starcat.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return stars
	}
	var stars []starcat.Star
	// A golden-angle spiral of stars, magnitudes 2…8.
	for i := 0; i < 40000; i++ {
		z := 1 - 2*(float64(i)+0.5)/40000
		ra := math.Mod(float64(i)*137.50776405, 360)
		stars = append(stars, starcat.Star{HIP: i + 1, RA: ra, Dec: math.Asin(z) * 180 / math.Pi, Vmag: 2 + 6*math.Mod(float64(i)*0.618034, 1)})
	}
	return stars
}

func newTestSim(t testing.TB, w *simworld.World) *Camera {
	t.Helper()
	src, err := New(Config{Stars: testStars(t), Epoch: 2026, World: w})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func countBright(s *Camera, snr float64) int {
	n := 0
	for _, st := range s.rf.Stars {
		if st.SNR >= snr {
			n++
		}
	}
	return n
}

func TestSimTruthAndExposure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		att := geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}
		s := newTestSim(t, simworld.New(time.Now(), simworld.Script{Start: att}))
		defer s.Close()
		ctx := context.Background()
		counts := map[int64]int{}
		sums := map[int64]float64{}
		for _, us := range []int64{50000, 800000} {
			start := time.Now()
			f, err := s.Capture(ctx, camera.Settings{ExposureUS: us, Gain: 1})
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d != time.Duration(us)*time.Microsecond {
				t.Fatalf("capture took %v, want the exposure %v", d, time.Duration(us)*time.Microsecond)
			}
			m := f.Meta
			if !m.Truth.Valid || geom.Separation(m.Truth.RA, m.Truth.Dec, att.RA, att.Dec) > 1e-6 {
				t.Fatalf("truth %+v, want %+v", m.Truth, att)
			}
			if m.ExposureUS != us || m.Source != "sim" || m.Width != 512 || m.ExposureEnd.Sub(m.ExposureStart) != time.Duration(us)*time.Microsecond {
				t.Fatalf("meta %+v", m)
			}
			counts[us] = countBright(s, 8)
			for _, v := range f.Gray.Pix {
				sums[us] += float64(v)
			}
			f.Release()
		}
		t.Logf("stars with SNR ≥ 8: %d at 50 ms, %d at 800 ms", counts[50000], counts[800000])
		if counts[800000] <= counts[50000] || counts[50000] == 0 && counts[800000] < 5 {
			t.Fatalf("detectable stars: %d at 50 ms, %d at 800 ms", counts[50000], counts[800000])
		}
		if sums[800000] <= sums[50000] {
			t.Fatalf("longer exposure not brighter: %g vs %g", sums[800000], sums[50000])
		}
		// Gain scales the flux too: 16× gain at 50 ms shows what 800 ms shows.
		f, err := s.Capture(ctx, camera.Settings{ExposureUS: 50000, Gain: 16})
		if err != nil {
			t.Fatal(err)
		}
		f.Release()
		if n := countBright(s, 8); n <= counts[50000] {
			t.Fatalf("gain 16 shows %d detectable stars, gain 1 %d", n, counts[50000])
		}
	})
}

func TestSimTrailAndCover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := geom.Attitude{RA: 10, Dec: 20, Roll: 0}
		b := geom.Attitude{RA: 30, Dec: 20, Roll: 0}
		w := simworld.New(time.Now(), simworld.Script{Start: a, Steps: []simworld.Step{
			{To: b, RateDegPerS: 2, Hold: time.Second},
			{To: b, Hold: time.Minute, Covered: true},
		}})
		s := newTestSim(t, w)
		f, err := s.Capture(context.Background(), camera.Settings{ExposureUS: 500000, Gain: 1})
		if err != nil {
			t.Fatal(err)
		}
		f.Release()
		o := s.base
		// 1° of slew in 0.5 s on a 13.7° / 512 px field ≈ 35 px of trail.
		mid := w.Attitude(time.Now().Add(-250 * time.Millisecond))
		trail := trail(mid, o, w.Attitude(time.Now().Add(-500*time.Millisecond)), w.Attitude(time.Now()))
		if l := math.Hypot(trail[0], trail[1]); l < 25 || l > 45 {
			t.Fatalf("trail %v px", trail)
		}
		time.Sleep(20 * time.Second) // now covered
		f, err = s.Capture(context.Background(), camera.Settings{ExposureUS: 500000, Gain: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Release()
		if len(s.rf.Stars) != 0 {
			t.Fatalf("covered frame shows %d stars", len(s.rf.Stars))
		}
	})
}

func TestSimBadSettings(t *testing.T) {
	s := newTestSim(t, nil)
	if _, err := s.Capture(context.Background(), camera.Settings{ExposureUS: 0, Gain: 1}); err == nil {
		t.Fatal("zero exposure accepted")
	}
	if _, err := New(Config{Size: 1 << 20}); err == nil {
		t.Fatal("a 1M-pixel-wide solve image accepted")
	}
}

func BenchmarkSimCapture(b *testing.B) {
	s := newTestSim(b, simworld.New(time.Now(), simworld.Script{Start: geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}}))
	ctx := context.Background()
	set := camera.Settings{ExposureUS: 1, Gain: 1} // 1 µs: measure rendering, not waiting
	if f, err := s.Capture(ctx, set); err == nil { // warm-up sizes the buffers
		f.Release()
	}
	b.ReportAllocs()
	for b.Loop() {
		f, err := s.Capture(ctx, set)
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}
