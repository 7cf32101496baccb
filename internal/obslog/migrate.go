package obslog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migration moves the schema from version i to i+1, where i is its index
// in migrations. The version lives in PRAGMA user_version (0 for a new
// file). Migrations are only ever appended: a released one never changes,
// because files in the field are at every version.
type migration struct {
	name string
	up   func(ctx context.Context, tx *sql.Tx) error
}

var migrations = []migration{
	{"entries", execAll(`
		CREATE TABLE entries (
			id INTEGER PRIMARY KEY AUTOINCREMENT, -- ids are never reused after a delete
			time_us INTEGER NOT NULL,             -- UTC, microseconds since 1970
			name TEXT NOT NULL,
			designations TEXT NOT NULL DEFAULT '', -- one per line
			has_pos INTEGER NOT NULL DEFAULT 0,
			ra REAL NOT NULL DEFAULT 0,            -- J2000 degrees
			dec REAL NOT NULL DEFAULT 0,
			site_source TEXT NOT NULL DEFAULT '',  -- '' means no site
			lat REAL NOT NULL DEFAULT 0,
			lon REAL NOT NULL DEFAULT 0,
			alt_m REAL NOT NULL DEFAULT 0,
			pointing_source TEXT NOT NULL DEFAULT '', -- '' means no estimate
			p_ra REAL NOT NULL DEFAULT 0,
			p_dec REAL NOT NULL DEFAULT 0,
			stars INTEGER NOT NULL DEFAULT 0,
			notes TEXT NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX entries_time ON entries (time_us)`)},
	{"target lists", execAll(`
		CREATE TABLE lists (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL,
			format TEXT NOT NULL,         -- 'skylist' or 'csv'
			created_us INTEGER NOT NULL,
			skipped INTEGER NOT NULL DEFAULT 0
		)`,
		`CREATE TABLE list_items (
			list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
			pos INTEGER NOT NULL,
			name TEXT NOT NULL,
			designations TEXT NOT NULL DEFAULT '',
			has_pos INTEGER NOT NULL DEFAULT 0,
			ra REAL NOT NULL DEFAULT 0,
			dec REAL NOT NULL DEFAULT 0,
			comment TEXT NOT NULL DEFAULT '',
			observed_us INTEGER NOT NULL DEFAULT 0, -- 0 means not observed
			PRIMARY KEY (list_id, pos)
		) WITHOUT ROWID`)},
	{"search key and import origin", migrateSearchOrigin},
}

// migrateSearchOrigin adds the folded search key (so a filter by target is
// a scan of short strings inside SQLite, not a decode of every row in Go) and the
// origin of imported entries (so importing the same PiFinder database twice
// adds nothing the second time), and fills the search key of existing rows.
func migrateSearchOrigin(ctx context.Context, tx *sql.Tx) error {
	err := execAll(
		`ALTER TABLE entries ADD COLUMN search TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE entries ADD COLUMN origin TEXT NOT NULL DEFAULT ''`,
		`CREATE UNIQUE INDEX entries_origin ON entries (origin) WHERE origin <> ''`,
	)(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, name, designations FROM entries")
	if err != nil {
		return err
	}
	type key struct {
		id  int64
		key string
	}
	var keys []key
	for rows.Next() {
		var id int64
		var t Target
		var ds string
		if err := rows.Scan(&id, &t.Name, &ds); err != nil {
			rows.Close()
			return err
		}
		if ds != "" {
			t.Designations = strings.Split(ds, "\n")
		}
		keys = append(keys, key{id, searchKey(t)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, "UPDATE entries SET search = ? WHERE id = ?", k.key, k.id); err != nil {
			return err
		}
	}
	return nil
}

func execAll(stmts ...string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
}

// migrate brings the schema to version target (len(migrations) outside
// tests), one transaction per step so a crash mid-migration leaves the file
// at the last completed version. It refuses a file newer than this program.
func (l *Log) migrate(ctx context.Context, target int) (from, to int, err error) {
	from, err = l.SchemaVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	if from > len(migrations) {
		return from, from, fmt.Errorf("schema version %d is newer than this program's %d: it was written by a newer pifinder", from, len(migrations))
	}
	for {
		v, done, err := l.step(ctx, target)
		if err != nil {
			return from, v, err
		}
		if done {
			return from, v, nil
		}
		l.log.Info().Int("schema", v).Str("migration", migrations[v-1].name).Msg("observing log migrated")
	}
}

// step applies the next migration if the file is below target. The
// version is read again inside the write transaction: another process may
// have migrated the file since.
func (l *Log) step(ctx context.Context, target int) (version int, done bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, false, fmt.Errorf("migrate: read schema version: %w", err)
	}
	if version >= target {
		return version, true, nil
	}
	m := migrations[version]
	if err := m.up(ctx, tx); err != nil {
		return version, false, fmt.Errorf("migrate to schema %d (%s): %w", version+1, m.name, err)
	}
	// user_version is in the database header, which SQLite changes inside
	// the transaction: the step and its version commit together.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		return version, false, fmt.Errorf("migrate to schema %d: %w", version+1, err)
	}
	if err := tx.Commit(); err != nil {
		return version, false, fmt.Errorf("migrate to schema %d: commit: %w", version+1, err)
	}
	return version + 1, false, nil
}
