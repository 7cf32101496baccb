package integrator

import (
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/constellation"
	"github.com/pifinder-go/pifinder/state"
)

// defaultAltAz is PiFinder's Alt/Az: ERFA-equivalent ICRS→observed with
// refraction at standard weather, observer height = location altitude.
func defaultAltAz(raDeg, decDeg float64, loc state.Location, t time.Time) (altDeg, azDeg float64) {
	obs := astro.Observer{LatDeg: loc.Lat, LonDeg: loc.Lon, HeightM: loc.AltitudeM}
	return astro.AltAz(raDeg, decDeg, obs, t, astro.StandardWeather())
}

func defaultConstellation(raDeg, decDeg float64) string { return constellation.At(raDeg, decDeg) }
