package integrator

import (
	"time"

	"github.com/pifinder-go/pifinder/integrator/skymath"
	"github.com/pifinder-go/pifinder/state"
)

// defaultAltAz is PiFinder's Alt/Az: ERFA-equivalent ICRS→observed with
// refraction at standard weather, observer height = location altitude.
func defaultAltAz(raDeg, decDeg float64, loc state.Location, t time.Time) (altDeg, azDeg float64) {
	obs := skymath.Observer{LatDeg: loc.Lat, LonDeg: loc.Lon, HeightM: loc.AltitudeM}
	return skymath.AltAz(raDeg, decDeg, obs, t, skymath.StandardWeather())
}

func defaultConstellation(raDeg, decDeg float64) string { return skymath.Constellation(raDeg, decDeg) }
