package targets

import (
	"testing"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/planets"
)

var (
	sinkM []Match
	sinkG Guidance
	sinkN []Near
)

func benchSearch(b *testing.B, qs ...string) {
	c := catalog(b)
	i := 0
	for b.Loop() {
		m, err := c.Search(Query{Text: qs[i%len(qs)], Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		sinkM = m
		i++
	}
}

// BenchmarkSearchExact: typical complete spellings.
func BenchmarkSearchExact(b *testing.B) {
	benchSearch(b, "M31", "ngc 224", "Andromeda Galaxy", "Vega", "alpha Lyr", "Jupiter")
}

// BenchmarkSearchPrefix: the first letters typed, the worst case (one
// letter matches thousands of keys).
func BenchmarkSearchPrefix(b *testing.B) { benchSearch(b, "n", "ngc", "p", "m", "a") }

func BenchmarkNearby(b *testing.B) {
	c := catalog(b)
	for b.Loop() {
		n, err := c.Nearby(10.68, 41.27, 2, Nearest, Filter{}, 20)
		if err != nil {
			b.Fatal(err)
		}
		sinkN = n
	}
}

func benchGuide(b *testing.B, m Mount) {
	in := GuideInput{Aligned: geom.Attitude{RA: 10, Dec: 40, Roll: 30}, TargetRA: 12, TargetDec: 41,
		Site: brussels, Time: evening, Mount: m,
		Camera: geom.Attitude{RA: 10.1, Dec: 40.1, Roll: 30}, Frame: geom.Camera{W: 512, H: 512, FOV: 10}}
	for b.Loop() {
		g, err := Guide(in)
		if err != nil {
			b.Fatal(err)
		}
		sinkG = g
	}
}

func BenchmarkGuideAltAz(b *testing.B)      { benchGuide(b, AltAz) }
func BenchmarkGuideEquatorial(b *testing.B) { benchGuide(b, Equatorial) }

// BenchmarkGuideMoon adds resolving a moving target, as a caller that
// recomputes the Moon's place on every update would.
func BenchmarkGuideMoon(b *testing.B) {
	moon := BodyTarget(planets.Moon)
	for b.Loop() {
		ra, dec, err := moon.Position(evening, brussels)
		if err != nil {
			b.Fatal(err)
		}
		g, err := Guide(GuideInput{Aligned: geom.Attitude{RA: ra + 1, Dec: dec}, TargetRA: ra, TargetDec: dec, Site: brussels, Time: evening})
		if err != nil {
			b.Fatal(err)
		}
		sinkG = g
	}
}

func BenchmarkRiseSetStar(b *testing.B) {
	v := mustLookup(b, catalog(b), "Vega")
	for b.Loop() {
		if _, err := RiseSet(v, brussels, evening); err != nil {
			b.Fatal(err)
		}
	}
}
