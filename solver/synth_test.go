package solver

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/solver/catalog"
	"github.com/pifinder-go/pifinder/solver/geom"
)

var (
	hipOnce  sync.Once
	hipStars []catalog.Star
)

// testStars returns hip8.csv at 2026 when ../shared is present, else the
// database's own stars.
func testStars(t testing.TB, s *Solver) []catalog.Star {
	hipOnce.Do(func() {
		st, err := catalog.Load("../../shared/catalog/hip8.csv")
		if err == nil {
			for i := range st {
				st[i] = st[i].At(2026)
			}
			hipStars = st
		}
	})
	if hipStars != nil {
		return hipStars
	}
	out := make([]catalog.Star, len(s.db.Stars))
	for i, d := range s.db.Stars {
		ra, dec := raDec(d.Vec)
		out[i] = catalog.Star{HIP: d.HIP, RA: ra, Dec: dec, Vmag: d.Vmag}
	}
	return out
}

type synthOpts struct {
	w, h     int
	fov      float64
	magLimit float64
	noisePx  float64
	drop     float64 // fraction of stars missed
	falseN   int     // spurious centroids
	magNoise float64
	k        float64 // radial distortion (tetra3 convention)
}

// synthCentroids projects the catalogue at att and returns centroids,
// brightest first, with position and brightness noise, dropped stars and
// spurious detections.
func synthCentroids(rng *rand.Rand, stars []catalog.Star, att geom.Attitude, o synthOpts) []Centroid {
	cam := geom.Camera{W: o.w, H: o.h, FOV: o.fov}
	bore := geom.Vector(att.RA, att.Dec)
	rad := math.Atan(cam.Scale()*math.Hypot(float64(o.w), float64(o.h))/2) * 180 / math.Pi
	cosR := math.Cos(rad * math.Pi / 180 * 1.05)
	var out []Centroid
	rot := att.Rotation()
	hw := float64(o.w) / 2
	for _, st := range stars {
		if st.Vmag > o.magLimit {
			continue
		}
		v := geom.Vector(st.RA, st.Dec)
		if v.X*bore.X+v.Y*bore.Y+v.Z*bore.Z < cosR {
			continue
		}
		x, y, ok := cam.VectorPixel(rot.ApplyT(v))
		if !ok {
			continue
		}
		if o.k != 0 {
			// invert r_u = r_d(1 − k r_d²) approximately
			px, py := float64(o.w)/2-x, float64(o.h)/2-y
			ru := math.Hypot(px, py)
			rd := ru
			for i := 0; i < 6; i++ {
				q := rd / hw
				rd -= (rd*(1-o.k*q*q) - ru) / (1 - 3*o.k*q*q)
			}
			if ru > 0 {
				px, py = px*rd/ru, py*rd/ru
			}
			x, y = float64(o.w)/2-px, float64(o.h)/2-py
		}
		if !cam.Inside(x, y) || rng.Float64() < o.drop {
			continue
		}
		m := st.Vmag + rng.NormFloat64()*o.magNoise
		out = append(out, Centroid{X: x + rng.NormFloat64()*o.noisePx, Y: y + rng.NormFloat64()*o.noisePx, Brightness: math.Pow(10, -0.4*m)})
	}
	// A detector sees stars closer than about 1.5 px as one.
	out = blend(out, 1.5)
	for i := 0; i < o.falseN; i++ {
		out = append(out, Centroid{X: rng.Float64() * float64(o.w), Y: rng.Float64() * float64(o.h), Brightness: math.Pow(10, -0.4*(4+rng.Float64()*4))})
	}
	slices.SortFunc(out, func(a, b Centroid) int {
		switch {
		case a.Brightness > b.Brightness:
			return -1
		case a.Brightness < b.Brightness:
			return 1
		}
		return 0
	})
	return out
}

func randomAttitude(rng *rand.Rand) geom.Attitude {
	return geom.Attitude{RA: rng.Float64() * 360, Dec: math.Asin(2*rng.Float64()-1) * 180 / math.Pi, Roll: rng.Float64() * 360}
}

// blend merges centroids closer than r pixels into their flux-weighted mean.
func blend(c []Centroid, r float64) []Centroid {
	for i := 0; i < len(c); i++ {
		for j := i + 1; j < len(c); j++ {
			if math.Hypot(c[i].X-c[j].X, c[i].Y-c[j].Y) < r {
				f := c[i].Brightness + c[j].Brightness
				c[i].X = (c[i].X*c[i].Brightness + c[j].X*c[j].Brightness) / f
				c[i].Y = (c[i].Y*c[i].Brightness + c[j].Y*c[j].Brightness) / f
				c[i].Brightness = f
				c = append(c[:j], c[j+1:]...)
				j--
			}
		}
	}
	return c
}
