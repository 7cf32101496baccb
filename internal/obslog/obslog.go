package obslog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	// The pure-Go SQLite keeps the binary static (CGO_ENABLED=0) for the Pi.
	_ "modernc.org/sqlite"
)

// Log is an open observing log. Its methods are safe for concurrent use:
// database/sql pools connections, SQLite's WAL lets readers run beside the
// one writer, and every write is one transaction.
type Log struct {
	db   *sql.DB
	path string
	log  zerolog.Logger
}

// Option configures Open.
type Option func(*options)

type options struct {
	log         zerolog.Logger
	busyTimeout time.Duration
}

// WithLogger sets the logger for the few events the log reports (opening,
// migrating, importing). The default discards them.
func WithLogger(l zerolog.Logger) Option { return func(o *options) { o.log = l } }

// Open opens the observing log at path, creating it (and its directory,
// mode 0700; the file is 0600, since notes and sites are personal) if it
// does not exist, and migrating an older schema to the current one.
//
// Durability: the journal is WAL with synchronous=FULL, so when Add returns
// the entry's commit has been fsynced and survives a crash or power cut;
// SQLite's own recovery rolls back any transaction that had not committed.
func Open(path string, opts ...Option) (*Log, error) {
	o := options{log: zerolog.Nop(), busyTimeout: 5 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	if path == "" {
		return nil, fmt.Errorf("open observing log: %w: empty path", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open observing log %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open observing log %s: create directory: %w", path, err)
	}
	// Create the file ourselves so it is private from the start: SQLite
	// would create it with the umask's mode (usually 0644).
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open observing log %s: %w", path, err)
	}
	f.Close()

	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL (not NORMAL) syncs the WAL at every commit: NORMAL survives a
	// process crash but can lose the last commits on power loss, and a
	// finder's power is a battery that runs flat.
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Writers take the write lock at BEGIN, so two writers queue on the
	// busy timeout instead of one failing with SQLITE_BUSY at its first
	// write after the other committed.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", fileURI(abs, q))
	if err != nil {
		return nil, fmt.Errorf("open observing log %s: %w", path, err)
	}
	l := &Log{db: db, path: abs, log: o.log}
	ctx := context.Background()
	from, to, err := l.migrate(ctx, len(migrations))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open observing log %s: %w", path, err)
	}
	ev := o.log.Info().Str("path", abs).Int("schema", to)
	if from != to {
		ev = ev.Int("migrated_from", from)
	}
	ev.Msg("observing log opened")
	return l, nil
}

// fileURI builds a SQLite URI for path: the file: form escapes any '?' or
// '#' in the path, which the plain form would take for the query.
func fileURI(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	// url.URL writes "file:///abs"; SQLite accepts it (empty authority).
	return u.String()
}

// Path returns the absolute path of the database file.
func (l *Log) Path() string { return l.path }

// Close closes the database. Entries already added are on disk whether or
// not Close is called; Close checkpoints the WAL into the main file.
func (l *Log) Close() error {
	if err := l.db.Close(); err != nil {
		return fmt.Errorf("close observing log %s: %w", l.path, err)
	}
	return nil
}

// Check runs SQLite's integrity check and returns an error describing the
// first problems if the file is damaged.
func (l *Log) Check(ctx context.Context) error {
	rows, err := l.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("check observing log: %w", err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("check observing log: %w", err)
		}
		msgs = append(msgs, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check observing log: %w", err)
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	if len(msgs) > 5 {
		msgs = msgs[:5]
	}
	return fmt.Errorf("check observing log %s: damaged: %s", l.path, strings.Join(msgs, "; "))
}

// SchemaVersion returns the schema version of the open file.
func (l *Log) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := l.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// Filter selects entries for List and the exports. The zero Filter selects
// every entry, oldest first.
type Filter struct {
	Since, Until time.Time // Since ≤ Time < Until; zero means unbounded
	// Target keeps entries whose name or a designation contains it, without
	// regard to case or spaces ("m31" matches "M 31").
	Target string
	Newest bool // newest first
	Limit  int  // at most this many; 0 means no limit
	Offset int
}

const entryColumns = `id, time_us, name, designations, has_pos, ra, dec,
	site_source, lat, lon, alt_m, pointing_source, p_ra, p_dec, stars, notes`

// Add records e and returns it with its ID and normalised fields. When Add
// returns without error the entry is durable.
func (l *Log) Add(ctx context.Context, e Entry) (Entry, error) {
	e, err := e.validate()
	if err != nil {
		return Entry{}, fmt.Errorf("add observation: %w", err)
	}
	res, err := l.db.ExecContext(ctx, `INSERT INTO entries (time_us, name, designations, has_pos, ra, dec,
		site_source, lat, lon, alt_m, pointing_source, p_ra, p_dec, stars, notes, search, origin)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'')`, entryArgs(e)...)
	if err != nil {
		return Entry{}, fmt.Errorf("add observation: %w", err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return Entry{}, fmt.Errorf("add observation: %w", err)
	}
	return e, nil
}

// entryArgs are e's column values in the order of the INSERT and UPDATE
// statements: time_us ... notes, search.
func entryArgs(e Entry) []any {
	return []any{
		e.Time.UnixMicro(), e.Target.Name, strings.Join(e.Target.Designations, "\n"),
		e.Target.HasPosition, e.Target.RA, e.Target.Dec,
		e.Site.Source, e.Site.Lat, e.Site.Lon, e.Site.AltM,
		e.Pointing.Source, e.Pointing.RA, e.Pointing.Dec,
		e.Stars, e.Notes, searchKey(e.Target),
	}
}

// searchKey is what Filter.Target matches against: the name and the
// designations folded to lower case without spaces, one per line.
func searchKey(t Target) string {
	keys := append([]string{t.Name}, t.Designations...)
	for i, k := range keys {
		keys[i] = fold(k)
	}
	return strings.Join(keys, "\n")
}

func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// Get returns the entry with the given id, or an error wrapping ErrNotFound.
func (l *Log) Get(ctx context.Context, id int64) (Entry, error) {
	row := l.db.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM entries WHERE id = ?", id)
	e, err := scanEntry(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("observation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("observation %d: %w", id, err)
	}
	return e, nil
}

// List returns the entries f selects.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, error) {
	var out []Entry
	err := l.each(ctx, f, func(e Entry) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Count returns how many entries f selects, ignoring its Limit and Offset.
func (l *Log) Count(ctx context.Context, f Filter) (int, error) {
	where, args := f.where()
	var n int
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM entries"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count observations: %w", err)
	}
	return n, nil
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if !f.Since.IsZero() {
		conds = append(conds, "time_us >= ?")
		args = append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		conds = append(conds, "time_us < ?")
		args = append(args, f.Until.UnixMicro())
	}
	if k := fold(f.Target); k != "" {
		// instr, not LIKE: the user's text may hold % or _.
		conds = append(conds, "instr(search, ?) > 0")
		args = append(args, k)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// each streams the entries f selects to fn, stopping at fn's first error.
func (l *Log) each(ctx context.Context, f Filter, fn func(Entry) error) error {
	where, args := f.where()
	q := "SELECT " + entryColumns + " FROM entries" + where
	if f.Newest {
		q += " ORDER BY time_us DESC, id DESC"
	} else {
		q += " ORDER BY time_us, id"
	}
	if f.Limit < 0 || f.Offset < 0 {
		return fmt.Errorf("list observations: %w: negative limit or offset", ErrInvalid)
	}
	if f.Limit > 0 || f.Offset > 0 {
		limit := f.Limit
		if limit == 0 {
			limit = -1 // SQLite: no limit
		}
		q += " LIMIT ? OFFSET ?"
		args = append(args, limit, f.Offset)
	}
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list observations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return fmt.Errorf("list observations: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list observations: %w", err)
	}
	return nil
}

type scanner interface{ Scan(...any) error }

func scanEntry(s scanner) (Entry, error) {
	var e Entry
	var us int64
	var ds string
	err := s.Scan(&e.ID, &us, &e.Target.Name, &ds, &e.Target.HasPosition, &e.Target.RA, &e.Target.Dec,
		&e.Site.Source, &e.Site.Lat, &e.Site.Lon, &e.Site.AltM,
		&e.Pointing.Source, &e.Pointing.RA, &e.Pointing.Dec, &e.Stars, &e.Notes)
	if err != nil {
		return Entry{}, err
	}
	e.Time = time.UnixMicro(us).UTC()
	if ds != "" {
		e.Target.Designations = strings.Split(ds, "\n")
	}
	return e, nil
}

// Update replaces every field of the entry with e.ID by e's.
func (l *Log) Update(ctx context.Context, e Entry) (Entry, error) {
	id := e.ID
	e, err := e.validate()
	if err != nil {
		return Entry{}, fmt.Errorf("update observation %d: %w", id, err)
	}
	args := append(entryArgs(e), id)
	res, err := l.db.ExecContext(ctx, `UPDATE entries SET time_us=?, name=?, designations=?, has_pos=?, ra=?, dec=?,
		site_source=?, lat=?, lon=?, alt_m=?, pointing_source=?, p_ra=?, p_dec=?, stars=?, notes=?, search=?
		WHERE id = ?`, args...)
	if err := affected(res, err); err != nil {
		return Entry{}, fmt.Errorf("update observation %d: %w", id, err)
	}
	return e, nil
}

// UpdateNotes replaces the notes of the entry with the given id.
func (l *Log) UpdateNotes(ctx context.Context, id int64, notes string) error {
	if err := checkNotes(notes); err != nil {
		return fmt.Errorf("update observation %d: %w", id, err)
	}
	res, err := l.db.ExecContext(ctx, "UPDATE entries SET notes = ? WHERE id = ?", notes, id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("update observation %d: %w", id, err)
	}
	return nil
}

// Delete removes the entry with the given id.
func (l *Log) Delete(ctx context.Context, id int64) error {
	res, err := l.db.ExecContext(ctx, "DELETE FROM entries WHERE id = ?", id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("delete observation %d: %w", id, err)
	}
	return nil
}

// affected turns "no row changed" into ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
