package solver

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

func TestWahbaRecoversRotation(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 50; i++ {
		att := randomAttitude(rng)
		a := fromAttitude(att)
		var b, r []vec3
		for j := 0; j < 4; j++ {
			v := unit(vec3{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()})
			r = append(r, v)
			b = append(b, a.mul(v))
		}
		got := geom.AttitudeOf((&model{a: wahba(b, r)}).rotation())
		if geom.Separation(got.RA, got.Dec, att.RA, att.Dec) > 1e-9 || math.Abs(math.Remainder(got.Roll-att.Roll, 360)) > 1e-7 {
			t.Fatalf("wahba: got %+v, want %+v", got, att)
		}
	}
}

func TestBinomTail(t *testing.T) {
	cases := []struct {
		n, k int
		p    float64
	}{{10, 0, 0.3}, {10, 3, 0.3}, {10, 10, 0.3}, {50, 7, 0.01}, {5, 6, 0.5}, {20, 4, 0}}
	for _, tc := range cases {
		want := 0.0
		for i := tc.k; i <= tc.n; i++ {
			c := math.Exp(lchoose(tc.n, i))
			want += c * math.Pow(tc.p, float64(i)) * math.Pow(1-tc.p, float64(tc.n-i))
		}
		if tc.k <= 0 {
			want = 1
		}
		if got := binomTail(tc.n, tc.k, tc.p); math.Abs(got-want) > 1e-12*math.Max(1, want) && math.Abs(got/want-1) > 1e-9 {
			t.Errorf("binomTail(%d, %d, %g) = %g, want %g", tc.n, tc.k, tc.p, got, want)
		}
	}
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

func TestDistortionRoundTrip(t *testing.T) {
	for _, k := range []float64{-0.01, -0.003, 0, 0.002, 0.01} {
		m := model{k: k, w: 512, h: 512, s: scaleFor(10, 512)}
		for _, p := range [][2]float64{{0, 0}, {100, -50}, {255, 255}, {-250, 10}} {
			ux, uy := m.undistort(p[0], p[1])
			dx, dy := m.distort(ux, uy)
			if math.Hypot(dx-p[0], dy-p[1]) > 1e-6 {
				t.Errorf("k=%g: distort(undistort(%v)) = (%g, %g) via (%g, %g), want %v back (±1e-6 px)", k, p, dx, dy, ux, uy, p)
			}
			x, y := m.pixelFast(ux, uy)
			if math.Hypot(256-x-p[0], 256-y-p[1]) > 0.01 {
				t.Errorf("k=%g: pixelFast(undistort(%v)) = pixel (%g, %g), want (%g, %g) (±0.01 px)", k, p, x, y, 256-p[0], 256-p[1])
			}
		}
	}
}
