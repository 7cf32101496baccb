package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pifinder-go/pifinder/integrator/record"

	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/state"
)

// Replay is `pifinder replay [--json] [--verify] [--screen-direction D] FILE`:
// it replays a recording and prints one line per published estimate (time,
// source, aligned RA/Dec/Roll, Alt/Az, constellation), or JSON lines with
// --json. --verify also checks the replay against the recorded estimates.
// It returns the process exit code: 0 ok, 1 failure, 2 usage.
func Replay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print estimates as JSON lines")
	verify := fs.Bool("verify", false, "check the replay reproduces the recorded estimates")
	dir := fs.String("screen-direction", "", "override the recording's screen_direction")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pifinder replay [--json] [--verify] [--screen-direction D] FILE")
		fs.PrintDefaults()
	}
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
	cfg := integrator.Config{ScreenDirection: *dir}

	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "replay: %v\n", err)
		return 1
	}
	defer f.Close()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	var werr error
	print := func(e state.Estimate) {
		if werr != nil {
			return
		}
		if *asJSON {
			werr = enc.Encode(e)
			return
		}
		_, werr = fmt.Fprintln(w, record.FormatEstimate(e))
	}
	if err := record.Replay(bufio.NewReader(f), cfg, print); err != nil {
		fmt.Fprintf(stderr, "replay: %s: %v\n", path, err)
		return 1
	}
	if werr != nil {
		fmt.Fprintf(stderr, "replay: write: %v\n", werr)
		return 1
	}
	if *verify {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintf(stderr, "replay: %v\n", err)
			return 1
		}
		n, err := record.Verify(bufio.NewReader(f), cfg)
		if err != nil {
			fmt.Fprintf(stderr, "replay: %s: %v\n", path, err)
			return 1
		}
		fmt.Fprintf(stderr, "replay: %d estimates reproduced exactly\n", n)
	}
	return 0
}
