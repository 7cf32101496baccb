package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pifinder-go/pifinder/internal/obslog"
	"github.com/pifinder-go/pifinder/pipeline"
)

const logSynopsis = "pifinder log list|export|import-pifinder|import-list [flags] ..."

const logAbout = `Reads and fills the observing log, the SQLite file the running finder's
HTTP API writes ("Observed": POST /api/log). Each subcommand takes --help:

  pifinder log list [--db FILE] [--json] [--target T] [--limit N]
  pifinder log export --csv|--skylist [--db FILE]      (to stdout)
  pifinder log import-pifinder FILE [--db FILE]        (PiFinder_data/observations.db)
  pifinder log import-list FILE [--name N] [--db FILE] (.skylist or CSV)

Exit status 0 done, 1 failure (a file that cannot be read or written, a
bad list), 2 bad usage.
`

// Log runs `log list|export|import-pifinder|import-list ...` with args
// after "log" and returns the exit status: 0 done, 1 failure, 2 bad usage.
func Log(args []string, stdout, stderr io.Writer) int {
	c := newCommand("log", logSynopsis, logAbout)
	if len(args) == 0 {
		return c.usageError(stderr, "no subcommand given (want list, export, import-pifinder or import-list)")
	}
	subs := map[string]func([]string, io.Writer, io.Writer) int{
		"list": logList, "export": logExport, "import-pifinder": logImportPiFinder, "import-list": logImportList,
	}
	if run, ok := subs[args[0]]; ok {
		return run(args[1:], stdout, stderr)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		c.help(stdout)
		for _, sub := range []*command{
			logListCommand(new(logListFlags)), logExportCommand(new(string), new(bool), new(bool)),
			importPiFinderCommand(new(string)), importListCommand(new(string), new(string)),
		} {
			fmt.Fprintf(stdout, "\n%s\n\n", strings.Repeat("-", 72))
			sub.help(stdout)
		}
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		return c.usageError(stderr, "flag provided but not defined: %s (give it after the subcommand)", args[0])
	}
	return c.usageError(stderr, "unknown subcommand %q (want list, export, import-pifinder or import-list)", args[0])
}

// dbFlag registers --db, the log's file.
func dbFlag(c *command, db *string) {
	c.fs.StringVar(db, "db", pipeline.DefaultObsLogPath(), "the observing log `FILE` (the finder's --obslog)")
}

// openExisting opens the log for reading, refusing to create one: a typo
// in --db should say so, not list an empty new log.
func openExisting(c *command, db string, stderr io.Writer) (*obslog.Log, int, bool) {
	if db == "" {
		return nil, c.usageError(stderr, "no --db given and no home directory for the default"), false
	}
	if _, err := os.Stat(db); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, c.fail(stderr, db, errors.New("no observing log here (nothing logged yet, or another --db?)")), false
		}
		return nil, c.fail(stderr, db, err), false
	}
	return openLog(c, db, stderr)
}

func openLog(c *command, db string, stderr io.Writer) (*obslog.Log, int, bool) {
	if db == "" {
		return nil, c.usageError(stderr, "no --db given and no home directory for the default"), false
	}
	l, err := obslog.Open(db)
	if err != nil {
		return nil, c.fail(stderr, db, err), false
	}
	return l, exitOK, true
}

// closeLog closes l, turning a failure into exit status 1 when the command
// had succeeded so far (Close checkpoints what was written).
func closeLog(c *command, l *obslog.Log, code int, stderr io.Writer) int {
	if err := l.Close(); err != nil && code == exitOK {
		return c.fail(stderr, l.Path(), err)
	}
	return code
}

type logListFlags struct {
	db, target string
	limit      int
	json       bool
}

const logListAbout = `Lists the observing log, newest first: time (UTC), target, its position,
the site, the pointing's source and matched stars, and the notes' first
line. --json writes one JSON array with every field instead.
`

func logListCommand(f *logListFlags) *command {
	c := newCommand("log list", "pifinder log list [--db FILE] [--json] [--target T] [--limit N]", logListAbout)
	dbFlag(c, &f.db)
	c.fs.BoolVar(&f.json, "json", false, "write JSON (an array of entries) instead of a table")
	c.fs.StringVar(&f.target, "target", "", "keep entries whose name or a designation contains `T` (\"m31\" matches \"M 31\")")
	c.fs.IntVar(&f.limit, "limit", 0, "list at most this many (0: all)")
	return c
}

// logJSON is an entry of `log list --json`, in the HTTP API's spelling.
type logJSON struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Target struct {
		Name         string   `json:"name"`
		Designations []string `json:"designations"`
		RA           *float64 `json:"ra_deg"`
		Dec          *float64 `json:"dec_deg"`
	} `json:"target"`
	Site *struct {
		Lat    float64 `json:"lat_deg"`
		Lon    float64 `json:"lon_deg"`
		AltM   float64 `json:"alt_m"`
		Source string  `json:"source"`
	} `json:"site"`
	Pointing *struct {
		RA     float64 `json:"ra_deg"`
		Dec    float64 `json:"dec_deg"`
		Source string  `json:"source"`
	} `json:"pointing"`
	Stars int    `json:"stars"`
	Notes string `json:"notes"`
}

func toLogJSON(e obslog.Entry) logJSON {
	var j logJSON
	j.ID, j.Time, j.Stars, j.Notes = e.ID, e.Time.UTC(), e.Stars, e.Notes
	j.Target.Name, j.Target.Designations = e.Target.Name, e.Target.Designations
	if j.Target.Designations == nil {
		j.Target.Designations = []string{}
	}
	if e.Target.HasPosition {
		ra, dec := e.Target.RA, e.Target.Dec
		j.Target.RA, j.Target.Dec = &ra, &dec
	}
	if s := e.Site; s.Known() {
		j.Site = &struct {
			Lat    float64 `json:"lat_deg"`
			Lon    float64 `json:"lon_deg"`
			AltM   float64 `json:"alt_m"`
			Source string  `json:"source"`
		}{s.Lat, s.Lon, s.AltM, s.Source}
	}
	if p := e.Pointing; p.Known() {
		j.Pointing = &struct {
			RA     float64 `json:"ra_deg"`
			Dec    float64 `json:"dec_deg"`
			Source string  `json:"source"`
		}{p.RA, p.Dec, p.Source}
	}
	return j
}

func logList(args []string, stdout, stderr io.Writer) int {
	var f logListFlags
	c := logListCommand(&f)
	if code, ok := c.parse(args, stdout, stderr); !ok {
		return code
	}
	if c.fs.NArg() > 0 {
		return c.usageError(stderr, "unexpected argument %q", c.fs.Arg(0))
	}
	if f.limit < 0 {
		return c.usageError(stderr, "--limit %d: want 0 (all) or more", f.limit)
	}
	l, code, ok := openExisting(c, f.db, stderr)
	if !ok {
		return code
	}
	entries, err := l.List(context.Background(), obslog.Filter{Target: f.target, Newest: true, Limit: f.limit})
	if err != nil {
		return closeLog(c, l, c.fail(stderr, f.db, err), stderr)
	}
	w := bufio.NewWriter(stdout)
	if f.json {
		out := make([]logJSON, len(entries))
		for i, e := range entries {
			out[i] = toLogJSON(e)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(out)
	} else {
		err = writeLogTable(w, entries)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return closeLog(c, l, c.fail(stderr, "stdout", err), stderr)
	}
	return closeLog(c, l, exitOK, stderr)
}

func writeLogTable(w io.Writer, entries []obslog.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME (UTC)\tTARGET\tRA\tDEC\tSITE\tPOINTING\tSTARS\tNOTES")
	for _, e := range entries {
		ra, dec := "-", "-"
		if e.Target.HasPosition {
			ra, dec = fmt.Sprintf("%.4f", e.Target.RA), fmt.Sprintf("%+.4f", e.Target.Dec)
		}
		site := "-"
		if e.Site.Known() {
			site = fmt.Sprintf("%.4f,%.4f (%s)", e.Site.Lat, e.Site.Lon, e.Site.Source)
		}
		pointing := "-"
		if e.Pointing.Known() {
			pointing = e.Pointing.Source
		}
		notes, _, _ := strings.Cut(e.Notes, "\n")
		if r := []rune(notes); len(r) > 40 {
			notes = string(r[:39]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", e.ID, e.Time.UTC().Format("2006-01-02 15:04:05"),
			e.Target.Name, ra, dec, site, pointing, e.Stars, notes)
	}
	return tw.Flush()
}

const logExportAbout = `Writes the whole observing log to stdout, oldest first: --csv as CSV (one
row per entry, decimal degrees; pifinder log import-list reads it back as a
target list), --skylist as a SkySafari observing list with each entry's
time as DateObserved and its notes as Comment.
`

func logExportCommand(db *string, csv, skylist *bool) *command {
	c := newCommand("log export", "pifinder log export --csv|--skylist [--db FILE]", logExportAbout)
	dbFlag(c, db)
	c.fs.BoolVar(csv, "csv", false, "write CSV")
	c.fs.BoolVar(skylist, "skylist", false, "write a SkySafari .skylist")
	return c
}

func logExport(args []string, stdout, stderr io.Writer) int {
	var db string
	var csv, skylist bool
	c := logExportCommand(&db, &csv, &skylist)
	if code, ok := c.parse(args, stdout, stderr); !ok {
		return code
	}
	if c.fs.NArg() > 0 {
		return c.usageError(stderr, "unexpected argument %q (the export goes to stdout)", c.fs.Arg(0))
	}
	if csv == skylist {
		return c.usageError(stderr, "give one of --csv or --skylist")
	}
	l, code, ok := openExisting(c, db, stderr)
	if !ok {
		return code
	}
	w := bufio.NewWriter(stdout)
	export := l.ExportCSV
	if skylist {
		export = l.ExportSkylist
	}
	err := export(context.Background(), w, obslog.Filter{})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return closeLog(c, l, c.fail(stderr, db, err), stderr)
	}
	return closeLog(c, l, exitOK, stderr)
}

const importPiFinderAbout = `Adds the observations of the Python PiFinder's log
(PiFinder_data/observations.db on its SD card) to the observing log. The
PiFinder file is only read; importing it again adds only what is new.
`

func importPiFinderCommand(db *string) *command {
	c := newCommand("log import-pifinder", "pifinder log import-pifinder FILE [--db FILE]", importPiFinderAbout)
	dbFlag(c, db)
	return c
}

func logImportPiFinder(args []string, stdout, stderr io.Writer) int {
	var db string
	c := importPiFinderCommand(&db)
	words, code, ok := parseInterspersed(c, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(words) != 1 {
		return c.usageError(stderr, "want one PiFinder observations.db, got %d arguments", len(words))
	}
	src := words[0]
	l, code, ok := openLog(c, db, stderr)
	if !ok {
		return code
	}
	res, err := l.ImportPiFinder(context.Background(), src)
	if err != nil {
		return closeLog(c, l, c.fail(stderr, src, err), stderr)
	}
	fmt.Fprintf(stdout, "%s: %d added, %d already imported, %d skipped (no readable time or name)\n",
		src, res.Added, res.Duplicates, res.Skipped)
	return closeLog(c, l, exitOK, stderr)
}

const importListAbout = `Stores a target list: a SkySafari .skylist, or a CSV with a header naming
its columns (name, ra, dec, designations, comment; RA in degrees or h:m:s,
Dec in degrees or d:m:s) or a single column of names. At most 1 MiB and
10,000 targets. The list is named after the file unless --name is given.
`

func importListCommand(db, name *string) *command {
	c := newCommand("log import-list", "pifinder log import-list FILE [--name N] [--db FILE]", importListAbout)
	dbFlag(c, db)
	c.fs.StringVar(name, "name", "", "the list's `NAME` (default: the file's name without its extension)")
	return c
}

func logImportList(args []string, stdout, stderr io.Writer) int {
	var db, name string
	c := importListCommand(&db, &name)
	words, code, ok := parseInterspersed(c, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(words) != 1 {
		return c.usageError(stderr, "want one list file, got %d arguments", len(words))
	}
	src := words[0]
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	}
	in, err := os.Open(src)
	if err != nil {
		return c.fail(stderr, src, err)
	}
	defer in.Close()
	l, code, ok := openLog(c, db, stderr)
	if !ok {
		return code
	}
	tl, err := l.ImportList(context.Background(), in, name)
	if err != nil {
		return closeLog(c, l, c.fail(stderr, src, err), stderr)
	}
	fmt.Fprintf(stdout, "%s: list %d %q (%s): %d targets", src, tl.ID, tl.Name, tl.Format, len(tl.Items))
	if tl.Skipped > 0 {
		fmt.Fprintf(stdout, ", %d skipped (neither a name nor a position)", tl.Skipped)
	}
	fmt.Fprintln(stdout)
	return closeLog(c, l, exitOK, stderr)
}
