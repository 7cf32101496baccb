package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/internal/obslog"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// Limits of the observing log endpoints.
const (
	DefaultLogLimit = 100
	MaxLogLimit     = 1000
	// maxLogOffset bounds an offset to what a 32-bit int holds (the Pi's arm
	// builds); no log is near it.
	maxLogOffset = 1 << 30
)

// errLogOff is the 503 reply of the log endpoints when there is no log.
const errLogOff = "the observing log is off: start with --obslog FILE"

// logEndpoints are the routes of log.go, listed in endpoints().
func (s *Server) logEndpoints() []endpoint {
	return []endpoint{
		{http.MethodPost, "/api/log", s.postLog},
		{http.MethodGet, "/api/log", s.getLog},
		{http.MethodGet, "/api/log/export.csv", s.getLogCSV},
		{http.MethodGet, "/api/log/export.skylist", s.getLogSkylist},
		{http.MethodGet, "/api/log/{id}", s.getLogEntry},
		{http.MethodPatch, "/api/log/{id}", s.patchLogEntry},
		{http.MethodDelete, "/api/log/{id}", s.deleteLogEntry},
		{http.MethodPost, "/api/lists", s.postList},
		{http.MethodGet, "/api/lists", s.getLists},
		{http.MethodGet, "/api/lists/{id}", s.getList},
		{http.MethodDelete, "/api/lists/{id}", s.deleteList},
	}
}

// obsLogHolder opens the observing log on first use when the Config gives
// an opener instead of an open log: SQLite costs some 3 MB of resident
// memory, which a finder that never logs should not pay at start.
type obsLogHolder struct {
	mu   sync.Mutex
	log  *obslog.Log
	open func() (*obslog.Log, error)
}

func (h *obsLogHolder) get() (*obslog.Log, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.log != nil || h.open == nil {
		return h.log, nil
	}
	l, err := h.open()
	if err != nil {
		// Not cached: the next request tries again (a full disk may clear).
		return nil, err
	}
	h.log = l
	return l, nil
}

// obsLog returns the observing log, replying 503 itself when there is none.
func (s *Server) obsLog(w http.ResponseWriter) (*obslog.Log, bool) {
	l, err := s.obs.get()
	switch {
	case err != nil:
		s.cfg.Log.Warn().Err(err).Msg("http api: observing log not available")
		writeError(w, http.StatusServiceUnavailable, "observing log not available: "+err.Error())
		return nil, false
	case l == nil:
		writeError(w, http.StatusServiceUnavailable, errLogOff)
		return nil, false
	}
	return l, true
}

// logFailed replies to an error of the observing log with its kind's status.
func (s *Server) logFailed(w http.ResponseWriter, what string, err error) {
	switch {
	case errors.Is(err, obslog.ErrNotFound):
		writeError(w, http.StatusNotFound, what+": "+err.Error())
	case errors.Is(err, obslog.ErrInvalid):
		writeError(w, http.StatusBadRequest, what+": "+err.Error())
	case errors.Is(err, obslog.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, what+": "+err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, what+": "+err.Error())
	default:
		s.cfg.Log.Error().Err(err).Str("op", what).Msg("http api: observing log failed")
		writeError(w, http.StatusInternalServerError, what+": "+err.Error())
	}
}

// LogTargetView is the target of a log entry or list item; RA and Dec are
// null without a position.
type LogTargetView struct {
	Name         string   `json:"name"`
	Designations []string `json:"designations"`
	RA           *float64 `json:"ra_deg"`
	Dec          *float64 `json:"dec_deg"`
}

// LogSiteView is where an entry was made.
type LogSiteView struct {
	Lat    float64 `json:"lat_deg"`
	Lon    float64 `json:"lon_deg"`
	AltM   float64 `json:"alt_m"`
	Source string  `json:"source"`
}

// LogPointingView is the aligned pointing estimate of an entry.
type LogPointingView struct {
	RA     float64 `json:"ra_deg"`
	Dec    float64 `json:"dec_deg"`
	Source string  `json:"source"`
}

// LogEntryView is one observation; site and pointing are null when not
// recorded.
type LogEntryView struct {
	ID       int64            `json:"id"`
	Time     time.Time        `json:"time"`
	Target   LogTargetView    `json:"target"`
	Site     *LogSiteView     `json:"site"`
	Pointing *LogPointingView `json:"pointing"`
	Stars    int              `json:"stars"`
	Notes    string           `json:"notes"`
}

func logTargetView(t obslog.Target) LogTargetView {
	v := LogTargetView{Name: t.Name, Designations: t.Designations}
	if v.Designations == nil {
		v.Designations = []string{}
	}
	if t.HasPosition {
		v.RA, v.Dec = ptr(t.RA), ptr(t.Dec)
	}
	return v
}

func logEntryView(e obslog.Entry) LogEntryView {
	v := LogEntryView{ID: e.ID, Time: e.Time.UTC(), Target: logTargetView(e.Target), Stars: e.Stars, Notes: e.Notes}
	if e.Site.Known() {
		v.Site = &LogSiteView{Lat: e.Site.Lat, Lon: e.Site.Lon, AltM: e.Site.AltM, Source: e.Site.Source}
	}
	if e.Pointing.Known() {
		v.Pointing = &LogPointingView{RA: e.Pointing.RA, Dec: e.Pointing.Dec, Source: e.Pointing.Source}
	}
	return v
}

// logRequest is the body of POST /api/log (both optional) and PATCH
// /api/log/{id} (notes required).
type logRequest struct {
	Notes *string `json:"notes"`
	Name  *string `json:"name"`
}

const (
	logBodyHelp   = `want no body, or {"notes": "...", "name": "..."} (both optional)`
	patchBodyHelp = `want {"notes": "..."}`
)

// readOptionalJSON is decodeJSON for a body that may be empty (white space
// only), which leaves v as it is.
func (s *Server) readOptionalJSON(w http.ResponseWriter, r *http.Request, v any, help string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
		return false
	case len(bytes.TrimSpace(b)) == 0:
		return true
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return s.decodeJSON(w, r, v, help)
}

// readNoBody refuses any body but white space, so that a misdirected POST
// body does not delete something.
func (s *Server) readNoBody(w http.ResponseWriter, r *http.Request, what string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
	case err != nil:
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
	case len(bytes.TrimSpace(b)) != 0:
		writeError(w, http.StatusBadRequest, what+" takes no body")
	default:
		return true
	}
	return false
}

// postLog marks the current target (or the named object) observed, with the
// state's time, site, aligned pointing and the solve's star count.
func (s *Server) postLog(w http.ResponseWriter, r *http.Request) {
	var req logRequest
	if !s.readOptionalJSON(w, r, &req, logBodyHelp) {
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	st, err := s.snapshot(r)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	e, code, msg := observation(st, req, time.Now())
	if code != 0 {
		writeError(w, code, msg)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ownerTimeout*5)
	defer cancel()
	e, err = l.Add(ctx, e)
	if err != nil {
		s.logFailed(w, "log observation", err)
		return
	}
	s.cfg.Log.Info().Int64("id", e.ID).Str("target", e.Target.Name).Str("pointing", e.Pointing.Source).
		Int("stars", e.Stars).Msg("api observation logged")
	w.Header().Set("Location", "/api/log/"+strconv.FormatInt(e.ID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"entry": logEntryView(e)})
}

// observation builds the entry of POST /api/log from a snapshot, or says
// why it cannot (an HTTP status and message).
func observation(st state.State, req logRequest, now time.Time) (obslog.Entry, int, string) {
	at, _, siteKnown := st.Sky(now)                        // the shared clock (GPS, LX200, manual), else the system's
	e := obslog.Entry{Time: at.Truncate(time.Microsecond)} // as stored
	if req.Notes != nil {
		e.Notes = *req.Notes
	}
	switch {
	case req.Name != nil:
		name := strings.TrimSpace(*req.Name)
		if name == "" || len(name) > obslog.MaxNameBytes {
			return e, http.StatusBadRequest, fmt.Sprintf("name must be 1 to %d bytes", obslog.MaxNameBytes)
		}
		e.Target = obslog.Target{Name: name}
		// A catalogue object gets its designations and position; another
		// name (a comet, a friend's double star) is logged as typed.
		if cat, err := targets.Default(); err == nil {
			if tg, found := cat.Lookup(name); found {
				e.Target = catalogueTarget(tg, at, st)
			}
		}
	case st.HasTarget:
		t := st.Target
		e.Target = obslog.Target{Name: t.Name, Designations: designations(t.Object), RA: t.RA, Dec: t.Dec, HasPosition: true}
	default:
		return e, http.StatusConflict, `no target: set one (POST /api/target, or a goto) or give {"name": "..."}`
	}
	if e.Target.HasPosition {
		e.Target.RA, e.Target.HasPosition = normRA(e.Target.RA)
		e.Target.HasPosition = e.Target.HasPosition && e.Target.Dec >= -90 && e.Target.Dec <= 90
	}
	if siteKnown {
		loc := st.Location
		lon := loc.Lon
		if lon > 180 { // the state takes 0..360 east; the log -180..180
			lon -= 360
		}
		e.Site = obslog.Site{Lat: loc.Lat, Lon: lon, AltM: loc.AltitudeM, Source: loc.Source}
	}
	if a := st.Estimate.Aligned.Estimate; a.Valid {
		if ra, ok := normRA(a.RA); ok && a.Dec >= -90 && a.Dec <= 90 {
			src := string(st.Estimate.Source)
			if src == "" {
				src = "estimate"
			}
			e.Pointing = obslog.Pointing{RA: ra, Dec: a.Dec, Source: src}
			e.Stars = max(0, st.Estimate.Diag.Matches)
		}
	}
	return e, 0, ""
}

// catalogueTarget is a looked-up object as a log target; a planet's
// position is the one at the time of the observation.
func catalogueTarget(tg targets.Target, at time.Time, st state.State) obslog.Target {
	t := obslog.Target{Name: tg.Name(), Designations: designations(tg)}
	_, site, _ := st.Sky(at)
	if ra, dec, err := tg.Position(at, site); err == nil {
		t.RA, t.Dec, t.HasPosition = ra, dec, true
	}
	return t
}

// normRA folds an RA into [0, 360); false when it is not finite.
func normRA(ra float64) (float64, bool) {
	if math.IsNaN(ra) || math.IsInf(ra, 0) {
		return 0, false
	}
	ra = math.Mod(ra, 360)
	if ra < 0 {
		ra += 360
	}
	if ra >= 360 {
		ra = 0
	}
	return ra, true
}

// logFilter reads since, until (RFC 3339 or YYYY-MM-DD, UTC), target,
// order (newest, the default, or oldest), limit and offset. withLimit
// false (the exports) means no default limit.
func logFilter(q url.Values, withLimit bool) (obslog.Filter, error) {
	f := obslog.Filter{Newest: true}
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		v := q.Get(p.key)
		if v == "" {
			continue
		}
		t, err := parseLogTime(v)
		if err != nil {
			return f, badQuery("%s %q: want an RFC 3339 time (2026-04-15T22:00:00Z) or a date (2026-04-15)", p.key, v)
		}
		*p.dst = t
	}
	f.Target = strings.TrimSpace(q.Get("target"))
	if len(f.Target) > obslog.MaxNameBytes {
		return f, badQuery("target longer than %d bytes", obslog.MaxNameBytes)
	}
	switch v := q.Get("order"); v {
	case "", "newest":
	case "oldest":
		f.Newest = false
	default:
		return f, badQuery("order %q: want newest or oldest", v)
	}
	if withLimit {
		f.Limit = DefaultLogLimit
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLogLimit {
			return f, badQuery("limit %q: want 1 to %d", v, MaxLogLimit)
		}
		f.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxLogOffset {
			return f, badQuery("offset %q: want 0 or more", v)
		}
		f.Offset = n
	}
	return f, nil
}

func parseLogTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// getLog answers GET /api/log: the entries the filter selects, newest first,
// at most limit (default 100, at most 1000), with the total they came from.
func (s *Server) getLog(w http.ResponseWriter, r *http.Request) {
	f, err := logFilter(r.URL.Query(), true)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	entries, err := l.List(r.Context(), f)
	if err != nil {
		s.logFailed(w, "list observations", err)
		return
	}
	total, err := l.Count(r.Context(), f)
	if err != nil {
		s.logFailed(w, "count observations", err)
		return
	}
	out := make([]LogEntryView, len(entries))
	for i, e := range entries {
		out[i] = logEntryView(e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "total": total, "limit": f.Limit, "offset": f.Offset})
}

// pathID reads the {id} of the path, replying 400 itself when it is not a
// positive integer.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("id %q: want a positive integer", v))
		return 0, false
	}
	return id, true
}

func (s *Server) getLogEntry(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	e, err := l.Get(r.Context(), id)
	if err != nil {
		s.logFailed(w, "observation", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entry": logEntryView(e)})
}

// patchLogEntry replaces an entry's notes.
func (s *Server) patchLogEntry(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var req struct {
		Notes *string `json:"notes"`
	}
	if !s.decodeJSON(w, r, &req, patchBodyHelp) {
		return
	}
	if req.Notes == nil {
		writeError(w, http.StatusBadRequest, `"notes" is required: `+patchBodyHelp)
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	if err := l.UpdateNotes(r.Context(), id, *req.Notes); err != nil {
		s.logFailed(w, "update observation", err)
		return
	}
	e, err := l.Get(r.Context(), id)
	if err != nil {
		s.logFailed(w, "observation", err)
		return
	}
	s.cfg.Log.Info().Int64("id", id).Msg("api observation notes updated")
	writeJSON(w, http.StatusOK, map[string]any{"entry": logEntryView(e)})
}

func (s *Server) deleteLogEntry(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok || !s.readNoBody(w, r, "DELETE /api/log/{id}") {
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	if err := l.Delete(r.Context(), id); err != nil {
		s.logFailed(w, "delete observation", err)
		return
	}
	s.cfg.Log.Info().Int64("id", id).Msg("api observation deleted")
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id})
}

// export answers the export endpoints: the whole selection (no default
// limit) as an attachment. The filter is checked before the first byte, so
// a bad one is a JSON 400; a failure while streaming can only cut the file
// short, and is logged.
func (s *Server) export(w http.ResponseWriter, r *http.Request, ctype, file string,
	write func(*obslog.Log, context.Context, io.Writer, obslog.Filter) error) {
	f, err := logFilter(r.URL.Query(), false)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f.Newest = r.URL.Query().Get("order") == "newest" // files read oldest first
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := write(l, r.Context(), w, f); err != nil {
		s.cfg.Log.Warn().Err(err).Str("file", file).Msg("http api: export cut short")
	}
}

func (s *Server) getLogCSV(w http.ResponseWriter, r *http.Request) {
	s.export(w, r, "text/csv; charset=utf-8", "observations.csv", (*obslog.Log).ExportCSV)
}

func (s *Server) getLogSkylist(w http.ResponseWriter, r *http.Request) {
	s.export(w, r, "text/plain; charset=utf-8", "observations.skylist", (*obslog.Log).ExportSkylist)
}

// ListInfoView summarises a stored target list.
type ListInfoView struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
	Items   int       `json:"items"`
	Skipped int       `json:"skipped"`
}

// ListItemView is one target of a list. Resolved: the list gave no
// position and the object catalogue did (CatalogueName is its name there).
type ListItemView struct {
	LogTargetView
	Comment       string     `json:"comment"`
	Observed      *time.Time `json:"observed"`
	Resolved      bool       `json:"resolved"`
	CatalogueName string     `json:"catalogue_name,omitempty"`
}

// ListView is a stored target list with its items.
type ListView struct {
	ListInfoView
	ItemsList []ListItemView `json:"targets"`
}

func listInfoView(li obslog.ListInfo) ListInfoView {
	return ListInfoView{ID: li.ID, Name: li.Name, Format: li.Format, Created: li.Created.UTC(), Items: li.Items, Skipped: li.Skipped}
}

// postList imports a target list: the body is the file itself (.skylist or
// CSV, told apart by its first line), ?name= names it.
func (s *Server) postList(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		writeError(w, http.StatusBadRequest, "name the list: POST /api/lists?name=NAME with the .skylist or CSV file as the body")
		return
	}
	if r.ContentLength > obslog.MaxListBytes {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("list larger than %d bytes", obslog.MaxListBytes))
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	// Lists have their own bound (1 MiB), larger than MaxBodyBytes.
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, obslog.MaxListBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("list larger than %d bytes", tooBig.Limit))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	// Parsed first on its own: every parse error is the file's fault (400),
	// including the few the parser does not mark ErrInvalid (a CSV quoting
	// error), and only a failure to store it is the server's (500).
	if _, err := obslog.ParseList(bytes.NewReader(data), name); err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, obslog.ErrTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		writeError(w, code, "import list: "+err.Error())
		return
	}
	tl, err := l.ImportList(r.Context(), bytes.NewReader(data), name)
	if err != nil {
		s.logFailed(w, "import list", err)
		return
	}
	s.cfg.Log.Info().Int64("list", tl.ID).Str("name", tl.Name).Int("items", len(tl.Items)).Msg("api list imported")
	w.Header().Set("Location", "/api/lists/"+strconv.FormatInt(tl.ID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"list": listInfoView(obslog.ListInfo{
		ID: tl.ID, Name: tl.Name, Format: tl.Format, Created: tl.Created, Items: len(tl.Items), Skipped: tl.Skipped,
	})})
}

func (s *Server) getLists(w http.ResponseWriter, r *http.Request) {
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	ls, err := l.Lists(r.Context())
	if err != nil {
		s.logFailed(w, "target lists", err)
		return
	}
	out := make([]ListInfoView, len(ls))
	for i, li := range ls {
		out[i] = listInfoView(li)
	}
	writeJSON(w, http.StatusOK, map[string]any{"lists": out})
}

// getList returns a list's targets; those the list gives by name only are
// looked up in the object catalogue (a planet at the state's time).
func (s *Server) getList(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	tl, err := l.TargetList(r.Context(), id)
	if err != nil {
		s.logFailed(w, "target list", err)
		return
	}
	var sky skyNow
	if st, err := s.snapshot(r); err == nil {
		sky.at, sky.site, sky.siteKnown = st.Sky(time.Now())
	} else {
		sky.at = time.Now().UTC()
	}
	cat, _ := targets.Default() // nil: nothing resolves
	v := ListView{ListInfoView: listInfoView(obslog.ListInfo{
		ID: tl.ID, Name: tl.Name, Format: tl.Format, Created: tl.Created, Items: len(tl.Items), Skipped: tl.Skipped,
	}), ItemsList: make([]ListItemView, len(tl.Items))}
	for i, it := range tl.Items {
		v.ItemsList[i] = listItemView(it, cat, sky)
	}
	writeJSON(w, http.StatusOK, map[string]any{"list": v})
}

func listItemView(it obslog.Item, cat *targets.Catalog, sky skyNow) ListItemView {
	v := ListItemView{LogTargetView: logTargetView(it.Target), Comment: it.Comment}
	if !it.Observed.IsZero() {
		v.Observed = timePtr(it.Observed.UTC())
	}
	if it.Target.HasPosition || cat == nil {
		return v
	}
	for _, name := range append([]string{it.Target.Name}, it.Target.Designations...) {
		tg, found := cat.Lookup(name)
		if !found {
			continue
		}
		ra, dec, err := tg.Position(sky.at, sky.site)
		if err != nil {
			continue
		}
		v.RA, v.Dec, v.Resolved, v.CatalogueName = ptr(ra), ptr(dec), true, tg.Name()
		break
	}
	return v
}

func (s *Server) deleteList(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok || !s.readNoBody(w, r, "DELETE /api/lists/{id}") {
		return
	}
	l, ok := s.obsLog(w)
	if !ok {
		return
	}
	if err := l.DeleteList(r.Context(), id); err != nil {
		s.logFailed(w, "delete target list", err)
		return
	}
	s.cfg.Log.Info().Int64("list", id).Msg("api list deleted")
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id})
}

// ErrNoTarget is why Observation refuses: there is no target to log.
var ErrNoTarget = errors.New("no target to log")

// Observation is the observing-log entry of the current target of st with
// notes, as POST /api/log without a name makes it: the shared clock's
// time, the site when known, the aligned pointing and the solve's star
// count. The device screen's "mark observed" logs it, so both record the
// same fields.
func Observation(st state.State, notes string, now time.Time) (obslog.Entry, error) {
	if !st.HasTarget {
		return obslog.Entry{}, ErrNoTarget
	}
	e, code, msg := observation(st, logRequest{Notes: &notes}, now)
	if code != 0 {
		return e, errors.New(msg)
	}
	return e, nil
}
