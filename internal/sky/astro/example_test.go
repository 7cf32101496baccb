package astro_test

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
)

func ExampleAltAz() {
	hamburg := astro.Observer{LatDeg: 53.55, LonDeg: 10.0, HeightM: 20}
	when := time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC)
	alt, az := astro.AltAz(279.2347, 38.7837, hamburg, when, astro.StandardWeather()) // Vega
	fmt.Printf("Vega alt %.3f° az %.3f°\n", alt, az)
	alt, _ = astro.AltAz(279.2347, 38.7837, hamburg, when, astro.Weather{})
	fmt.Printf("without refraction alt %.3f°\n", alt)
	// Output:
	// Vega alt 71.100° az 225.782°
	// without refraction alt 71.094°
}

func ExampleJNow() {
	when := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	ra, dec := astro.JNow(45.0, -0.5, when)
	fmt.Printf("JNow %.4f %.4f\n", ra, dec)
	ra, dec = astro.J2000FromJNow(ra, dec, when)
	fmt.Printf("back %.4f %.4f\n", ra, dec)
	// Output:
	// JNow 45.3460 -0.3924
	// back 45.0000 -0.5000
}

func ExampleLocalSiderealTime() {
	when := time.Date(2025, 6, 28, 11, 0, 0, 0, time.UTC)
	fmt.Printf("LST %.2f°\n", astro.LocalSiderealTime(-120.97, when))
	// Output: LST 320.83°
}
