package gps_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/hw/gps"
)

// A TPV report of a 3-D fix, as gpsd sends it.
func ExampleParseReport() {
	r, err := gps.ParseReport([]byte(`{"class":"TPV","mode":3,"time":"2026-03-15T20:30:08.000Z","lat":50.85,"lon":4.35,"altMSL":76.0,"eph":4.2}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s mode %d at %.2f, %.2f, %.0f m ±%.1f m, %s\n", r.Class, r.TPV.Mode, r.TPV.Lat, r.TPV.Lon, r.TPV.AltMSL, r.TPV.EphM, r.TPV.Time.Format("15:04:05"))
	// Output: TPV mode 3 at 50.85, 4.35, 76 m ±4.2 m, 20:30:08
}
