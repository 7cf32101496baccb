package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/pifinder-go/pifinder/solver/db"

	"golang.org/x/term"

	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

// DB runs `db build ...` or `db info FILE` with args after "db" and
// returns the exit status. Progress goes to stderr only when it is a
// terminal.
func DB(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: pifinder db build|info ... (see pifinder db build --help)")
		return 2
	}
	switch args[0] {
	case "build":
		return dbBuild(args[1:], stdout, stderr)
	case "info":
		return dbInfo(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "usage:\n  pifinder db build --catalog FILE --fov-min DEG --fov-max DEG [--mag-limit M] [--epoch YEAR] -o FILE\n  pifinder db info FILE")
		return 0
	}
	fmt.Fprintf(stderr, "db: unknown subcommand %q (want build or info)\n", args[0])
	return 2
}

// currentEpoch is the current date as a Julian year, to 0.1 year.
func currentEpoch() float64 {
	now := time.Now().UTC()
	y := float64(now.Year()) + float64(now.YearDay()-1)/365.25
	return math.Round(y*10) / 10
}

func dbBuild(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("db build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o db.BuildOptions
	cat := fs.String("catalog", "", "hip8-style CSV catalogue (required)")
	out := fs.String("o", "", "output database file (required)")
	fs.Float64Var(&o.FOVMin, "fov-min", 0, "smallest field to cover, degrees, shorter side of the frame (required)")
	fs.Float64Var(&o.FOVMax, "fov-max", 0, "largest field to cover, degrees (required)")
	fs.Float64Var(&o.MagLimit, "mag-limit", 8, "faintest V magnitude kept")
	fs.Float64Var(&o.Epoch, "epoch", currentEpoch(), "Julian year to apply proper motion to (default: now)")
	fs.Float64Var(&o.MergePx, "merge-px", 2, "merge star pairs closer than this many pixels of a 512-px frame at --fov-min")
	fs.IntVar(&o.Scales, "scales", 0, "pattern scales between --fov-min and --fov-max (0: steps of at most 1.45x)")
	fs.IntVar(&o.PatternStars, "pattern-stars", 8, "brightest stars per lattice field that form patterns")
	fs.Float64Var(&o.Oversample, "oversample", 6, "lattice fields per field area")
	fs.IntVar(&o.StarsPerField, "stars-per-field", 200, "density cap: stars kept per smallest field")
	fs.IntVar(&o.KeyBins, "key-bins", 40, "quantisation bins per edge ratio in the hash key")
	fs.IntVar(&o.Workers, "workers", 0, "parallel workers (0: GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *cat == "" || *out == "" || o.FOVMin == 0 || o.FOVMax == 0 || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "db build: need --catalog, --fov-min, --fov-max and -o, and no other arguments")
		fs.Usage()
		return 2
	}
	t0 := time.Now()
	stars, err := starcat.Load(*cat)
	if err != nil {
		fmt.Fprintf(stderr, "db build: %v\n", err)
		return 1
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
		fmt.Fprintf(stderr, "db build: %v\n", err)
		return 1
	}
	b := d.Encode()
	if err := writeAtomic(*out, b); err != nil {
		fmt.Fprintf(stderr, "db build: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d stars, %d patterns, %d bytes, %.1f s\n",
		*out, d.Header.Stars, d.Header.Patterns, len(b), time.Since(t0).Seconds())
	return 0
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".db-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func dbInfo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("db info", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: pifinder db info FILE  (prints the header and checks the file)") }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	path := fs.Arg(0)
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "db info: %v\n", err)
		return 1
	}
	h, err := db.DecodeHeader(b)
	if err != nil {
		fmt.Fprintf(stderr, "db info: %s: %v\n", path, err)
		return 1
	}
	fmt.Fprintf(stdout, "file: %s (%d bytes)\n%s\n", path, len(b), h.String())
	for i := 0; i < int(h.Scales); i++ {
		fmt.Fprintf(stdout, "scale %d: %.2f deg\n", i, h.ScaleFOV(i))
	}
	if _, err := db.Decode(b); err != nil {
		fmt.Fprintf(stdout, "integrity: FAILED: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "integrity: ok")
	return 0
}
