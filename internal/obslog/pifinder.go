package obslog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ImportResult counts what ImportPiFinder did.
type ImportResult struct {
	Added      int // new entries
	Duplicates int // already imported from this database before
	Skipped    int // rows with no readable time or name
}

// The PiFinder observations database (PiFinder python/PiFinder/db/
// observations_db.py, ObservationsDatabase.create_tables):
//
//	obs_sessions(id INTEGER PRIMARY KEY, start_time_local INTEGER,
//	             lat NUMERIC, lon NUMERIC, timezone TEXT, UID TEXT)
//	obs_objects(id INTEGER PRIMARY KEY, session_uid TEXT,
//	            obs_time_local INTEGER, catalog TEXT, sequence INTEGER,
//	            solution TEXT, notes TEXT)
//
// What the columns hold, from the same code and its callers:
//   - obs_time_local, despite its name, is a POSIX epoch in seconds, often
//     with a fraction (obslog.py logs local_datetime().timestamp() of a
//     timezone-aware datetime); early rows hold a UTC "YYYY-MM-DD HH:MM:SS"
//     string instead (observing_nights.py coerce_epoch reads both).
//   - A session is one software run; a historical bug wrote its row more
//     than once, so sessions are grouped by uid with lat/lon averaged and
//     the greatest timezone taken, as get_sessions does.
//   - solution is the JSON of the pointing estimate (utils.py
//     serialize_solution): "RA" and "Dec" in degrees (aligned axis),
//     "solve_source", "Matches" (the solve's matched stars), "Alt", "Az",
//     "constellation", ...; older rows hold the solver's dict, which has
//     "RA", "Dec" and "Matches" too; "{}" when there was no solve.
//   - notes is the JSON of a dict of the log screen's fields (ui/log.py:
//     "Transp.", "Seeing", "Eyepiece", "Obsability", "Appeal", with "NA"
//     for unset; later versions add an "sqm" object).
var piFinderColumns = map[string][]string{
	"obs_sessions": {"id", "start_time_local", "lat", "lon", "timezone", "uid"},
	"obs_objects":  {"id", "session_uid", "obs_time_local", "catalog", "sequence", "solution", "notes"},
}

// ImportPiFinder adds the observations of a PiFinder observations database
// (PiFinder_data/observations.db) to the log, in one transaction. The file
// is opened read-only. Entries remember their origin, so importing the
// same database again adds only what is new.
func (l *Log) ImportPiFinder(ctx context.Context, path string) (ImportResult, error) {
	var res ImportResult
	fail := func(err error) (ImportResult, error) {
		return ImportResult{}, fmt.Errorf("import PiFinder database %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail(err)
	}
	// Check first: SQLite would create a missing file.
	fi, err := os.Stat(abs)
	if err != nil {
		return fail(err)
	}
	if !fi.Mode().IsRegular() {
		return fail(fmt.Errorf("%w: not a regular file", ErrInvalid))
	}
	if err := checkSQLiteHeader(abs); err != nil {
		return fail(err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "query_only(1)")
	src, err := sql.Open("sqlite", fileURI(abs, q))
	if err != nil {
		return fail(err)
	}
	defer src.Close()
	if err := checkPiFinderSchema(ctx, src); err != nil {
		return fail(err)
	}
	sites, err := piFinderSites(ctx, src)
	if err != nil {
		return fail(err)
	}

	rows, err := src.QueryContext(ctx, `SELECT id, session_uid, obs_time_local, catalog, sequence, solution, notes
		FROM obs_objects ORDER BY id`)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO entries (time_us, name, designations, has_pos, ra, dec,
		site_source, lat, lon, alt_m, pointing_source, p_ra, p_dec, stars, notes, search, origin)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (origin) WHERE origin <> '' DO NOTHING`)
	if err != nil {
		return fail(err)
	}
	defer ins.Close()
	for rows.Next() {
		var (
			id                       int64
			session, solution, notes sql.NullString
			when, catalog, sequence  any
		)
		if err := rows.Scan(&id, &session, &when, &catalog, &sequence, &solution, &notes); err != nil {
			return fail(err)
		}
		e, ok := piFinderEntry(when, text(catalog), text(sequence), solution.String, notes.String)
		if !ok {
			res.Skipped++
			continue
		}
		e.Site = sites[session.String]
		if e, err = e.validate(); err != nil {
			res.Skipped++
			continue
		}
		origin := "pifinder:" + session.String + ":" + strconv.FormatInt(id, 10)
		r, err := ins.ExecContext(ctx, append(entryArgs(e), origin)...)
		if err != nil {
			return fail(err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			res.Duplicates++
		} else {
			res.Added++
		}
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	l.log.Info().Str("path", abs).Int("added", res.Added).Int("duplicates", res.Duplicates).
		Int("skipped", res.Skipped).Msg("PiFinder observations imported")
	return res, nil
}

// checkSQLiteHeader gives a clear error for a file that is not SQLite at
// all, before the driver's "file is not a database".
func checkSQLiteHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := make([]byte, 16)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.Equal(hdr, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%w: not an SQLite database", ErrInvalid)
	}
	return nil
}

func checkPiFinderSchema(ctx context.Context, db *sql.DB) error {
	for table, want := range piFinderColumns {
		rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			have[strings.ToLower(c)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(have) == 0 {
			return fmt.Errorf("%w: not a PiFinder observations database: no table %s", ErrInvalid, table)
		}
		for _, c := range want {
			if !have[c] {
				return fmt.Errorf("%w: not a PiFinder observations database: table %s has no column %s", ErrInvalid, table, c)
			}
		}
	}
	return nil
}

func piFinderSites(ctx context.Context, db *sql.DB) (map[string]Site, error) {
	rows, err := db.QueryContext(ctx, "SELECT uid, avg(lat), avg(lon) FROM obs_sessions GROUP BY uid")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sites := map[string]Site{}
	for rows.Next() {
		var uid sql.NullString
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&uid, &lat, &lon); err != nil {
			return nil, err
		}
		if !lat.Valid || !lon.Valid || math.Abs(lat.Float64) > 90 || math.Abs(lon.Float64) > 180 {
			continue // no usable site: the entries get none
		}
		// PiFinder's sessions hold no altitude.
		sites[uid.String] = Site{Lat: lat.Float64, Lon: lon.Float64, Source: "pifinder"}
	}
	return sites, rows.Err()
}

// text renders a column SQLite may hold as text, integer or real.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		return strings.TrimSpace(string(v))
	case string:
		return strings.TrimSpace(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return strings.TrimSpace(fmt.Sprint(v))
	}
}

// piFinderEntry turns one obs_objects row into an entry (without its
// site); ok is false when the row has no readable time or name.
func piFinderEntry(when any, catalog, sequence, solution, notes string) (Entry, bool) {
	t, ok := piFinderTime(when)
	if !ok {
		return Entry{}, false
	}
	name := sanitize(catalog+" "+sequence, MaxNameBytes, false)
	if name == "" {
		return Entry{}, false
	}
	e := Entry{Time: t, Target: Target{Name: name, Designations: []string{name}}}
	e.Pointing, e.Stars = piFinderSolution(solution)
	e.Notes = piFinderNotes(notes)
	return e, true
}

// piFinderTime reads obs_time_local as observing_nights.coerce_epoch does:
// an epoch (number or numeric text) or a legacy UTC datetime string.
func piFinderTime(v any) (time.Time, bool) {
	var sec float64
	switch v := v.(type) {
	case int64:
		sec = float64(v)
	case float64:
		sec = v
	case string, []byte:
		s := text(v)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t, err := time.Parse("2006-01-02 15:04:05", s)
			if err != nil {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
		sec = f
	default:
		return time.Time{}, false
	}
	// Years 1900-9999 (what an Entry may hold); also rejects NaN and Inf.
	if !(sec >= -2208988800 && sec < 253402300800) {
		return time.Time{}, false
	}
	return time.UnixMicro(int64(math.Round(sec * 1e6))).UTC(), true
}

// piFinderSolution reads the pointing and the matched star count from a
// solution column; a missing, empty or unreadable solution gives none.
func piFinderSolution(s string) (Pointing, int) {
	var sol struct {
		RA, Dec     *float64
		Matches     *float64
		SolveSource *string `json:"solve_source"`
	}
	if err := json.Unmarshal([]byte(s), &sol); err != nil {
		return Pointing{}, 0
	}
	stars := 0
	if sol.Matches != nil && *sol.Matches >= 0 && *sol.Matches < 1e6 {
		stars = int(*sol.Matches)
	}
	if sol.RA == nil || sol.Dec == nil {
		return Pointing{}, stars
	}
	p := Pointing{RA: math.Mod(*sol.RA, 360), Dec: *sol.Dec, Source: "pifinder"}
	if p.RA < 0 {
		p.RA += 360
	}
	if sol.SolveSource != nil && *sol.SolveSource != "" {
		p.Source = "pifinder " + strings.ToLower(sanitize(*sol.SolveSource, MaxSourceBytes-len("pifinder "), false))
	}
	if checkRA("", p.RA) != nil || checkRange("", p.Dec, -90, 90) != nil {
		return Pointing{}, stars
	}
	return p, stars
}

// piFinderNotes renders the notes column as text: a JSON object becomes
// "Key: value; Key: value" in the file's order, without the fields left at
// "NA" (PiFinder's "not set"); other JSON or plain text is kept as it is.
func piFinderNotes(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || !json.Valid([]byte(s)) {
		return sanitize(s, MaxNotesBytes, true)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		var v any
		if json.Unmarshal([]byte(s), &v) == nil {
			if str, ok := v.(string); ok {
				return sanitize(str, MaxNotesBytes, true)
			}
		}
		return sanitize(s, MaxNotesBytes, true)
	}
	var parts []string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		var val string
		var v any
		if json.Unmarshal(raw, &v) != nil {
			continue
		}
		switch v := v.(type) {
		case nil:
			continue
		case string:
			val = strings.TrimSpace(v)
		default:
			var b bytes.Buffer
			if json.Compact(&b, raw) != nil {
				continue
			}
			val = b.String()
		}
		if val == "" || val == "NA" {
			continue
		}
		parts = append(parts, key+": "+val)
	}
	return sanitize(strings.Join(parts, "; "), MaxNotesBytes, true)
}

// sanitize makes imported text fit a field: valid UTF-8, control
// characters as spaces (keeping line breaks and tabs when multiline), at
// most max bytes cut at a rune boundary.
func sanitize(s string, max int, multiline bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if multiline && (r == '\n' || r == '\t') {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
