package record

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/state"
)

// FormatEstimate is the one-line text form of an estimate: time, source,
// aligned RA/Dec/Roll, Alt/Az ("-" when unknown) and constellation.
func FormatEstimate(e state.Estimate) string {
	src := string(e.Source)
	if src == "" {
		src = "-"
	}
	p := e.Aligned.Estimate
	pos := "ra=- dec=- roll=-"
	if p.Valid {
		pos = fmt.Sprintf("ra=%.4f dec=%+.4f roll=%.2f", p.RA, p.Dec, p.Roll)
	}
	altaz := "alt=- az=-"
	if e.HasAltAz {
		altaz = fmt.Sprintf("alt=%+.2f az=%.2f", e.Alt, e.Az)
	}
	con := e.Constellation
	if con == "" {
		con = "-"
	}
	ts := "-"
	if !e.EstimateTime.IsZero() {
		ts = e.EstimateTime.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%s %s %s %s %s matches=%d", ts, src, pos, altaz, con, e.Diag.Matches)
}
