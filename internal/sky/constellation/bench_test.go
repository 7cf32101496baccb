package constellation

import "testing"

var sinkS string

func BenchmarkConstellation(b *testing.B) {
	// Cycle through a spread of positions, poles included.
	pts := [][2]float64{{88.7929, 7.4071}, {37.9546, 89.2641}, {279.2347, 38.7837}, {101.2872, -16.7161},
		{317.195, -88.956}, {2.0969, 29.0904}, {186.6496, -63.0991}, {236.067, 6.4256}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		sinkS = At(p[0], p[1])
		i++
	}
}
