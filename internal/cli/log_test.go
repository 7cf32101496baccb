package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/obslog"
)

// piFinderDB writes a small observations database in the Python
// PiFinder's schema (python/PiFinder/db/observations_db.py,
// ObservationsDatabase.create_tables): one session, two objects.
func piFinderDB(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path) // the driver obslog registers
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`CREATE TABLE obs_sessions(id INTEGER PRIMARY KEY, start_time_local INTEGER, lat NUMERIC, lon NUMERIC, timezone TEXT, UID TEXT)`,
		`CREATE TABLE obs_objects(id INTEGER PRIMARY KEY, session_uid TEXT, obs_time_local INTEGER, catalog TEXT, sequence INTEGER, solution TEXT, notes TEXT)`,
		`INSERT INTO obs_sessions(start_time_local, lat, lon, timezone, uid) VALUES (1719550000, 41.1, -121.0, 'UTC', 'a')`,
		`INSERT INTO obs_objects(session_uid, obs_time_local, catalog, sequence, solution, notes) VALUES
			('a', 1719550123.25, 'M', 31, '{"RA": 10.7, "Dec": 41.25, "solve_source": "CAM", "Matches": 17}', '{"Seeing": "Good"}'),
			('a', 1719550200, 'NGC', 7000, '{}', '{}')`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLog(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "obs.db")
	l, err := obslog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Add(context.Background(), obslog.Entry{
		Time:     time.Date(2026, 4, 15, 22, 0, 0, 0, time.UTC),
		Target:   obslog.Target{Name: "M 51", Designations: []string{"M 51", "NGC 5194"}, RA: 202.47, Dec: 47.195, HasPosition: true},
		Site:     obslog.Site{Lat: 50.85, Lon: 4.35, Source: "gps"},
		Pointing: obslog.Pointing{RA: 202.4, Dec: 47.2, Source: "CAM"},
		Stars:    17, Notes: "spiral arms\nsecond line",
	}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	pf := filepath.Join(dir, "observations.db")
	piFinderDB(t, pf)
	list := filepath.Join(dir, "winter.csv")
	if err := os.WriteFile(list, []byte("name,ra,dec\nM 42,05:35:17.3,-05:23:28\nM 31,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badList := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badList, []byte("name,ra,dec\nM 42,25:00:00,0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.db")

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings, in order
		stderr string
	}{
		{"list", []string{"list", "--db", db}, 0, []string{"ID", "TIME (UTC)", "1", "2026-04-15 22:00:00", "M 51", "202.4700", "+47.1950", "50.8500,4.3500 (gps)", "CAM", "17", "spiral arms"}, ""},
		{"list filtered out", []string{"list", "--db", db, "--target", "m42"}, 0, []string{"ID"}, ""},
		{"export csv", []string{"export", "--csv", "--db", db}, 0, []string{"id,time_utc,target", "1,2026-04-15T22:00:00Z,M 51,M 51;NGC 5194,202.47,47.195"}, ""},
		{"export skylist", []string{"export", "--skylist", "--db", db}, 0, []string{"SkySafariObservingListVersion=3.0", "CatalogNumber=NGC 5194", "Comment=spiral arms"}, ""},
		{"import-pifinder", []string{"import-pifinder", pf, "--db", db}, 0, []string{"2 added, 0 already imported, 0 skipped"}, ""},
		{"import-pifinder again", []string{"import-pifinder", "--db", db, pf}, 0, []string{"0 added, 2 already imported"}, ""},
		{"list after import", []string{"list", "--db", db}, 0, []string{"M 51", "NGC 7000", "M 31"}, ""},
		{"import-list", []string{"import-list", list, "--db", db}, 0, []string{`list 1 "winter" (csv): 2 targets`}, ""},
		{"import-list named", []string{"import-list", "--name", "orion", list, "--db", db}, 0, []string{`list 2 "orion"`}, ""},
		{"import-list bad", []string{"import-list", badList, "--db", db}, 1, nil, "line 2"},
		{"import-list missing file", []string{"import-list", filepath.Join(dir, "nope.csv"), "--db", db}, 1, nil, "no such file"},
		{"import-pifinder not a database", []string{"import-pifinder", notDB, "--db", db}, 1, nil, "notes.txt"},
		{"list missing db", []string{"list", "--db", missing}, 1, nil, "no observing log here"},
		{"export missing db", []string{"export", "--csv", "--db", missing}, 1, nil, "no observing log here"},
		{"db not a database", []string{"list", "--db", notDB}, 1, nil, "notes.txt"},
		{"export needs a format", []string{"export", "--db", db}, 2, nil, "one of --csv or --skylist"},
		{"export both formats", []string{"export", "--csv", "--skylist", "--db", db}, 2, nil, "one of --csv or --skylist"},
		{"import-list no file", []string{"import-list", "--db", db}, 2, nil, "want one list file"},
		{"import-pifinder two files", []string{"import-pifinder", pf, pf}, 2, nil, "want one PiFinder"},
		{"list bad limit", []string{"list", "--limit", "-1", "--db", db}, 2, nil, "--limit -1"},
		{"list extra argument", []string{"list", "--db", db, "x"}, 2, nil, `unexpected argument "x"`},
		{"no subcommand", nil, 2, nil, "no subcommand"},
		{"unknown subcommand", []string{"show"}, 2, nil, `unknown subcommand "show"`},
		{"flag before the subcommand", []string{"--db", db, "list"}, 2, nil, "give it after the subcommand"},
		{"bad flag", []string{"list", "--colour"}, 2, nil, "flag provided but not defined"},
		{"help", []string{"--help"}, 0, []string{"usage: pifinder log", "pifinder log list", "-json", "pifinder log export", "-skylist", "import-pifinder", "import-list", "-name"}, ""},
		{"subcommand help", []string{"export", "-h"}, 0, []string{"usage: pifinder log export", "-csv"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Log(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			out := stdout.String()
			for _, s := range tc.stdout {
				i := strings.Index(out, s)
				if i < 0 {
					t.Fatalf("stdout has no %q (in order) in:\n%s", s, stdout.String())
				}
				out = out[i+len(s):]
			}
			if !strings.Contains(stderr.String(), tc.stderr) || (tc.stderr == "" && stderr.Len() > 0) {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.stderr)
			}
			if tc.code != 0 && stdout.Len() > 0 && !strings.Contains(tc.name, "help") {
				t.Errorf("failed but wrote to stdout: %q", stdout.String())
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a read command created %s", missing)
	}
}

func TestLogListJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "obs.db")
	l, err := obslog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []obslog.Entry{
		{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Target: obslog.Target{Name: "C/2025 A1"}},
		{Time: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Target: obslog.Target{Name: "M 31", RA: 10.68, Dec: 41.27, HasPosition: true},
			Pointing: obslog.Pointing{RA: 10.7, Dec: 41.3, Source: "IMU"}, Stars: 12},
	} {
		if _, err := l.Add(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	var stdout, stderr bytes.Buffer
	if code := Log([]string{"list", "--json", "--db", db}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil || len(got) != 2 {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	newest, oldest := got[0], got[1]
	tg := newest["target"].(map[string]any)
	if tg["name"] != "M 31" || tg["ra_deg"] != 10.68 || newest["stars"] != 12.0 || newest["site"] != nil ||
		newest["pointing"].(map[string]any)["source"] != "IMU" {
		t.Errorf("newest %v", newest)
	}
	if o := oldest["target"].(map[string]any); o["ra_deg"] != nil || oldest["pointing"] != nil || len(o["designations"].([]any)) != 0 {
		t.Errorf("oldest %v", oldest)
	}
}
