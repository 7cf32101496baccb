package obslog

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvHeader is ExportCSV's header. Angles are decimal degrees with enough
// digits to round-trip; empty cells mean "not recorded". ImportList reads
// the target, designations, target_ra_deg, target_dec_deg and notes
// columns, so an exported log can come back as a target list.
var csvHeader = []string{
	"id", "time_utc", "target", "designations", "target_ra_deg", "target_dec_deg",
	"site_lat", "site_lon", "site_alt_m", "site_source",
	"pointing_ra_deg", "pointing_dec_deg", "pointing_source", "stars", "notes",
}

// ExportCSV writes the entries f selects as CSV (RFC 4180, with a header),
// streaming them so a long log needs no memory to speak of.
func (l *Log) ExportCSV(ctx context.Context, w io.Writer, f Filter) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("export CSV: %w", err)
	}
	rec := make([]string, len(csvHeader))
	err := l.each(ctx, f, func(e Entry) error {
		for i := range rec {
			rec[i] = ""
		}
		rec[0] = strconv.FormatInt(e.ID, 10)
		rec[1] = e.Time.Format(time.RFC3339Nano)
		rec[2] = e.Target.Name
		rec[3] = strings.Join(e.Target.Designations, ";")
		if e.Target.HasPosition {
			rec[4], rec[5] = num(e.Target.RA), num(e.Target.Dec)
		}
		if e.Site.Known() {
			rec[6], rec[7], rec[8], rec[9] = num(e.Site.Lat), num(e.Site.Lon), num(e.Site.AltM), e.Site.Source
		}
		if e.Pointing.Known() {
			rec[10], rec[11], rec[12] = num(e.Pointing.RA), num(e.Pointing.Dec), e.Pointing.Source
		}
		rec[13] = strconv.Itoa(e.Stars)
		rec[14] = e.Notes
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("export CSV: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export CSV: %w", err)
	}
	return nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ExportSkylist writes the entries f selects as a SkySafari .skylist, one
// object per entry with its time as DateObserved and its notes as Comment,
// so SkySafari shows them as observed.
func (l *Log) ExportSkylist(ctx context.Context, w io.Writer, f Filter) error {
	var items []Item
	err := l.each(ctx, f, func(e Entry) error {
		items = append(items, Item{Target: e.Target, Comment: e.Notes, Observed: e.Time})
		return nil
	})
	if err != nil {
		return fmt.Errorf("export skylist: %w", err)
	}
	return writeSkylist(w, items)
}
