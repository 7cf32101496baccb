package planets

import (
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
)

var sinkP Position

func benchBody(b *testing.B, body Body) {
	ts := time.Date(2026, 12, 24, 20, 0, 0, 0, time.UTC)
	obs := astro.Observer{LatDeg: 50.85, LonDeg: 4.35}
	for b.Loop() {
		p, err := At(body, ts, obs)
		if err != nil {
			b.Fatal(err)
		}
		sinkP = p
	}
}

func BenchmarkAtSun(b *testing.B)    { benchBody(b, Sun) }
func BenchmarkAtMoon(b *testing.B)   { benchBody(b, Moon) }
func BenchmarkAtSaturn(b *testing.B) { benchBody(b, Saturn) }
