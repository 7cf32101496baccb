package skymath

import (
	"testing"
	"time"
)

var sinkF float64
var sinkS string

func BenchmarkAltAz(b *testing.B) {
	when := time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC)
	obs := Observer{LatDeg: 53.55, LonDeg: 10, HeightM: 20}
	w := StandardWeather()
	b.ReportAllocs()
	for b.Loop() {
		alt, az := AltAz(279.2347, 38.7837, obs, when, w)
		sinkF += alt + az
	}
}

func BenchmarkJNow(b *testing.B) {
	when := time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		ra, dec := JNow(279.2347, 38.7837, when)
		sinkF += ra + dec
	}
}

func BenchmarkConstellation(b *testing.B) {
	// Cycle through a spread of positions, poles included.
	pts := [][2]float64{{88.7929, 7.4071}, {37.9546, 89.2641}, {279.2347, 38.7837}, {101.2872, -16.7161},
		{317.195, -88.956}, {2.0969, 29.0904}, {186.6496, -63.0991}, {236.067, 6.4256}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		sinkS = Constellation(p[0], p[1])
		i++
	}
}
