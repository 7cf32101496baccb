package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// EventTarget is the event of GET /api/events carrying the current target
// and its guidance (a TargetView, or null when there is none). It is sent
// when the stream opens, when the target changes, and with the guidance
// of new estimates, at most every PointingInterval.
const EventTarget = "target"

// Limits of the target endpoints.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 200
	maxNameBytes       = 128 // targets.Normalize cuts a query there too
	defaultNearbyDeg   = 1.0
)

// targetEndpoints are the routes of targets.go, listed in endpoints().
func (s *Server) targetEndpoints() []endpoint {
	return []endpoint{
		{http.MethodPost, "/api/target", s.postTarget},
		{http.MethodDelete, "/api/target", s.deleteTarget},
		{http.MethodGet, "/api/search", s.getSearch},
		{http.MethodGet, "/api/nearby", s.getNearby},
		{http.MethodGet, "/api/targets/recent", s.getRecent},
	}
}

// TargetInfo is what TargetView adds to the goto's position: what the
// target is, and the guidance to it (null until there is an aligned
// estimate).
type TargetInfo struct {
	Name          string        `json:"name"`
	Kind          string        `json:"kind"` // an objects.Kind, "solar system", or "coordinates"
	Designations  []string      `json:"designations"`
	Mag           Num           `json:"mag"`
	Constellation string        `json:"constellation"`
	Guidance      *GuidanceView `json:"guidance"`
}

// GuidanceView is the push-to guidance from the eyepiece axis to the target.
// The moves of the other mount type are null.
type GuidanceView struct {
	SeparationDeg float64 `json:"separation_deg"`
	Mount         string  `json:"mount"` // "altaz" or "equatorial"
	// NoSite: an Alt/Az mount without a known site, guided in RA/Dec.
	NoSite bool `json:"no_site"`
	// Alt/Az: the turn in azimuth (positive right, clockwise seen from
	// above) and altitude (positive up); the target's altitude and azimuth.
	AzimuthDeg  *float64 `json:"azimuth_deg"`
	AltitudeDeg *float64 `json:"altitude_deg"`
	TargetAlt   *float64 `json:"target_alt_deg"`
	TargetAz    *float64 `json:"target_az_deg"`
	// Equatorial: the turn in RA (positive east) and Dec (positive north).
	RADeg  *float64 `json:"ra_move_deg"`
	DecDeg *float64 `json:"dec_move_deg"`
	// Directions names the two moves ("right", "up"; "east", "north"; ""
	// when there is nothing to do on that axis).
	Directions [2]string `json:"directions"`
	// FrameAngleDeg: where the target lies on the camera image, degrees
	// counter-clockwise from image up.
	FrameAngleDeg float64 `json:"frame_angle_deg"`
	// InField: the target is inside the current solve image, at Pixel.
	InField      bool       `json:"in_field"`
	Pixel        *PixelView `json:"pixel"`
	Time         *time.Time `json:"time"`
	EstimateTime *time.Time `json:"estimate_time"`
}

func ptr(v float64) *float64 { return &v }

func guidanceView(g state.Guidance) *GuidanceView {
	if !g.Valid {
		return nil
	}
	v := &GuidanceView{
		SeparationDeg: g.SeparationDeg, Mount: g.Mount.String(), NoSite: g.NoSite,
		FrameAngleDeg: g.FrameAngleDeg, InField: g.InField,
		Time: timePtr(g.Time), EstimateTime: timePtr(g.EstimateTime),
	}
	v.Directions[0], v.Directions[1] = g.Directions()
	if g.Mount == targets.Equatorial {
		v.RADeg, v.DecDeg = ptr(g.RADeg), ptr(g.DecDeg)
	} else {
		v.AzimuthDeg, v.AltitudeDeg = ptr(g.AzimuthDeg), ptr(g.AltitudeDeg)
		v.TargetAlt, v.TargetAz = ptr(g.TargetAlt), ptr(g.TargetAz)
	}
	if g.InField {
		v.Pixel = &PixelView{Y: g.PixelY, X: g.PixelX}
	}
	return v
}

func kindName(t targets.Target) string {
	if t.Object() == nil && t.Fixed() {
		return "coordinates"
	}
	return t.Kind().String()
}

func designations(t targets.Target) []string {
	if o := t.Object(); o != nil {
		return o.Designations
	}
	return []string{}
}

// targetOf is the view of one state target, without guidance.
func targetOf(t state.Target, at time.Time, site astro.Observer) *TargetView {
	v := &TargetView{RA: t.RA, Dec: t.Dec, Source: t.Source, Time: t.Time.UTC(), Seq: t.Seq}
	v.Name, v.Designations, v.Mag = t.Name, designations(t.Object), Num(t.Object.Mag())
	v.Kind = "coordinates"
	if t.Object.Valid() {
		v.Kind = kindName(t.Object)
		v.Constellation, _ = t.Object.Constellation(at, site)
	}
	return v
}

// targetView is the current target of st with its guidance, or nil.
func targetView(st state.State) *TargetView {
	if !st.HasTarget {
		return nil
	}
	at, site, _ := st.Sky(time.Now())
	v := targetOf(st.Target, at, site)
	v.Guidance = guidanceView(st.Guidance)
	return v
}

// sameTarget reports whether two states show the same target event.
func sameTarget(a, b state.State) bool {
	return a.HasTarget == b.HasTarget && a.Target.Seq == b.Target.Seq && a.Target.RA == b.Target.RA &&
		a.Target.Dec == b.Target.Dec && a.Guidance.Valid == b.Guidance.Valid && a.Guidance.Guidance == b.Guidance.Guidance
}

// targetRequest is the body of POST /api/target: a name, or a position.
type targetRequest struct {
	Name *string  `json:"name"`
	RA   *float64 `json:"ra_deg"`
	Dec  *float64 `json:"dec_deg"`
}

const targetBodyHelp = `want {"name": "M 51"} or {"ra_deg": <0..360>, "dec_deg": <-90..90>}`

// decodeJSON reads exactly one JSON object of at most MaxBodyBytes into v;
// on a bad body it replies itself (400, or 413) and returns false.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any, help string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	d := json.NewDecoder(r.Body)
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		if _, terr := d.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "empty body: "+help)
	case err != nil:
		writeError(w, http.StatusBadRequest, "bad JSON body ("+help+"): "+err.Error())
	default:
		return true
	}
	return false
}

// catalog returns the shared catalogue, replying 503 when it cannot be had.
func catalog(w http.ResponseWriter) (*targets.Catalog, bool) {
	cat, err := targets.Default()
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "object catalogue not available: "+err.Error())
		return nil, false
	}
	return cat, true
}

// postTarget sets the target by name (any spelling the catalogue takes:
// "M51", "ngc 5194", "Whirlpool", "Jupiter") or by J2000 position. An
// unknown name is 404, with the closest spellings in the message.
func (s *Server) postTarget(w http.ResponseWriter, r *http.Request) {
	var req targetRequest
	if !s.decodeJSON(w, r, &req, targetBodyHelp) {
		return
	}
	var t state.Target
	switch {
	case req.Name != nil && (req.RA != nil || req.Dec != nil):
		writeError(w, http.StatusBadRequest, "give a name or a position, not both: "+targetBodyHelp)
		return
	case req.Name != nil:
		name := strings.TrimSpace(*req.Name)
		if name == "" || len(name) > maxNameBytes {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("name must be 1 to %d bytes", maxNameBytes))
			return
		}
		cat, ok := catalog(w)
		if !ok {
			return
		}
		tg, found := cat.Lookup(name)
		if !found {
			writeError(w, http.StatusNotFound, notFound(cat, name))
			return
		}
		t = state.Target{Object: tg, Source: "api"}
	case req.RA == nil || req.Dec == nil:
		writeError(w, http.StatusBadRequest, `both "ra_deg" and "dec_deg" are required (J2000 degrees), or a "name"`)
		return
	case !(*req.RA >= 0 && *req.RA < 360):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("ra_deg %g out of [0, 360)", *req.RA))
		return
	case !(*req.Dec >= -90 && *req.Dec <= 90):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("dec_deg %g out of [-90, 90]", *req.Dec))
		return
	default:
		t = state.Target{RA: *req.RA, Dec: *req.Dec, Source: "api"}
	}
	ctx, cancel := context.WithTimeout(r.Context(), ownerTimeout)
	defer cancel()
	if err := s.cfg.Store.Update(ctx, state.SetTarget{Target: t}); err != nil {
		s.updateFailed(w, "target", err)
		return
	}
	st, err := s.cfg.Store.Snapshot(ctx)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	s.cfg.Log.Info().Str("target", st.Target.Name).Float64("ra", st.Target.RA).Float64("dec", st.Target.Dec).
		Uint64("seq", st.Target.Seq).Msg("api target")
	writeJSON(w, http.StatusOK, map[string]any{"target": targetView(st)})
}

// notFound is the 404 message for a name, with up to five suggestions.
func notFound(cat *targets.Catalog, name string) string {
	msg := fmt.Sprintf("no object is called %q", name)
	m, err := cat.Search(targets.Query{Text: name, Limit: 5})
	if err != nil || len(m) == 0 {
		return msg + " (try GET /api/search?q=...)"
	}
	names := make([]string, len(m))
	for i, x := range m {
		names[i] = x.Target.Name()
	}
	return msg + "; did you mean: " + strings.Join(names, ", ")
}

// deleteTarget clears the target. It takes no body: anything but white
// space is a 400, so a misdirected POST body does not clear the target.
func (s *Server) deleteTarget(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	case strings.TrimSpace(string(b)) != "":
		writeError(w, http.StatusBadRequest, "DELETE /api/target takes no body")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ownerTimeout)
	defer cancel()
	if err := s.cfg.Store.Update(ctx, state.ClearTarget{}); err != nil {
		s.updateFailed(w, "clear target", err)
		return
	}
	s.cfg.Log.Info().Msg("api target cleared")
	writeJSON(w, http.StatusOK, map[string]any{"target": nil})
}

// ObjectView is one catalogue object or body in search and nearby lists.
type ObjectView struct {
	Name          string   `json:"name"`
	Designations  []string `json:"designations"`
	Names         []string `json:"names"`
	Kind          string   `json:"kind"`
	Mag           Num      `json:"mag"`
	MajorArcmin   Num      `json:"major_arcmin"`
	MinorArcmin   Num      `json:"minor_arcmin"`
	RA            float64  `json:"ra_deg"`
	Dec           float64  `json:"dec_deg"`
	Constellation string   `json:"constellation"`
	// AltDeg and AzDeg are null when no site is known.
	AltDeg *float64 `json:"alt_deg"`
	AzDeg  *float64 `json:"az_deg"`
	// Exact (search): the query spelled a whole designation or name.
	Exact bool `json:"exact"`
	// SeparationDeg (nearby): the distance from the current pointing.
	SeparationDeg *float64 `json:"separation_deg"`
}

// skyNow is the time and site of a request's sky positions.
type skyNow struct {
	at        time.Time
	site      astro.Observer
	siteKnown bool
}

func objectView(t targets.Target, sky skyNow) (ObjectView, error) {
	ra, dec, err := t.Position(sky.at, sky.site)
	if err != nil {
		return ObjectView{}, err
	}
	con, _ := t.Constellation(sky.at, sky.site)
	v := ObjectView{
		Name: t.Name(), Designations: designations(t), Names: []string{}, Kind: kindName(t), Mag: Num(t.Mag()),
		MajorArcmin: Num(math.NaN()), MinorArcmin: Num(math.NaN()), RA: ra, Dec: dec, Constellation: con,
	}
	if o := t.Object(); o != nil {
		v.Names = o.Names
		if o.MajorArcmin > 0 {
			v.MajorArcmin, v.MinorArcmin = Num(o.MajorArcmin), Num(o.MinorArcmin)
		}
	}
	if sky.siteKnown {
		alt, az := astro.AltAz(ra, dec, sky.site, sky.at, astro.Weather{})
		v.AltDeg, v.AzDeg = &alt, &az
	}
	return v, nil
}

// queryError is a bad query parameter (400).
type queryError struct{ msg string }

func (e *queryError) Error() string { return e.msg }

func badQuery(format string, args ...any) error { return &queryError{fmt.Sprintf(format, args...)} }

// parseFilter reads the filter parameters shared by search and nearby:
// type (kinds, comma-separated), mag (faintest magnitude), con
// (constellation), above=1 (above the horizon now), min_alt (stays at or
// above this altitude for the next hour), and limit.
func parseFilter(q url.Values, sky skyNow) (targets.Filter, int, error) {
	f := targets.Filter{Site: sky.site, Time: sky.at}
	for _, k := range splitList(q["type"]) {
		kind, ok := objects.ParseKind(k)
		if !ok {
			return f, 0, badQuery("type %q: not a kind of object (galaxy, open cluster, globular cluster, planetary nebula, nebula, star, planet...)", k)
		}
		f.Kinds = append(f.Kinds, kind)
	}
	if v := q.Get("mag"); v != "" {
		m, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(m) || math.IsInf(m, 0) {
			return f, 0, badQuery("mag %q: want a number (the faintest magnitude)", v)
		}
		f.MaxMag = &m
	}
	f.Constellation = strings.TrimSpace(q.Get("con"))
	if len(f.Constellation) > 16 {
		return f, 0, badQuery("con %q: want an IAU abbreviation such as UMa", f.Constellation)
	}
	switch v := q.Get("above"); v {
	case "", "0", "false":
	case "1", "true":
		f.AboveHorizon = true
	default:
		return f, 0, badQuery("above %q: want 1 or 0", v)
	}
	if v := q.Get("min_alt"); v != "" {
		a, err := strconv.ParseFloat(v, 64)
		if err != nil || !(a >= -90 && a <= 90) {
			return f, 0, badQuery("min_alt %q: want degrees from -90 to 90", v)
		}
		f.MinAltNextHour = &a
	}
	limit := DefaultSearchLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxSearchLimit {
			return f, 0, badQuery("limit %q: want 1 to %d", v, MaxSearchLimit)
		}
		limit = n
	}
	if (f.AboveHorizon || f.MinAltNextHour != nil) && !sky.siteKnown {
		return f, 0, errNoSite
	}
	return f, limit, nil
}

// errNoSite is why an altitude filter cannot be applied (409).
var errNoSite = errors.New("no site is known: set one (--location, GPS, or a planetarium app over LX200) to filter by altitude")

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// skyOf reads the time and site of the state, replying 503 without it.
func (s *Server) skyOf(w http.ResponseWriter, r *http.Request) (state.State, skyNow, bool) {
	st, err := s.snapshot(r)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return st, skyNow{}, false
	}
	at, site, known := st.Sky(time.Now())
	return st, skyNow{at: at, site: site, siteKnown: known}, true
}

func (s *Server) listReply(w http.ResponseWriter, key string, n int, item func(i int) (ObjectView, error)) {
	out := make([]ObjectView, 0, n)
	for i := range n {
		v, err := item(i)
		if err != nil {
			continue // a body whose position cannot be computed at this time
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out})
}

func filterFailed(w http.ResponseWriter, err error) {
	var qe *queryError
	switch {
	case errors.As(err, &qe):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, errNoSite):
		writeError(w, http.StatusConflict, err.Error())
	default:
		writeError(w, http.StatusBadRequest, err.Error())
	}
}

// getSearch answers GET /api/search?q=TEXT&type=&mag=&con=&above=1&min_alt=&limit=:
// the best matches first (exact spellings, then prefixes as the user
// types); an empty q lists the brightest objects passing the filter.
func (s *Server) getSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	text := q.Get("q")
	if len(text) > maxNameBytes {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("q longer than %d bytes", maxNameBytes))
		return
	}
	_, sky, ok := s.skyOf(w, r)
	if !ok {
		return
	}
	f, limit, err := parseFilter(q, sky)
	if err != nil {
		filterFailed(w, err)
		return
	}
	cat, ok := catalog(w)
	if !ok {
		return
	}
	m, err := cat.Search(targets.Query{Text: text, Filter: f, Limit: limit})
	if err != nil {
		filterFailed(w, err)
		return
	}
	s.listReply(w, "results", len(m), func(i int) (ObjectView, error) {
		v, err := objectView(m[i].Target, sky)
		v.Exact = m[i].Exact
		return v, err
	})
}

// getNearby answers GET /api/nearby?radius=DEG&order=nearest|brightest
// with the filter parameters of search: what lies around the eyepiece's
// current pointing (409 when there is none).
func (s *Server) getNearby(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	radius := defaultNearbyDeg
	if v := q.Get("radius"); v != "" {
		d, err := strconv.ParseFloat(v, 64)
		if err != nil || !(d > 0 && d <= 180) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("radius %q: want degrees in (0, 180]", v))
			return
		}
		radius = d
	}
	order := targets.Nearest
	switch v := q.Get("order"); v {
	case "", "nearest":
	case "brightest":
		order = targets.Brightest
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("order %q: want nearest or brightest", v))
		return
	}
	st, sky, ok := s.skyOf(w, r)
	if !ok {
		return
	}
	f, limit, err := parseFilter(q, sky)
	if err != nil {
		filterFailed(w, err)
		return
	}
	p := st.Estimate.Aligned.Estimate
	if !p.Valid {
		writeError(w, http.StatusConflict, "no pointing yet: nothing to be near")
		return
	}
	cat, ok := catalog(w)
	if !ok {
		return
	}
	near, err := cat.Nearby(p.RA, p.Dec, radius, order, f, limit)
	if err != nil {
		filterFailed(w, err)
		return
	}
	s.listReply(w, "nearby", len(near), func(i int) (ObjectView, error) {
		v, err := objectView(near[i].Target, sky)
		v.SeparationDeg = ptr(near[i].SeparationDeg)
		return v, err
	})
}

// getRecent answers GET /api/targets/recent: the latest targets, newest
// first (the current one included).
func (s *Server) getRecent(w http.ResponseWriter, r *http.Request) {
	st, sky, ok := s.skyOf(w, r)
	if !ok {
		return
	}
	out := make([]*TargetView, 0, len(st.Recent))
	for _, t := range st.Recent {
		out = append(out, targetOf(t, sky.at, sky.site))
	}
	writeJSON(w, http.StatusOK, map[string]any{"recent": out})
}
