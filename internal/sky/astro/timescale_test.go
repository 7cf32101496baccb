package astro

import (
	"math"
	"testing"
	"time"
)

func TestTAIMinusUTC(t *testing.T) {
	for _, c := range []struct {
		when time.Time
		want float64
	}{
		{time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), 10},
		{time.Date(1972, 6, 30, 23, 59, 59, 0, time.UTC), 10},
		{time.Date(1972, 7, 1, 0, 0, 0, 0, time.UTC), 11},
		{time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), 32},
		{time.Date(2016, 12, 31, 23, 59, 59, 0, time.UTC), 36},
		{time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), 37},
		{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), 37},
	} {
		if got := TAIMinusUTC(c.when); got != c.want {
			t.Errorf("TAIMinusUTC(%v) = %g, want %g", c.when, got, c.want)
		}
	}
	// Each table entry starts on the first day of a January or July.
	for _, l := range leapSeconds {
		d := time.Unix(l.from, 0).UTC()
		if d.Day() != 1 || (d.Month() != time.January && d.Month() != time.July) || d.Hour() != 0 {
			t.Errorf("leap second entry %d starts %v, want 00:00 UTC on 1 January or 1 July", l.from, d)
		}
	}
}

func TestJulianDateTT(t *testing.T) {
	// J2000.0 is 2000-01-01 12:00 TT = 11:58:55.816 UTC.
	j2000 := time.Date(2000, 1, 1, 11, 58, 55, 816e6, time.UTC)
	for _, c := range []struct {
		name string
		when time.Time
		want float64 // JD(TT)
	}{
		{"J2000.0", j2000, 2451545.0},
		// A zone other than UTC names the same instant.
		{"J2000.0 given in CET", j2000.In(time.FixedZone("CET", 3600)), 2451545.0},
		// Instants before 1970 split correctly: TT − UTC = 10 s + 32.184 s.
		{"1960-01-01 UTC", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), 2436934.5 + 42.184/secDay},
	} {
		if d := (JulianDateTT(c.when) - c.want) * secDay; math.Abs(d) > 1e-3 {
			t.Errorf("%s: JulianDateTT(%v) = %.8f, want %.8f (±1 ms): off by %.6f s", c.name, c.when, JulianDateTT(c.when), c.want, d)
		}
	}
	if a, b := JulianDateTT(j2000), JulianDateTT(j2000.In(time.FixedZone("CET", 3600))); a != b {
		t.Errorf("the zone changes the JD: %v in UTC, %v in CET, want equal", a, b)
	}
}

func TestSiderealTime(t *testing.T) {
	// GMST at 2000-01-01 12:00 UT1 is 280.46061837° (IAU 2006 value
	// 280.4606184°; UT1 = UTC here).
	j := time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)
	if d := (GMST(j) - 280.46061837) * 3600; math.Abs(d) > 0.05 {
		t.Errorf("GMST(2000-01-01 12:00 UT1) = %.8f°, want 280.46061837° ± 0.05\": off by %.3f\"", GMST(j), d)
	}
	// Apparent minus mean is the equation of the equinoxes, under 1.2 s of time.
	for _, when := range []time.Time{j, time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC)} {
		ee := azDiff(GAST(when), GMST(when)) * 240 // degrees → seconds of time
		if math.Abs(ee) > 1.2 || ee == 0 {
			t.Errorf("%v: equation of the equinoxes (GAST − GMST) %.3f s, want non-zero and within ±1.2 s", when, ee)
		}
	}
	if d := azDiff(LocalSiderealTime(-120.97, j), GAST(j)-120.97); math.Abs(d) > 1e-9 {
		t.Errorf("LocalSiderealTime(−120.97°) − (GAST − 120.97°) = %g°, want 0 (±1e-9°)", d)
	}
}
