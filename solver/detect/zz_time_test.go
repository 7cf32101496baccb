package detect

// Temporary: min-of-N timing per frame (robust to a shared machine).

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/solver/geom"
	"github.com/pifinder-go/pifinder/solver/render"
)

func TestZZTime(t *testing.T) {
	if os.Getenv("DETECT_TIME") == "" {
		t.Skip()
	}
	b := &testing.B{}
	type fr struct {
		name string
		o    Options
		pix  []uint8
		w, h int
	}
	var frs []fr
	for _, n := range []string{"pifinder_debug_01.png", "orion_belt.jpg", "tree.jpg"} {
		g := loadReal512(b, n)
		frs = append(frs, fr{n, DefaultOptions(), g.Pix, 512, 512})
	}
	sky := testSky(t)
	o := render.DefaultOptions()
	o.Attitude = geom.Attitude{RA: 84, Dec: -1, Roll: 30}
	o.HotPixels = 20
	f, _ := sky.Render(o)
	frs = append(frs, fr{"rend-s8", DefaultOptions(), f.Gray.Pix, 512, 512})
	frs = append(frs, fr{"rend-s5", Options{Sigma: 5}, f.Gray.Pix, 512, 512})
	frs = append(frs, fr{"rend-b1", Options{Binning: 1}, f.Gray.Pix, 512, 512})
	for _, x := range frs {
		d := New(x.o)
		var ts []time.Duration
		for k := 0; k < 1500; k++ {
			t0 := time.Now()
			d.DetectGray(x.pix, x.w, x.h, x.w)
			ts = append(ts, time.Since(t0))
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		fmt.Printf("%-24s min %6.1f µs  p10 %6.1f  p50 %6.1f\n", x.name, float64(ts[0].Nanoseconds())/1e3, float64(ts[len(ts)/10].Nanoseconds())/1e3, float64(ts[len(ts)/2].Nanoseconds())/1e3)
	}
}

func TestZZStages(t *testing.T) {
	if os.Getenv("DETECT_TIME") == "" {
		t.Skip()
	}
	b := &testing.B{}
	g := loadReal512(b, "pifinder_debug_01.png")
	sky := testSky(t)
	o := render.DefaultOptions()
	o.Attitude = geom.Attitude{RA: 84, Dec: -1, Roll: 30}
	o.HotPixels = 20
	f, _ := sky.Render(o)
	for _, x := range []struct {
		n   string
		pix []uint8
		o   Options
	}{{"debug01", g.Pix, DefaultOptions()}, {"rend-s8", f.Gray.Pix, DefaultOptions()}, {"rend-s5", f.Gray.Pix, Options{Sigma: 5}}} {
		d := New(x.o)
		d.DetectGray(x.pix, 512, 512, 512)
		mn := func(fn func()) float64 {
			best := time.Hour
			for k := 0; k < 1000; k++ {
				t0 := time.Now()
				fn()
				best = min(best, time.Since(t0))
			}
			return float64(best.Nanoseconds()) / 1e3
		}
		tb := mn(func() { d.setup(512, 512, 255); d.bin8(x.pix, 512) })
		te := mn(func() { d.estimate() })
		tc := mn(func() { d.cands = d.cands[:0]; d.findCands() })
		tr := mn(func() {
			d.setup(512, 512, 255)
			d.cands = d.cands[:0]
			d.findCands()
			slices.SortFunc(d.cands, func(a, b cand) int { return int(b.v - a.v) })
			for _, c := range d.cands {
				refine(d, x.pix, 512, int(c.x), int(c.y))
			}
		})
		fmt.Printf("%s: setup+bin8 %.1f estimate %.1f findCands %.1f (%d) setup+cands+refine %.1f\n", x.n, tb, te, tc, len(d.cands), tr)
	}
}

func TestZZEst(t *testing.T) {
	if os.Getenv("DETECT_TIME") == "" {
		t.Skip()
	}
	g := loadReal512(&testing.B{}, "pifinder_debug_01.png")
	d := New(DefaultOptions())
	d.DetectGray(g.Pix, 512, 512, 512)
	mn := func(fn func()) float64 {
		best := time.Hour
		for k := 0; k < 2000; k++ {
			t0 := time.Now()
			fn()
			best = min(best, time.Since(t0))
		}
		return float64(best.Nanoseconds()) / 1e3
	}
	a := mn(func() { d.noiseHist(1) })
	b := mn(func() {
		for ty := 0; ty < d.th; ty++ {
			for tx := 0; tx < d.tw; tx++ {
				d.tileBG[ty*d.tw+tx] = float32(d.tileMean(tx, ty, 1.2))
			}
		}
	})
	c := mn(func() { d.estimate() })
	e := mn(func() {})
	fmt.Printf("noise %.1f tiles %.1f estimate %.1f empty %.2f\n", a, b, c, e)
}
