package skymath_test

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/integrator/skymath"
)

func ExampleAltAz() {
	hamburg := skymath.Observer{LatDeg: 53.55, LonDeg: 10.0, HeightM: 20}
	when := time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC)
	alt, az := skymath.AltAz(279.2347, 38.7837, hamburg, when, skymath.StandardWeather()) // Vega
	fmt.Printf("Vega alt %.3f° az %.3f°\n", alt, az)
	alt, _ = skymath.AltAz(279.2347, 38.7837, hamburg, when, skymath.Weather{})
	fmt.Printf("without refraction alt %.3f°\n", alt)
	// Output:
	// Vega alt 71.100° az 225.782°
	// without refraction alt 71.094°
}

func ExampleJNow() {
	when := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	ra, dec := skymath.JNow(45.0, -0.5, when)
	fmt.Printf("JNow %.4f %.4f\n", ra, dec)
	ra, dec = skymath.J2000FromJNow(ra, dec, when)
	fmt.Printf("back %.4f %.4f\n", ra, dec)
	// Output:
	// JNow 45.3460 -0.3924
	// back 45.0000 -0.5000
}

func ExampleLocalSiderealTime() {
	when := time.Date(2025, 6, 28, 11, 0, 0, 0, time.UTC)
	fmt.Printf("LST %.2f°\n", skymath.LocalSiderealTime(-120.97, when))
	// Output: LST 320.83°
}

func ExampleConstellation() {
	abbr := skymath.Constellation(88.7929, 7.4071) // Betelgeuse
	name, genitive, _ := skymath.ConstellationName(abbr)
	fmt.Println(abbr, name, genitive)
	fmt.Println(skymath.Constellation(0, 90), skymath.Constellation(0, -90))
	// Output:
	// Ori Orion Orionis
	// UMi Oct
}
