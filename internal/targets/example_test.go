package targets_test

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
)

func ExampleCatalog_Search() {
	c, err := targets.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range []string{"m 31", "NGC224", "alpha Lyr", "Jupiter"} {
		m, err := c.Search(targets.Query{Text: q, Limit: 1})
		if err != nil || len(m) == 0 {
			fmt.Println(q, "not found", err)
			continue
		}
		fmt.Printf("%-9s → %s\n", q, m[0].Target.Name())
	}
	// Output:
	// m 31      → M 31 Andromeda Galaxy
	// NGC224    → M 31 Andromeda Galaxy
	// alpha Lyr → Vega
	// Jupiter   → Jupiter
}

func ExampleGuide() {
	c, _ := targets.Default()
	m51, _ := c.Lookup("M 51")
	site := astro.Observer{LatDeg: 50.85, LonDeg: 4.35}
	at := time.Date(2026, 4, 15, 22, 0, 0, 0, time.UTC)
	ra, dec, _ := m51.Position(at, site)
	// The eyepiece points 3° south and a little west of M 51.
	g, err := targets.Guide(targets.GuideInput{
		Aligned:  geom.Attitude{RA: ra - 2, Dec: dec - 3, Roll: 0},
		TargetRA: ra, TargetDec: dec, Site: site, Time: at, Mount: targets.Equatorial,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ew, ns := g.Directions()
	fmt.Printf("%.2f° away: %.2f° %s, %.2f° %s; on screen %.0f° from up\n", g.SeparationDeg, g.RADeg, ew, g.DecDeg, ns, g.FrameAngleDeg)
	// Output:
	// 3.31° away: 1.99° east, 3.00° north; on screen 24° from up
}

func ExampleRiseSet() {
	c, _ := targets.Default()
	site := astro.Observer{LatDeg: 50.85, LonDeg: 4.35}
	at := time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"Sirius", "Vega"} {
		tg, _ := c.Lookup(name)
		v, err := targets.RiseSet(tg, site, at)
		if err != nil {
			fmt.Println(err)
			return
		}
		if v.Circumpolar {
			fmt.Printf("%s: now %.1f°, circumpolar, transit %s UTC at %.1f°\n", name, v.AltDeg, v.Transit.Format("15:04"), v.TransitAltDeg)
			continue
		}
		fmt.Printf("%s: now %.1f°, rises %s, transit %s at %.1f°, sets %s UTC\n", name, v.AltDeg,
			v.Rise.Format("15:04"), v.Transit.Format("15:04"), v.TransitAltDeg, v.Set.Format("15:04"))
	}
	// Output:
	// Sirius: now -55.7°, rises 19:38, transit 00:14 at 22.4°, sets 04:51 UTC
	// Vega: now 77.9°, circumpolar, transit 12:08 UTC at 78.0°
}
