package planets_test

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/planets"
)

func ExampleAt() {
	brussels := astro.Observer{LatDeg: 50.85, LonDeg: 4.35, HeightM: 60}
	t := time.Date(2026, 12, 24, 20, 0, 0, 0, time.UTC)
	p, err := planets.At(planets.Jupiter, t, brussels)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Jupiter: RA %.2f° Dec %+.2f°, altitude %.1f°\n", p.RA, p.Dec, p.Alt)
	// Output:
	// Jupiter: RA 148.97° Dec +13.56°, altitude -2.6°
}
