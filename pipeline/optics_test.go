package pipeline

import (
	"math"
	"testing"
)

// T6: the optics table of reference §4.2.
func TestResolveOptics(t *testing.T) {
	cases := []struct {
		sensor, lens string
		fov, tol     float64
		wantLens     string
		warn         bool
	}{
		{"imx296", "12mm", 17.78, 0.05, "12mm", false},
		{"imx296", "", 13.71, 0.03, "16mm", false},
		{"imx462", "", 10.38, 0.03, "16mm", false},
		{"hq", "", 10.34, 0.03, "25mm", false},
		{"imx296", "40mm", 13.71, 0.03, "16mm", true},
		{"none", "", 13.71, 0.03, "16mm", true},
	}
	for _, c := range cases {
		o, warn := ResolveOptics(c.sensor, c.lens)
		if math.Abs(o.FOV-c.fov) > c.tol || o.Lens != c.wantLens || (warn != "") != c.warn {
			t.Errorf("%s+%q: %+v warn %q, want fov %.2f lens %s", c.sensor, c.lens, o, warn, c.fov, c.wantLens)
		}
		fov, maxErr := o.Gate()
		if fov != o.FOV || math.Abs(maxErr-0.15*o.FOV) > 1e-12 {
			t.Errorf("gate %v ± %v", fov, maxErr)
		}
		// Every shipped default gate overlaps the 8.3°-22.2° database.
		if fov+maxErr < 8.3 || fov-maxErr > 22.2 {
			t.Errorf("gate of %s+%s misses the database range", c.sensor, c.lens)
		}
	}
}
