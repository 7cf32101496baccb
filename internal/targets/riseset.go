package targets

import (
	"fmt"
	"math"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/planets"
)

// Visibility is a target's altitude now and its next rise, transit and
// set after the instant asked about.
type Visibility struct {
	// AltDeg, AzDeg now, geometric (no refraction).
	AltDeg, AzDeg float64
	// Rise, Transit, Set: the next events within the search window (24 h
	// 50 min, enough for the Moon's later rising each day); zero when the
	// event does not happen in that window.
	Rise, Transit, Set time.Time
	// TransitAltDeg is the altitude at Transit.
	TransitAltDeg float64
	// Circumpolar: the target never went below the horizon in the window;
	// NeverRises: it never came above it.
	Circumpolar, NeverRises bool
	// HorizonDeg is the geometric altitude taken as rising or setting.
	HorizonDeg float64
}

// Horizon altitudes for rise and set, geometric: standard refraction at the
// horizon is 34′, and the Sun's and Moon's upper limb adds about 16′ (the
// Moon's topocentric place already carries its parallax). These are the
// conventions of the almanacs (Meeus, Astronomical Algorithms ch. 15).
const (
	HorizonPoint   = -34.0 / 60
	HorizonSunMoon = -50.0 / 60
)

const (
	riseWindow = 24*time.Hour + 50*time.Minute
	riseStep   = 10 * time.Minute
)

// RiseSet returns the target's altitude at `at` from the site and its next
// rise, transit and set. Bodies are recomputed at each step, so the Moon's
// and the planets' motion is followed; the crossings are refined by
// bisection to a second.
func RiseSet(t Target, site astro.Observer, at time.Time) (Visibility, error) {
	if !t.Valid() {
		return Visibility{}, ErrNoTarget
	}
	if !(math.Abs(site.LatDeg) <= 90) || !finite(site.LonDeg, site.HeightM) {
		return Visibility{}, fmt.Errorf("%w: site %+v", ErrGuideInput, site)
	}
	h0 := HorizonPoint
	if b, ok := t.Body(); ok && (b == planets.Sun || b == planets.Moon) {
		h0 = HorizonSunMoon
	}
	v := Visibility{HorizonDeg: h0}
	var evalErr error
	// state returns altitude minus h0 and the hour angle of date.
	state := func(ti time.Time) (alt, ha float64) {
		ra, dec, err := t.Position(ti, site)
		if err != nil {
			evalErr = err
			return 0, 0
		}
		alt, _ = astro.AltAz(ra, dec, site, ti, astro.Weather{})
		rd, _ := astro.JNow(ra, dec, ti)
		return alt - h0, wrap180(astro.LocalSiderealTime(site.LonDeg, ti) - rd)
	}
	ra, dec, err := t.Position(at, site)
	if err != nil {
		return Visibility{}, err
	}
	v.AltDeg, v.AzDeg = astro.AltAz(ra, dec, site, at, astro.Weather{})

	prevT := at
	prevA, prevH := state(at)
	above, below := prevA > 0, prevA <= 0
	for ti := at.Add(riseStep); !ti.After(at.Add(riseWindow)); ti = ti.Add(riseStep) {
		a, h := state(ti)
		if evalErr != nil {
			return Visibility{}, evalErr
		}
		above, below = above || a > 0, below || a <= 0
		if v.Rise.IsZero() && prevA <= 0 && a > 0 {
			v.Rise = bisect(prevT, ti, func(x time.Time) bool { y, _ := state(x); return y > 0 })
		}
		if v.Set.IsZero() && prevA > 0 && a <= 0 {
			v.Set = bisect(prevT, ti, func(x time.Time) bool { y, _ := state(x); return y <= 0 })
		}
		// Upper culmination: the hour angle crosses 0 going up (not the
		// ±180° wrap of the lower culmination).
		if v.Transit.IsZero() && prevH < 0 && h >= 0 && h-prevH < 90 {
			v.Transit = bisect(prevT, ti, func(x time.Time) bool { _, y := state(x); return y >= 0 })
			ta, _ := state(v.Transit)
			v.TransitAltDeg = ta + h0
		}
		prevT, prevA, prevH = ti, a, h
	}
	if evalErr != nil {
		return Visibility{}, evalErr
	}
	v.Circumpolar, v.NeverRises = !below, !above
	return v, nil
}

// bisect returns the first instant in (lo, hi] where cond holds, to a
// second, given that it fails at lo and holds at hi.
func bisect(lo, hi time.Time, cond func(time.Time) bool) time.Time {
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if cond(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi.Truncate(time.Second)
}
