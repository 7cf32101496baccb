package astro

import (
	"math"
	"testing"
)

// altaz tolerances: the hard limit of the task is 1 arcmin; the model
// reaches a fraction of an arcsecond, so fail well before the limit.
const altazTolArcsec = 2.0

func checkAltAz(t *testing.T, c altazCase) (dAlt, dAz float64) {
	w := Weather{}
	if c.refraction {
		w = StandardWeather()
	}
	alt, az := AltAz(c.ra, c.dec, Observer{LatDeg: c.lat, LonDeg: c.lon, HeightM: c.h}, parseUTC(t, c.utc), w)
	dAlt = math.Abs(alt-c.alt) * 3600
	dAz = math.Abs(azDiff(az, c.az)) * 3600
	// Azimuth error measured on the sky (× cos alt) as well as raw.
	if dAlt > altazTolArcsec || dAz*math.Cos(c.alt*d2r) > altazTolArcsec {
		t.Errorf("%s refr=%v: got alt %.5f az %.5f, ERFA alt %.5f az %.5f (Δalt %.2f\", Δaz %.2f\")",
			c.name, c.refraction, alt, az, c.alt, c.az, dAlt, dAz)
	}
	return dAlt, dAz
}

func TestAltAzEmbeddedCases(t *testing.T) {
	var wAlt, wAz float64
	for _, c := range altazCases {
		name := c.name + map[bool]string{true: "/refraction", false: "/geometric"}[c.refraction]
		t.Run(name, func(t *testing.T) {
			a, z := checkAltAz(t, c)
			wAlt, wAz = math.Max(wAlt, a), math.Max(wAz, z)
		})
	}
	t.Logf("max error vs ERFA atco13: alt %.3f\", az %.3f\"", wAlt, wAz)
}

func TestAltAzReferenceCSV(t *testing.T) {
	rows := readCSV(t, "altaz-cases.csv")
	if len(rows) == 0 {
		t.Fatal("altaz-cases.csv has no rows")
	}
	var wAlt, wAz float64
	for _, r := range rows {
		c := altazCase{name: r["case"], ra: num(t, r, "ra_deg"), dec: num(t, r, "dec_deg"),
			lat: num(t, r, "lat_deg"), lon: num(t, r, "lon_deg"), h: num(t, r, "height_m"), utc: r["utc"],
			refraction: r["refraction"] == "yes", alt: num(t, r, "alt_deg"), az: num(t, r, "az_deg")}
		t.Run(c.name+"/"+r["refraction"], func(t *testing.T) {
			a, z := checkAltAz(t, c)
			wAlt, wAz = math.Max(wAlt, a), math.Max(wAz, z)
		})
	}
	t.Logf("max error vs altaz-cases.csv (%d rows): alt %.3f\", az %.3f\"", len(rows), wAlt, wAz)
}

func TestRefco(t *testing.T) {
	// Standard conditions give A ≈ 57.5", B ≈ −0.067" (ERFA refco).
	a, b := refco(StandardWeather())
	if a*r2d*3600 < 55 || a*r2d*3600 > 60 || b*r2d*3600 > -0.05 || b*r2d*3600 < -0.09 {
		t.Errorf("refco = %.4f\", %.5f\"", a*r2d*3600, b*r2d*3600)
	}
	if a, b := refco(Weather{}); a != 0 || b != 0 {
		t.Errorf("refco(no pressure) = %g, %g, want 0", a, b)
	}
}

func TestT18SkyMath(t *testing.T) {
	// T18: observer 41.13 N, 120.97 W, 1315 m at 2025-06-28 11:00 UTC.
	when := parseUTC(t, "2025-06-28T11:00:00")
	obs := Observer{LatDeg: 41.13, LonDeg: -120.97, HeightM: 1315}
	lst := LocalSiderealTime(obs.LonDeg, when)
	if math.Abs(azDiff(lst, 320.83)) > 0.02 {
		t.Errorf("LST = %.4f°, want ≈320.83°", lst)
	}
	alt, az := AltAz(320.83, 0, obs, when, StandardWeather())
	if math.Abs(alt-48.87) > 0.5 || math.Abs(azDiff(az, 180)) > 0.5/math.Cos(alt*d2r) {
		t.Errorf("AltAz = (%.3f, %.3f), want within 0.5° of (48.87, 180)", alt, az)
	}
	t.Logf("LST %.4f°, GMST %.4f°, Alt %.4f° Az %.4f°", lst, GMST(when), alt, az)
}

func TestAltAzProperties(t *testing.T) {
	when := parseUTC(t, "2026-03-20T12:00:00")
	for _, o := range []Observer{{90, 0, 0}, {-90, 0, 0}, {0, 0, 0}, {53.55, 10, 20}, {-33.9, 18.4, 10}} {
		for ra := 0.0; ra < 360; ra += 45 {
			for dec := -90.0; dec <= 90; dec += 30 {
				for _, w := range []Weather{{}, StandardWeather()} {
					alt, az := AltAz(ra, dec, o, when, w)
					if math.IsNaN(alt) || math.IsNaN(az) || alt < -90 || alt > 90 || az < 0 || az >= 360 {
						t.Fatalf("AltAz(%g,%g,%+v,%+v) = (%g, %g) out of range", ra, dec, o, w, alt, az)
					}
				}
			}
		}
	}
	// The celestial pole stands at the observer's latitude (within
	// precession since J2000 and refraction).
	alt, _ := AltAz(0, 90, Observer{LatDeg: 45}, when, Weather{})
	if math.Abs(alt-45) > 0.25 {
		t.Errorf("pole altitude at 45° N = %.3f", alt)
	}
}
