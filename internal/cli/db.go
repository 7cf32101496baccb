package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/internal/atomicfile"

	"github.com/pifinder-go/pifinder/solver/db"

	"golang.org/x/term"

	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

const dbSynopsis = "pifinder db build|info [flags] ..."

const dbAbout = `Builds or inspects a solver pattern database. Each subcommand takes --help:

  pifinder db build --catalog FILE --fov-min DEG --fov-max DEG [flags] -o FILE
  pifinder db info FILE
`

// DB runs `db build ...` or `db info FILE` with args after "db" and
// returns the exit status. Progress goes to stderr only when it is a
// terminal. `db --help` prints the help of both subcommands.
func DB(args []string, stdout, stderr io.Writer) int {
	c := newCommand("db", dbSynopsis, dbAbout)
	if len(args) == 0 {
		return c.usageError(stderr, "no subcommand given (want build or info)")
	}
	switch args[0] {
	case "build":
		return dbBuild(args[1:], stdout, stderr)
	case "info":
		return dbInfo(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		c.help(stdout)
		for _, sub := range []*command{dbBuildCommand(new(dbBuildOptions)), dbInfoCommand()} {
			fmt.Fprintf(stdout, "\n%s\n\n", strings.Repeat("-", 72))
			sub.help(stdout)
		}
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		return c.usageError(stderr, "flag provided but not defined: %s (give it after build or info)", args[0])
	}
	return c.usageError(stderr, "unknown subcommand %q (want build or info)", args[0])
}

// currentEpoch is the current date as a Julian year, to 0.1 year.
func currentEpoch() float64 {
	now := time.Now().UTC()
	y := float64(now.Year()) + float64(now.YearDay()-1)/365.25
	return math.Round(y*10) / 10
}

const dbBuildAbout = `Builds a pattern database from a hip8-style CSV star catalogue, covering
fields of view from --fov-min to --fov-max degrees, and writes it to -o FILE
(atomically). Exit status 0 when written, 1 when the catalogue could not be
read or the database not built or written, 2 for bad usage.
`

type dbBuildOptions struct {
	db.BuildOptions
	catalog, out string
}

func dbBuildCommand(o *dbBuildOptions) *command {
	c := newCommand("db build", "pifinder db build --catalog FILE --fov-min DEG --fov-max DEG [flags] -o FILE", dbBuildAbout)
	fs := c.fs
	fs.StringVar(&o.catalog, "catalog", "", "hip8-style CSV catalogue `FILE` (required)")
	fs.StringVar(&o.out, "o", "", "output database `FILE` (required)")
	fs.Float64Var(&o.FOVMin, "fov-min", 0, "smallest field to cover, degrees, shorter side of the frame (required)")
	fs.Float64Var(&o.FOVMax, "fov-max", 0, "largest field to cover, degrees (required)")
	fs.Float64Var(&o.MagLimit, "mag-limit", 8, "faintest V magnitude kept")
	fs.Float64Var(&o.Epoch, "epoch", currentEpoch(), "Julian year to apply proper motion to (default: today, to 0.1 year)")
	fs.Float64Var(&o.MergePx, "merge-px", 2, "merge star pairs closer than this many pixels of a 512-px frame at --fov-min")
	fs.IntVar(&o.Scales, "scales", 0, "pattern scales between --fov-min and --fov-max (0: steps of at most 1.45x)")
	fs.IntVar(&o.PatternStars, "pattern-stars", 8, "brightest stars per lattice field that form patterns")
	fs.Float64Var(&o.Oversample, "oversample", 6, "lattice fields per field area")
	fs.IntVar(&o.StarsPerField, "stars-per-field", 200, "density cap: stars kept per smallest field")
	fs.IntVar(&o.KeyBins, "key-bins", 40, "quantisation bins per edge ratio in the hash key")
	fs.IntVar(&o.Workers, "workers", 0, "parallel workers (0: GOMAXPROCS)")
	return c
}

func dbBuild(args []string, stdout, stderr io.Writer) int {
	var opts dbBuildOptions
	c := dbBuildCommand(&opts)
	if code, ok := c.parse(args, stdout, stderr); !ok {
		return code
	}
	o, cat, out := opts.BuildOptions, opts.catalog, opts.out
	if cat == "" || out == "" || o.FOVMin == 0 || o.FOVMax == 0 {
		return c.usageError(stderr, "need --catalog, --fov-min, --fov-max and -o")
	}
	if c.fs.NArg() != 0 {
		return c.usageError(stderr, "unexpected argument %q", c.fs.Arg(0))
	}
	if !(o.FOVMin > 0 && o.FOVMax >= o.FOVMin) {
		return c.usageError(stderr, "need 0 < --fov-min <= --fov-max")
	}
	t0 := time.Now()
	stars, err := starcat.Load(cat)
	if err != nil {
		return c.fail(stderr, cat, err)
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		last := time.Time{}
		o.Progress = func(stage string, done, total int) {
			if now := time.Now(); now.Sub(last) > 100*time.Millisecond || done == total {
				last = now
				fmt.Fprintf(stderr, "\r%-10s %3d%%", stage, 100*done/max(total, 1))
				if stage == "patterns" && done == total {
					fmt.Fprintln(stderr)
				}
			}
		}
	}
	d, err := db.Build(context.Background(), stars, o)
	if err != nil {
		return c.fail(stderr, cat, err) // the options were checked against the catalogue's stars
	}
	b := d.Encode()
	if err := atomicfile.Write(out, b, 0o644); err != nil {
		return c.fail(stderr, out, err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d stars, %d patterns, %d bytes, %.1f s\n",
		out, d.Header.Stars, d.Header.Patterns, len(b), time.Since(t0).Seconds())
	return 0
}

const dbInfoAbout = `Prints the header of a pattern database and checks the whole file. Exit
status 0 when the file is intact, 1 when it cannot be read or fails the
check, 2 for bad usage.
`

func dbInfoCommand() *command {
	return newCommand("db info", "pifinder db info FILE", dbInfoAbout)
}

func dbInfo(args []string, stdout, stderr io.Writer) int {
	c := dbInfoCommand()
	if code, ok := c.parse(args, stdout, stderr); !ok {
		return code
	}
	if c.fs.NArg() != 1 {
		return c.usageError(stderr, "want one database FILE, got %d arguments", c.fs.NArg())
	}
	path := c.fs.Arg(0)
	b, err := os.ReadFile(path)
	if err != nil {
		return c.fail(stderr, path, err)
	}
	h, err := db.DecodeHeader(b)
	if err != nil {
		return c.fail(stderr, path, err)
	}
	fmt.Fprintf(stdout, "file: %s (%d bytes)\n%s\n", path, len(b), h.String())
	for i := 0; i < int(h.Scales); i++ {
		fmt.Fprintf(stdout, "scale %d: %.2f deg\n", i, h.ScaleFOV(i))
	}
	if _, err := db.Decode(b); err != nil {
		fmt.Fprintf(stdout, "integrity: FAILED: %s\n", trimTags(err.Error()))
		return c.fail(stderr, path, err)
	}
	fmt.Fprintln(stdout, "integrity: ok")
	return 0
}
