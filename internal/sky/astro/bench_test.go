package astro

import (
	"testing"
	"time"
)

var sinkF float64

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
