package obslog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The crash test re-executes this binary as the child that writes.
	if os.Getenv(crashChildEnv) != "" {
		crashChild()
		return
	}
	goleak.VerifyTestMain(m)
}

func openTemp(t testing.TB) *Log {
	t.Helper()
	l, err := Open(filepath.Join(t.TempDir(), "log", "obslog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	return l
}

var t0 = time.Date(2025, 6, 28, 4, 30, 0, 0, time.UTC)

func m31(at time.Time) Entry {
	return Entry{
		Time:     at,
		Target:   Target{Name: "Andromeda Galaxy", Designations: []string{"M 31", "NGC 224"}, RA: 10.6847, Dec: 41.2687, HasPosition: true},
		Site:     Site{Lat: 41.13, Lon: -120.97, AltM: 1315, Source: "gps"},
		Pointing: Pointing{RA: 10.70, Dec: 41.25, Source: "solve"},
		Stars:    23,
		Notes:    "Dust lane visible\nwith averted vision",
	}
}

func TestOpenFileModesAndPragmas(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	path := filepath.Join(dir, "obslog.db")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{dir, 0o700 | os.ModeDir}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.mode {
			t.Errorf("%s: mode %v, want %v", c.path, fi.Mode(), c.mode)
		}
	}
	ctx := context.Background()
	for _, c := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"user_version", "3"},
	} {
		var v string
		if err := l.db.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != c.want {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, v, c.want)
		}
	}
	if err := l.Check(ctx); err != nil {
		t.Error(err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("this is not a database, it is a text file of some length\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, path string }{
		{"empty path", ""},
		{"not a database", notDB},
		{"parent is a file", filepath.Join(blocker, "obslog.db")},
		{"path is a directory", dir},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := Open(c.path)
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded")
			}
			t.Log(err)
		})
	}
}

func TestAddGetUpdateDelete(t *testing.T) {
	l := openTemp(t)
	ctx := context.Background()
	local := time.FixedZone("PDT", -7*3600)
	in := m31(t0.In(local))
	got, err := l.Add(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == 0 || got.Time.Location() != time.UTC || !got.Time.Equal(t0) {
		t.Fatalf("Add returned id %d time %v", got.ID, got.Time)
	}
	want := in
	want.ID, want.Time = got.ID, t0
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Add (-want +got):\n%s", d)
	}
	back, err := l.Get(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, back); d != "" {
		t.Errorf("Get (-want +got):\n%s", d)
	}

	if err := l.UpdateNotes(ctx, got.ID, "changed"); err != nil {
		t.Fatal(err)
	}
	want.Notes = "changed"
	if back, _ = l.Get(ctx, got.ID); back.Notes != "changed" {
		t.Errorf("notes after UpdateNotes: %q", back.Notes)
	}
	want.Target = Target{Name: "M 33"}
	want.Site = Site{}
	if _, err := l.Update(ctx, want); err != nil {
		t.Fatal(err)
	}
	if back, _ = l.Get(ctx, got.ID); !cmp.Equal(want, back) {
		t.Errorf("after Update: %s", cmp.Diff(want, back))
	}
	if list, _ := l.List(ctx, Filter{Target: "andromeda"}); len(list) != 0 {
		t.Errorf("Update left the old search key: %v", list)
	}

	if err := l.Delete(ctx, got.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Get":         func() error { _, err := l.Get(ctx, got.ID); return err }(),
		"Delete":      l.Delete(ctx, got.ID),
		"UpdateNotes": l.UpdateNotes(ctx, got.ID, "x"),
		"Update":      func() error { _, err := l.Update(ctx, want); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a deleted entry: %v, want ErrNotFound", name, err)
		}
	}
	// AUTOINCREMENT: a deleted id is never handed out again, so a stale
	// link in the web page cannot land on someone else's entry.
	again, err := l.Add(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID <= got.ID {
		t.Errorf("id %d reused after deleting %d", again.ID, got.ID)
	}
}

func TestAddRejects(t *testing.T) {
	l := openTemp(t)
	ctx := context.Background()
	big := make([]byte, MaxNotesBytes+1)
	for i := range big {
		big[i] = 'x'
	}
	for _, c := range []struct {
		name string
		edit func(*Entry)
	}{
		{"no time", func(e *Entry) { e.Time = time.Time{} }},
		{"year 1800", func(e *Entry) { e.Time = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"no name", func(e *Entry) { e.Target.Name, e.Target.Designations = " ", nil }},
		{"name with NUL", func(e *Entry) { e.Target.Name = "M\x0031" }},
		{"name not UTF-8", func(e *Entry) { e.Target.Name = "M\xff31" }},
		{"long name", func(e *Entry) { e.Target.Name = string(big[:MaxNameBytes+1]) }},
		{"designation with newline", func(e *Entry) { e.Target.Designations = []string{"M 31\nM 32"} }},
		{"RA 360", func(e *Entry) { e.Target.RA = 360 }},
		{"RA negative", func(e *Entry) { e.Target.RA = -1 }},
		{"Dec 91", func(e *Entry) { e.Target.Dec = 91 }},
		{"lat 91", func(e *Entry) { e.Site.Lat = 91 }},
		{"lon 181", func(e *Entry) { e.Site.Lon = 181 }},
		{"pointing Dec -91", func(e *Entry) { e.Pointing.Dec = -91 }},
		{"pointing RA NaN", func(e *Entry) { e.Pointing.RA = nan() }},
		{"negative stars", func(e *Entry) { e.Stars = -1 }},
		{"notes too long", func(e *Entry) { e.Notes = string(big) }},
		{"notes with escape", func(e *Entry) { e.Notes = "\x1b[31m" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := m31(t0)
			c.edit(&e)
			if _, err := l.Add(ctx, e); !errors.Is(err, ErrInvalid) {
				t.Errorf("Add: %v, want ErrInvalid", err)
			}
		})
	}
	if n, _ := l.Count(ctx, Filter{}); n != 0 {
		t.Errorf("%d rejected entries were stored", n)
	}
	// Unknown site and pointing are ignored, not range-checked.
	e := m31(t0)
	e.Site = Site{Lat: 1000}
	e.Pointing = Pointing{RA: -5}
	got, err := l.Add(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if got.Site != (Site{}) || got.Pointing != (Pointing{}) {
		t.Errorf("unknown site/pointing kept numbers: %+v %+v", got.Site, got.Pointing)
	}
}

func nan() float64 { var z float64; return z / z }

func TestListFilter(t *testing.T) {
	l := openTemp(t)
	ctx := context.Background()
	names := []string{"M 31", "M 33", "NGC 7000", "M 31", "Jupiter"}
	var ids []int64
	for i, n := range names {
		e := m31(t0.Add(time.Duration(i) * time.Hour))
		e.Target = Target{Name: n}
		got, err := l.Add(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	for _, c := range []struct {
		name string
		f    Filter
		want []int64
	}{
		{"all", Filter{}, ids},
		{"newest", Filter{Newest: true}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"since", Filter{Since: t0.Add(3 * time.Hour)}, ids[3:]},
		{"until is exclusive", Filter{Until: t0.Add(time.Hour)}, ids[:1]},
		{"target folds case and spaces", Filter{Target: "m31"}, []int64{ids[0], ids[3]}},
		{"target substring", Filter{Target: "NGC"}, []int64{ids[2]}},
		{"target with LIKE wildcards", Filter{Target: "%"}, nil},
		{"limit", Filter{Limit: 2}, ids[:2]},
		{"offset", Filter{Offset: 3}, ids[3:]},
		{"limit and offset", Filter{Limit: 1, Offset: 1, Newest: true}, ids[3:4]},
		{"everything combined", Filter{Target: "M 3", Since: t0.Add(time.Minute), Newest: true}, []int64{ids[3], ids[1]}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := l.List(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for _, e := range got {
				gotIDs = append(gotIDs, e.ID)
			}
			if d := cmp.Diff(c.want, gotIDs); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			f := c.f
			f.Limit, f.Offset = 0, 0
			n, err := l.Count(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			all, _ := l.List(ctx, f)
			if n != len(all) {
				t.Errorf("Count %d, List %d", n, len(all))
			}
		})
	}
	if _, err := l.List(ctx, Filter{Limit: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative limit: %v", err)
	}
}

// TestConcurrentWriters is the HTTP server's case: several goroutines
// adding, editing and reading at once. Every Add must succeed (writers
// queue on the busy timeout) and get its own id.
func TestConcurrentWriters(t *testing.T) {
	l := openTemp(t)
	ctx := context.Background()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	ids := make(chan int64, workers*each)
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e, err := l.Add(ctx, m31(t0.Add(time.Duration(w*each+i)*time.Second)))
				if err != nil {
					errs <- err
					return
				}
				ids <- e.ID
				if err := l.UpdateNotes(ctx, e.ID, "seen"); err != nil {
					errs <- err
				}
				if _, err := l.List(ctx, Filter{Limit: 5, Newest: true}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("id %d handed out twice", id)
		}
		seen[id] = true
	}
	if n, _ := l.Count(ctx, Filter{}); n != workers*each || len(seen) != n {
		t.Errorf("%d entries, %d ids, want %d", n, len(seen), workers*each)
	}
}

func TestTwoHandlesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "obslog.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	e, err := a.Add(ctx, m31(t0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, e.ID); err != nil {
		t.Errorf("second handle does not see the first's entry: %v", err)
	}
}
