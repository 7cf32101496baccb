package obslog

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Item is one target of a target list.
type Item struct {
	Target   Target
	Comment  string
	Observed time.Time // a skylist's DateObserved; zero if none
}

// List formats.
const (
	FormatSkylist = "skylist"
	FormatCSV     = "csv"
)

// TargetList is an imported observing list.
type TargetList struct {
	ID      int64
	Name    string
	Format  string // FormatSkylist or FormatCSV
	Created time.Time
	// Skipped counts skylist objects that had neither a name nor a
	// position, so the user can be told the import was partial.
	Skipped int
	Items   []Item
}

// ListInfo summarises a stored list for Lists.
type ListInfo struct {
	ID      int64
	Name    string
	Format  string
	Created time.Time
	Items   int
	Skipped int
}

// ParseList reads an observing list without storing it: a SkySafari
// .skylist (recognised by its first line) or a CSV of names or RA/Dec (see
// ImportList). At most MaxListBytes are read and MaxListItems kept; more is
// an error wrapping ErrTooLarge.
func ParseList(r io.Reader, name string) (TargetList, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return TargetList{}, fmt.Errorf("import list: %w: empty list name", ErrInvalid)
	}
	if err := checkText("list name", name, MaxListNameBytes); err != nil {
		return TargetList{}, fmt.Errorf("import list: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxListBytes+1))
	if err != nil {
		return TargetList{}, fmt.Errorf("import list %q: %w", name, err)
	}
	if len(data) > MaxListBytes {
		return TargetList{}, fmt.Errorf("import list %q: %w: over %d bytes", name, ErrTooLarge, MaxListBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return TargetList{}, fmt.Errorf("import list %q: %w: not UTF-8 text", name, ErrInvalid)
	}
	l := TargetList{Name: name}
	if isSkylist(data) {
		l.Format = FormatSkylist
		l.Items, l.Skipped, err = parseSkylist(data)
	} else {
		l.Format = FormatCSV
		l.Items, err = parseCSVList(data)
	}
	if err != nil {
		return TargetList{}, fmt.Errorf("import list %q (%s): %w", name, l.Format, err)
	}
	if len(l.Items) == 0 {
		return TargetList{}, fmt.Errorf("import list %q (%s): %w: no targets", name, l.Format, ErrInvalid)
	}
	return l, nil
}

// ImportList parses an observing list (see ParseList) and stores it as a
// target list, returning it with its ID.
//
// CSV lists need a header row naming the columns: a name (name, object,
// target, designation), RA and Dec (ra, dec; "ra_h" for hours), or all
// three, and optionally designations (";"-separated) and comment. RA is
// degrees as a plain number, hours as h:m:s; Dec is degrees or d:m:s. A
// file with a single column needs no header. Comma, semicolon and tab
// separate fields; lines starting with # are comments.
func (l *Log) ImportList(ctx context.Context, r io.Reader, name string) (TargetList, error) {
	tl, err := ParseList(r, name)
	if err != nil {
		return TargetList{}, err
	}
	tl.Created = time.Now().UTC().Truncate(time.Microsecond)
	if tl.ID, err = l.storeList(ctx, tl); err != nil {
		return TargetList{}, fmt.Errorf("import list %q: %w", tl.Name, err)
	}
	l.log.Info().Int64("list", tl.ID).Str("name", tl.Name).Str("format", tl.Format).
		Int("items", len(tl.Items)).Int("skipped", tl.Skipped).Msg("target list imported")
	return tl, nil
}

func (l *Log) storeList(ctx context.Context, tl TargetList) (int64, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "INSERT INTO lists (name, format, created_us, skipped) VALUES (?,?,?,?)",
		tl.Name, tl.Format, tl.Created.UnixMicro(), tl.Skipped)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO list_items (list_id, pos, name, designations, has_pos, ra, dec, comment, observed_us)
		VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	for i, it := range tl.Items {
		var obs int64
		if !it.Observed.IsZero() {
			obs = it.Observed.UnixMicro()
		}
		t := it.Target
		if _, err := st.ExecContext(ctx, id, i, t.Name, strings.Join(t.Designations, "\n"),
			t.HasPosition, t.RA, t.Dec, it.Comment, obs); err != nil {
			return 0, err
		}
	}
	return id, tx.Commit()
}

// Lists returns a summary of every stored list, oldest first.
func (l *Log) Lists(ctx context.Context) ([]ListInfo, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT l.id, l.name, l.format, l.created_us, l.skipped,
		(SELECT count(*) FROM list_items i WHERE i.list_id = l.id)
		FROM lists l ORDER BY l.id`)
	if err != nil {
		return nil, fmt.Errorf("target lists: %w", err)
	}
	defer rows.Close()
	var out []ListInfo
	for rows.Next() {
		var li ListInfo
		var us int64
		if err := rows.Scan(&li.ID, &li.Name, &li.Format, &us, &li.Skipped, &li.Items); err != nil {
			return nil, fmt.Errorf("target lists: %w", err)
		}
		li.Created = time.UnixMicro(us).UTC()
		out = append(out, li)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("target lists: %w", err)
	}
	return out, nil
}

// TargetList returns the stored list with the given id, items in file
// order, or an error wrapping ErrNotFound.
func (l *Log) TargetList(ctx context.Context, id int64) (TargetList, error) {
	tl := TargetList{ID: id}
	var us int64
	err := l.db.QueryRowContext(ctx, "SELECT name, format, created_us, skipped FROM lists WHERE id = ?", id).
		Scan(&tl.Name, &tl.Format, &us, &tl.Skipped)
	if errors.Is(err, sql.ErrNoRows) {
		return TargetList{}, fmt.Errorf("target list %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return TargetList{}, fmt.Errorf("target list %d: %w", id, err)
	}
	tl.Created = time.UnixMicro(us).UTC()
	rows, err := l.db.QueryContext(ctx, `SELECT name, designations, has_pos, ra, dec, comment, observed_us
		FROM list_items WHERE list_id = ? ORDER BY pos`, id)
	if err != nil {
		return TargetList{}, fmt.Errorf("target list %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var ds string
		var obs int64
		if err := rows.Scan(&it.Target.Name, &ds, &it.Target.HasPosition, &it.Target.RA, &it.Target.Dec, &it.Comment, &obs); err != nil {
			return TargetList{}, fmt.Errorf("target list %d: %w", id, err)
		}
		if ds != "" {
			it.Target.Designations = strings.Split(ds, "\n")
		}
		if obs != 0 {
			it.Observed = time.UnixMicro(obs).UTC()
		}
		tl.Items = append(tl.Items, it)
	}
	if err := rows.Err(); err != nil {
		return TargetList{}, fmt.Errorf("target list %d: %w", id, err)
	}
	return tl, nil
}

// DeleteList removes the stored list with the given id and its items.
func (l *Log) DeleteList(ctx context.Context, id int64) error {
	res, err := l.db.ExecContext(ctx, "DELETE FROM lists WHERE id = ?", id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("delete target list %d: %w", id, err)
	}
	return nil
}

// WriteSkylist writes a target list as a SkySafari .skylist.
func WriteSkylist(w io.Writer, tl TargetList) error {
	return writeSkylist(w, tl.Items)
}
