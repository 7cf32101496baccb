package detect

import (
	"fmt"
	"math"
	"testing"

	"github.com/pifinder-go/pifinder/solver/catalog"
	"github.com/pifinder-go/pifinder/solver/render"
)

func TestDbgFaint(t *testing.T) {
	var cat []catalog.Star
	for i := 0; i < 100; i++ {
		cat = append(cat, catalog.Star{HIP: i + 1, RA: math.Mod(360+float64(i%10-5)*0.9+0.013*float64(i), 360), Dec: float64(i/10-5)*0.9 + 0.007*float64(i), Vmag: 6.75})
	}
	sky := render.NewSky(cat, 2000)
	o := render.DefaultOptions()
	o.FWHMPx = 2
	det := New(Options{Sigma: 5})
	found, n := 0, 0
	var snr float64
	var stats, ideal, missIdeal []float64
	for seed := uint64(0); seed < 10; seed++ {
		o.Seed = seed
		f, _ := sky.Render(o)
		var log []string
		traceReject = func(x, y int, why string) { log = append(log, fmt.Sprintf("%d %d %s", x, y, why)) }
		res, _ := det.Detect(f.Gray)
		traceReject = nil
		idx, _ := match(f.Stars, res.Stars, 1.5, 2.5)
		for i, ts := range f.Stars {
			var S, w2 float64
			for y := int(ts.Y) - 4; y <= int(ts.Y)+4; y++ {
				for x := int(ts.X) - 4; x <= int(ts.X)+4; x++ {
					dx, dy := float64(x)+0.5-ts.X, float64(y)+0.5-ts.Y
					w := math.Exp(-(dx*dx + dy*dy) / (2 * 0.85 * 0.85))
					S += w * (float64(f.Gray.Pix[y*512+x]) - 15)
					w2 += w * w
				}
			}
			ideal = append(ideal, S/(2.914*math.Sqrt(w2)))
			if idx[i] < 0 {
				missIdeal = append(missIdeal, S/(2.914*math.Sqrt(w2)))
				if S/(2.914*math.Sqrt(w2)) > 6 {
					var near []string
					for _, l := range log {
						var x, y int
						fmt.Sscanf(l, "%d %d", &x, &y)
						if math.Hypot(float64(x)+0.5-ts.X, float64(y)+0.5-ts.Y) < 4 {
							near = append(near, l)
						}
					}
					t.Logf("miss at %.1f,%.1f ideal %.1f: %v", ts.X, ts.Y, S/(2.914*math.Sqrt(w2)), near)
				}
			}
			n++
			snr = ts.SNR
			if idx[i] >= 0 {
				found++
				continue
			}
			for _, l := range log {
				var x, y int
				var w string
				var v float64
				fmt.Sscanf(l, "%d %d %s %g", &x, &y, &w, &v)
				if math.Hypot(float64(x)+0.5-ts.X, float64(y)+0.5-ts.Y) < 2 && w == "weak" {
					stats = append(stats, v)
				}
			}
		}
		if seed == 0 {
			t.Logf("noise %.3f", res.Noise)
		}
	}
	m, v := 0.0, 0.0
	for _, x := range ideal {
		m += x
	}
	m /= float64(len(ideal))
	for _, x := range ideal {
		v += (x - m) * (x - m)
	}
	t.Logf("ideal MF mean %.2f sd %.2f; missed ideal %.1f", m, math.Sqrt(v/float64(len(ideal))), missIdeal)
	t.Logf("snr %.2f found %d/%d weak stats %v", snr, found, n, stats)
}
