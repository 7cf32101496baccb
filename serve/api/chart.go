package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pifinder-go/pifinder/internal/chart"
)

// DefaultEyepieceFOV is the eyepiece circle of GET /api/chart.svg when the
// request names none: 1°, the true field of a typical low-power eyepiece
// on a PiFinder-class Dobsonian (a 25 mm Plössl at 1200 mm focal length).
const DefaultEyepieceFOV = 1.0

// chartQuery reads GET /api/chart.svg's parameters: fov (chart width,
// degrees), north_up (1: north up; else the camera's roll), mag (faintest
// star), theme (night or day), size (pixels), eyepiece (circle, degrees).
func chartQuery(q url.Values) (chart.Options, error) {
	o := chart.Options{FOV: chart.DefaultFOV, Width: 512, Height: 512, EyepieceFOV: DefaultEyepieceFOV}
	num := func(name string, lo, hi float64, dst *float64) error {
		s := q.Get(name)
		if s == "" {
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v >= lo && v <= hi) {
			return badQuery("%s=%q: want a number from %g to %g", name, s, lo, hi)
		}
		*dst = v
		return nil
	}
	var size float64 = 512
	for _, p := range []struct {
		name   string
		lo, hi float64
		dst    *float64
	}{{"fov", 1, 120, &o.FOV}, {"mag", -2, 12, &o.MagLimit}, {"size", 64, 2048, &size}, {"eyepiece", 0, 10, &o.EyepieceFOV}} {
		if err := num(p.name, p.lo, p.hi, p.dst); err != nil {
			return o, err
		}
	}
	o.Width, o.Height = int(size), int(size)
	switch q.Get("north_up") {
	case "", "0", "false":
	case "1", "true":
		o.NorthUp = true
	default:
		return o, badQuery("north_up=%q: want 1 or 0", q.Get("north_up"))
	}
	switch q.Get("theme") {
	case "", "night":
		o.Theme = chart.Night
	case "day":
		o.Theme = chart.Day
	default:
		return o, badQuery("theme=%q: want night or day", q.Get("theme"))
	}
	return o, nil
}

// getChart draws the sky around the eyepiece pointing (the aligned
// estimate) as SVG: stars, constellation lines and names, deep-sky objects,
// the camera field, the eyepiece circle and the target. 503 until there is
// a pointing.
func (s *Server) getChart(w http.ResponseWriter, r *http.Request) {
	o, err := chartQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, err := s.cfg.Store.Snapshot(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state unavailable: "+err.Error())
		return
	}
	o, ok := chart.AroundPointing(st, o)
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "no pointing yet: the chart follows the first solve")
		return
	}
	scene, err := chart.Build(o)
	if err != nil {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("chart: %v", err))
		return
	}
	var buf bytes.Buffer
	if err := scene.WriteSVG(&buf); err != nil {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("chart: %v", err))
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	// The SVG is data, never a document that runs anything.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
}
