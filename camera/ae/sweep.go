package ae

import "math"

// SweepExposures returns n exposures log-spaced from minUS to maxUS
// inclusive, truncated to whole µs (numpy.logspace then int).
func SweepExposures(n int, minUS, maxUS int64) []int64 {
	if n <= 0 || minUS <= 0 || maxUS <= 0 {
		return nil
	}
	if n == 1 {
		return []int64{minUS}
	}
	a, b := math.Log10(float64(minUS)), math.Log10(float64(maxUS))
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(math.Pow(10, a+(b-a)*float64(i)/float64(n-1)))
	}
	return out
}
