package obslog

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// openAt makes a file at schema version v, as an older release left it.
func openAt(t *testing.T, path string, v int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	l := &Log{db: db, log: zerolog.Nop()}
	if _, to, err := l.migrate(context.Background(), v); err != nil || to != v {
		t.Fatalf("migrate to %d: at %d, %v", v, to, err)
	}
	return db
}

func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := openAt(t, path, 1)
	ctx := context.Background()
	// A row as schema 1 stored it: no search key, no origin.
	_, err := db.ExecContext(ctx, `INSERT INTO entries (time_us, name, designations, has_pos, ra, dec, notes)
		VALUES (?, 'Andromeda Galaxy', 'M 31'||char(10)||'NGC 224', 1, 10.68, 41.27, 'old note')`, t0.UnixMicro())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	var logged strings.Builder
	l, err := Open(path, WithLogger(zerolog.New(&logged)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if v, _ := l.SchemaVersion(ctx); v != len(migrations) {
		t.Errorf("schema %d after Open, want %d", v, len(migrations))
	}
	// The migration filled the search key of the old row.
	got, err := l.List(ctx, Filter{Target: "ngc224"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Notes != "old note" || !got[0].Time.Equal(t0) || len(got[0].Target.Designations) != 2 {
		t.Fatalf("old row after migration: %+v", got)
	}
	// One line per migration step and one for the open.
	lines := strings.Count(logged.String(), "\n")
	if lines != len(migrations) || !strings.Contains(logged.String(), `"migrated_from":1`) {
		t.Errorf("log lines:\n%s", logged.String())
	}
	// Schema 2's tables exist.
	if _, err := l.ImportList(ctx, strings.NewReader("name\nM 42\n"), "new"); err != nil {
		t.Errorf("ImportList on a migrated file: %v", err)
	}
}

func TestMigrateEachVersion(t *testing.T) {
	for v := 0; v <= len(migrations); v++ {
		path := filepath.Join(t.TempDir(), "x.db")
		openAt(t, path, v).Close()
		l, err := Open(path)
		if err != nil {
			t.Fatalf("from %d: %v", v, err)
		}
		if got, _ := l.SchemaVersion(context.Background()); got != len(migrations) {
			t.Errorf("from %d: at %d", v, got)
		}
		if err := l.Check(context.Background()); err != nil {
			t.Error(err)
		}
		l.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	db := openAt(t, path, len(migrations))
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	l, err := Open(path)
	if err == nil {
		l.Close()
		t.Fatal("Open accepted a schema from the future")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error does not say why: %v", err)
	}
}
