package detect

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pifinder-go/pifinder/solver/catalog"
	"github.com/pifinder-go/pifinder/solver/render"
)

func TestDbgBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cat []catalog.Star
	for i := 0; i < 300; i++ {
		cat = append(cat, catalog.Star{HIP: i + 1, RA: math.Mod(360+(rng.Float64()-0.5)*9, 360), Dec: (rng.Float64() - 0.5) * 9, Vmag: 4 + rng.Float64()*3})
	}
	sky := render.NewSky(cat, 2000)
	det := New(Options{Sigma: 5})
	for _, nonoise := range []bool{true, false} {
		for _, fw := range []float64{1.5, 2.0, 2.5} {
			var sdx, sdy, n, s2 float64
			var ph [4][2]float64
			for k := 0; k < 20; k++ {
				o := render.DefaultOptions()
				o.FWHMPx = fw
				o.Seed = uint64(k)
				o.NoNoise = nonoise
				f, _ := sky.Render(o)
				res, _ := det.Detect(f.Gray)
				idx, _ := match(f.Stars, res.Stars, 1.5, 2.5)
				for i, ts := range f.Stars {
					if idx[i] < 0 || ts.SNR < 20 || ts.SNR > 40 || ts.Saturated {
						continue
					}
					crowded := false
				for j, o2 := range f.Stars {
					if j != i && math.Hypot(o2.X-ts.X, o2.Y-ts.Y) < 8 {
						crowded = true
					}
				}
				if crowded {
					continue
				}
				s := res.Stars[idx[i]]
					dx, dy := s.X-ts.X, s.Y-ts.Y
					sdx += dx
					sdy += dy
					s2 += dx*dx + dy*dy
					n++
					p := ts.X - math.Floor(ts.X)
					b := int(p * 4)
					ph[b][0] += dx
					ph[b][1]++
				}
			}
			t.Logf("nonoise %v fwhm %.1f n %v mean dx %.4f dy %.4f rms %.4f phase-bias %.3f %.3f %.3f %.3f", nonoise, fw, n, sdx/n, sdy/n, math.Sqrt(s2/n), ph[0][0]/ph[0][1], ph[1][0]/ph[1][1], ph[2][0]/ph[2][1], ph[3][0]/ph[3][1])
		}
	}
}
