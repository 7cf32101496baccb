package obslog

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// makePiFinderDB builds an observations database with PiFinder's schema
// (ObservationsDatabase.create_tables in PiFinder
// python/PiFinder/db/observations_db.py, column types and the "UID"
// spelling included) and rows of the shapes PiFinder has written over time.
func makePiFinderDB(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{
		`CREATE TABLE obs_sessions(id INTEGER PRIMARY KEY, start_time_local INTEGER,
			lat NUMERIC, lon NUMERIC, timezone TEXT, UID TEXT)`,
		`CREATE TABLE obs_objects(id INTEGER PRIMARY KEY, session_uid TEXT, obs_time_local INTEGER,
			catalog TEXT, sequence INTEGER, solution TEXT, notes TEXT)`,
		// Session "a" twice: the historical duplicate-row bug.
		`INSERT INTO obs_sessions(start_time_local, lat, lon, timezone, uid) VALUES
			(1719550000.5, 41.1, -121.0, 'America/Los_Angeles', 'a'),
			(1719550001.5, 41.2, -121.0, 'America/Los_Angeles', 'a'),
			(1600000000, 52.0, 4.5, 'Europe/Amsterdam', 'b'),
			(1600000000, NULL, NULL, 'UTC', 'c')`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	rows := []struct {
		session            string
		when               any
		catalog            string
		sequence           any
		solution, notesTxt any
	}{
		// Current PiFinder: float epoch, serialize_solution JSON, notes dict.
		{"a", 1719550123.25, "M", 31,
			`{"RA": 10.70, "Dec": 41.25, "Roll": 12.0, "Alt": 45.0, "Az": 80.0, "camera_solve": {"RA": 10.6, "Dec": 41.2, "Roll": 12.0},
			  "imu_quat": null, "solve_source": "CAM", "constellation": "And", "Matches": 17, "RMSE": 4.2, "Prob": 1e-9, "FOV": 10.2}`,
			`{"Transp.": "Good", "Seeing": "NA", "Eyepiece": "13mm", "Obsability": "Easy", "Appeal": "WOW", "sqm": {"value": 20.9, "source": "camera"}}`},
		// Older: integer epoch, the solver's dict, sequence as text.
		{"b", int64(1600000300), "NGC", "7000", `{"RA": 314.7, "Dec": 44.3, "Matches": 9, "T_solve": 120}`, `{"Transp.": "NA", "Seeing": "NA"}`},
		// Legacy: a rendered UTC datetime; no solve ("{}").
		{"b", "2020-09-13 12:30:00", "IC", 434, `{}`, `"plain text note"`},
		// Epoch as text, a session without a site, unreadable JSON.
		{"c", "1600000400.5", "C", 14, `not json`, `not json either`},
		// A solve with an RA past 360 (normalised) and a Dec out of range (dropped).
		{"c", 1600000500, "M", 42, `{"RA": 443.82, "Dec": -95}`, nil},
		// Skipped: no time, then no name.
		{"a", nil, "M", 1, `{}`, `{}`},
		{"a", 1719550200, "", nil, `{}`, `{}`},
		// Skipped: an unreadable time.
		{"a", "yesterday", "M", 2, `{}`, `{}`},
	}
	for _, r := range rows {
		_, err := db.Exec(`INSERT INTO obs_objects(session_uid, obs_time_local, catalog, sequence, solution, notes)
			VALUES (?,?,?,?,?,?)`, r.session, r.when, r.catalog, r.sequence, r.solution, r.notesTxt)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestImportPiFinder(t *testing.T) {
	src := filepath.Join(t.TempDir(), "observations.db")
	makePiFinderDB(t, src)
	before, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	l := openTemp(t)
	ctx := context.Background()
	res, err := l.ImportPiFinder(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportResult{Added: 5, Skipped: 3}); res != want {
		t.Errorf("first import %+v, want %+v", res, want)
	}
	siteA := Site{Lat: 41.15, Lon: -121.0, Source: "pifinder"}
	siteB := Site{Lat: 52.0, Lon: 4.5, Source: "pifinder"}
	want := []Entry{
		{Time: time.Date(2020, 9, 13, 12, 30, 0, 0, time.UTC), Target: Target{Name: "IC 434", Designations: []string{"IC 434"}},
			Site: siteB, Notes: "plain text note"},
		{Time: time.Date(2020, 9, 13, 12, 31, 40, 0, time.UTC), Target: Target{Name: "NGC 7000", Designations: []string{"NGC 7000"}},
			Site: siteB, Pointing: Pointing{RA: 314.7, Dec: 44.3, Source: "pifinder"}, Stars: 9},
		{Time: time.Date(2020, 9, 13, 12, 33, 20, 500_000_000, time.UTC), Target: Target{Name: "C 14", Designations: []string{"C 14"}},
			Notes: "not json either"},
		{Time: time.Date(2020, 9, 13, 12, 35, 0, 0, time.UTC), Target: Target{Name: "M 42", Designations: []string{"M 42"}}},
		{Time: time.Unix(1719550123, 250_000_000).UTC(), Target: Target{Name: "M 31", Designations: []string{"M 31"}},
			Site: siteA, Pointing: Pointing{RA: 10.70, Dec: 41.25, Source: "pifinder cam"}, Stars: 17,
			Notes: `Transp.: Good; Eyepiece: 13mm; Obsability: Easy; Appeal: WOW; sqm: {"value":20.9,"source":"camera"}`},
	}
	got, err := l.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(Entry{}, "ID"), cmpopts.EquateApprox(0, 1e-9)); d != "" {
		t.Errorf("imported entries (-want +got):\n%s", d)
	}

	// Importing again adds nothing; the source is untouched.
	res, err = l.ImportPiFinder(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportResult{Duplicates: 5, Skipped: 3}); res != want {
		t.Errorf("second import %+v, want %+v", res, want)
	}
	if n, _ := l.Count(ctx, Filter{}); n != 5 {
		t.Errorf("%d entries after importing twice", n)
	}
	after, _ := os.ReadFile(src)
	if string(before) != string(after) {
		t.Error("import changed the PiFinder database")
	}
	// Imported entries are ordinary entries: editable and deletable.
	if err := l.UpdateNotes(ctx, got[0].ID, "edited"); err != nil {
		t.Error(err)
	}
}

func TestImportPiFinderRejects(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "text.db")
	os.WriteFile(text, []byte("hello, this is not SQLite at all\n"), 0o600)
	other := filepath.Join(dir, "other.db")
	db, _ := sql.Open("sqlite", fileURI(other, nil))
	db.Exec("CREATE TABLE obs_sessions(id INTEGER PRIMARY KEY, uid TEXT)")
	db.Close()
	ours := filepath.Join(dir, "ours.db")
	openTemp(t) // another log, to be sure a log is not taken for PiFinder's
	if l, err := Open(ours); err == nil {
		l.Close()
	}
	l := openTemp(t)
	for _, c := range []struct{ name, path string }{
		{"missing", filepath.Join(dir, "missing.db")},
		{"directory", dir},
		{"not SQLite", text},
		{"wrong columns", other},
		{"our own log", ours},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := l.ImportPiFinder(context.Background(), c.path)
			if err == nil {
				t.Fatal("imported")
			}
			t.Log(err)
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Error("importing a missing file created it")
	}
}

func TestPiFinderNotes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"{}", ""},
		{`{"Seeing": "NA"}`, ""},
		{`{"b": "2", "a": "1"}`, "b: 2; a: 1"},
		{`{"n": 3, "t": true, "z": null, "list": [1, 2]}`, "n: 3; t: true; list: [1,2]"},
		{`"quoted"`, "quoted"},
		{`42`, "42"},
		{"{broken", "{broken"},
		{"bell\x07here", "bell here"},
	} {
		if got := piFinderNotes(c.in); got != c.want {
			t.Errorf("piFinderNotes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
