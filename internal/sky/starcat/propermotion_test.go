package starcat

import (
	"math"
	"testing"
)

const (
	masToRad = math.Pi / (180 * 3600 * 1000)
	radToAS  = 180 * 3600 / math.Pi
)

// embeddedStar returns the embedded catalogue's entry for hip.
func embeddedStar(t *testing.T, hip int) Star {
	t.Helper()
	stars, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stars {
		if s.HIP == hip {
			return s
		}
	}
	t.Fatalf("HIP %d is not in the embedded catalogue", hip)
	return Star{}
}

// spaceMotion moves s to epoch by rigorous propagation of a star at
// infinity (ERFA pmsafe with zero parallax and radial velocity): the
// direction p₀ + Δt·(μα*·ê_α + μδ·ê_δ), normalised, with ê_α and ê_δ the
// unit vectors towards east and north at the catalogue position. It uses
// no RA/Dec increments, no cos δ division and not the package's Epoch (the
// catalogue README's 2000.0 is written out), so it is independent of
// Star.At.
func spaceMotion(s Star, epoch float64) (ra, dec float64) {
	a, d := s.RA*math.Pi/180, s.Dec*math.Pi/180
	sa, ca := math.Sincos(a)
	sd, cd := math.Sincos(d)
	p := [3]float64{cd * ca, cd * sa, sd}
	east := [3]float64{-sa, ca, 0}
	north := [3]float64{-sd * ca, -sd * sa, cd}
	dt := epoch - 2000.0
	ma, md := s.PMRA*masToRad*dt, s.PMDec*masToRad*dt
	var q [3]float64
	for i := range q {
		q[i] = p[i] + ma*east[i] + md*north[i]
	}
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2])
	ra = math.Atan2(q[1], q[0]) * 180 / math.Pi
	if ra < 0 {
		ra += 360
	}
	return ra, math.Asin(q[2]/n) * 180 / math.Pi
}

// sepArcsec is the angle between two RA/Dec positions in arcsec.
func sepArcsec(ra1, dec1, ra2, dec2 float64) float64 {
	a, b := Vector(ra1, dec1), Vector(ra2, dec2)
	cx := a[1]*b[2] - a[2]*b[1]
	cy := a[2]*b[0] - a[0]*b[2]
	cz := a[0]*b[1] - a[1]*b[0]
	return math.Atan2(math.Sqrt(cx*cx+cy*cy+cz*cz), a[0]*b[0]+a[1]*b[1]+a[2]*b[2]) * radToAS
}

// TestProperMotionConvention checks that pmra_mas_yr is μα* = μα·cos δ, as
// ../shared/catalog/README.md says, on β Hydri (HIP 2021, δ −77.25°, one of
// the largest RA proper motions in the catalogue): SIMBAD, which tabulates
// μα·cos δ, gives +2219.54 mas/yr (Hipparcos-2) for it. Were the column μα,
// the catalogue's 2219.57 would be 2219.57·cos δ = 490 mas/yr in that
// convention, and Star.At would have to multiply by cos δ instead of
// dividing.
func TestProperMotionConvention(t *testing.T) {
	for _, c := range []struct {
		name               string
		hip                int
		pmra, pmdec, tolPM float64 // published μα* and μδ, mas/yr
	}{
		{"β Hyi", 2021, 2219.54, 324.09, 0.1},
	} {
		s := embeddedStar(t, c.hip)
		if !s.HasPM || math.Abs(s.PMRA-c.pmra) > c.tolPM || math.Abs(s.PMDec-c.pmdec) > c.tolPM {
			t.Errorf("%s (HIP %d): catalogue proper motion (%.2f, %.2f) mas/yr, want the published μα* = %.2f, μδ = %.2f (±%.1f)",
				c.name, c.hip, s.PMRA, s.PMDec, c.pmra, c.pmdec, c.tolPM)
		}
	}
}

// TestAtHighDeclination moves stars near the poles with large RA proper
// motions, where the cos δ of μα* matters most (1/cos δ = 4.5 for β Hyi,
// 5.9 for HIP 38784, 77 for Polaris), and compares Star.At with two
// independent computations:
//
//   - values derived by hand from the catalogue entry with the README's
//     formula, Δδ = μδ·Δt/3.6e6 and Δα = μα*·Δt/(3.6e6·cos δ) degrees.
//     For β Hyi (6.4378, −77.2542; μα* 2219.57, μδ 324.06 mas/yr) to
//     2026.0: Δδ = 324.06·26/3.6e6 = 0.0023404°, δ = −77.2518596°;
//     cos δ = 0.2206259, Δα = 2219.57·26/3.6e6/0.2206259 = 0.0726579°,
//     α = 6.5104579°. At must reproduce these to 1e-6° (it implements that
//     formula; a switch to rigorous propagation would move α by 1.3e-5°).
//   - rigorous space motion (spaceMotion). The README's linear formula
//     departs from the great circle the star follows by the second-order
//     terms ½·(μα*·Δt)²·tan δ in Dec and μα*·μδ·Δt²·tan δ in RA·cos δ,
//     under (μΔt)²·|tan δ| in all (0.037" for β Hyi over 26 years); At must
//     agree with the rigorous position within that bound.
//
// Dropping the cos δ (or dividing by it twice) moves β Hyi by 45" (205")
// over 26 years, far beyond either tolerance.
func TestAtHighDeclination(t *testing.T) {
	for _, c := range []struct {
		name    string
		hip     int
		epoch   float64
		handRA  float64 // by hand, see above; NaN: not derived
		handDec float64
	}{
		{"β Hyi to 2026.0", 2021, 2026, 6.5104579, -77.2518596},
		{"β Hyi back to 1991.25", 2021, 1991.25, math.NaN(), math.NaN()},
		{"β Hyi to 2050.0", 2021, 2050, math.NaN(), math.NaN()},
		{"HIP 38784 (δ +80.3°, μα* −476 mas/yr) to 2026.0", 38784, 2026, math.NaN(), math.NaN()},
		{"Polaris (δ +89.26°) to 2026.0", 11767, 2026, math.NaN(), math.NaN()},
		{"Polaris back to 1900", 11767, 1900, math.NaN(), math.NaN()},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := embeddedStar(t, c.hip)
			got := s.At(c.epoch)
			if !math.IsNaN(c.handRA) {
				if math.Abs(got.RA-c.handRA) > 1e-6 || math.Abs(got.Dec-c.handDec) > 1e-6 {
					t.Errorf("At(%g) = (%.7f, %.7f), want (%.7f, %.7f) derived by hand from the catalogue entry (±1e-6°)",
						c.epoch, got.RA, got.Dec, c.handRA, c.handDec)
				}
			}
			ra, dec := spaceMotion(s, c.epoch)
			mu := math.Hypot(s.PMRA, s.PMDec) * masToRad * math.Abs(c.epoch-2000)
			tol := mu*mu*math.Abs(math.Tan(s.Dec*math.Pi/180))*radToAS + 1e-4
			moved := sepArcsec(s.RA, s.Dec, ra, dec)
			d := sepArcsec(got.RA, got.Dec, ra, dec)
			t.Logf("moved %.2f\", %.4f\" from the rigorous position (bound %.4f\")", moved, d, tol)
			if d > tol {
				t.Errorf("At(%g) = (%.7f, %.7f), rigorous space motion gives (%.7f, %.7f): %.4f\" apart, want ≤ %.4f\" (the linear model's second-order terms); the star moved %.2f\"",
					c.epoch, got.RA, got.Dec, ra, dec, d, tol, moved)
			}
		})
	}
}
