package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/integrator/record"
	"github.com/pifinder-go/pifinder/state"
)

// ReplayRecord is one line of `pifinder replay --json`: one published
// estimate, with the field names of the HTTP API and `solve --json`. A
// value that is not known is null.
type ReplayRecord struct {
	// Time is the estimate's time (exposure end of the solve, or the IMU
	// sample's time), UTC.
	Time *time.Time `json:"time"`
	// Source is "CAM", "CAM_FAILED" or "IMU".
	Source string `json:"source"`
	// RA, Dec, Roll are the aligned (eyepiece) axis estimate, J2000 degrees.
	RA   *float64 `json:"ra_deg"`
	Dec  *float64 `json:"dec_deg"`
	Roll *float64 `json:"roll_deg"`
	// Alt, Az are the aligned axis at the recorded site and datetime, in
	// degrees, azimuth from north through east; null without a datetime.
	Alt *float64 `json:"alt_deg"`
	Az  *float64 `json:"az_deg"`
	// Constellation is the IAU abbreviation at the aligned axis.
	Constellation string `json:"constellation"`
	// Matches is the star count of the last solve attempt.
	Matches int `json:"matches"`
	// LastSolveAttempt, LastSolveSuccess are the exposure ends of the last
	// solve attempt and of the last successful one.
	LastSolveAttempt *time.Time `json:"last_solve_attempt"`
	LastSolveSuccess *time.Time `json:"last_solve_success"`
}

func finitePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func utcPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// replayRecord is the --json form of e.
func replayRecord(e state.Estimate) ReplayRecord {
	r := ReplayRecord{
		Time:             utcPtr(e.EstimateTime),
		Source:           string(e.Source),
		Constellation:    e.Constellation,
		Matches:          e.Diag.Matches,
		LastSolveAttempt: utcPtr(e.LastSolveAttempt),
		LastSolveSuccess: utcPtr(e.LastSolveSuccess),
	}
	if p := e.Aligned.Estimate; p.Valid {
		r.RA, r.Dec, r.Roll = finitePtr(p.RA), finitePtr(p.Dec), finitePtr(p.Roll)
	}
	if e.HasAltAz {
		r.Alt, r.Az = finitePtr(e.Alt), finitePtr(e.Az)
	}
	return r
}

const replayAbout = `Replays a session recorded with pifinder --record FILE through the
integrator and prints one line per published estimate:

  TIME SOURCE ra=RA dec=DEC roll=ROLL alt=ALT az=AZ CONSTELLATION matches=N

("-" for what is not known), or with --json one JSON object per line:

  time                UTC time of the estimate (exposure end of the solve,
                      or the IMU sample's time)
  source              "CAM", "CAM_FAILED" or "IMU"
  ra_deg, dec_deg,    the aligned (eyepiece) axis, J2000 degrees
  roll_deg
  alt_deg, az_deg     altitude and azimuth (from north through east) at the
                      recorded site and datetime, degrees
  constellation       IAU abbreviation
  matches             matched stars of the last solve attempt
  last_solve_attempt, exposure ends of the last solve attempt and of the
  last_solve_success  last successful one

A value that is not known is null. The replay uses the recorded site and
datetime of every step, so Alt/Az are those of the session.

A last line cut off (a session stopped while writing it: a full disk, a
power cut) is ignored with a warning on stderr; damage anywhere else is an
error naming the line.

Exit status 0 when the recording was replayed (and, with --verify, matched),
1 when it could not be read or did not match, 2 for bad usage.
`

type replayOptions struct {
	json, verify    bool
	screenDirection string
}

func replayCommand() (*command, *replayOptions) {
	c := newCommand("replay", "pifinder replay [--json] [--verify] [--screen-direction D] FILE", replayAbout)
	o := &replayOptions{}
	c.fs.BoolVar(&o.json, "json", false, "print the estimates as JSON lines (fields above)")
	c.fs.BoolVar(&o.verify, "verify", false, "check that the replay reproduces the recorded estimates exactly (report on stderr)")
	c.fs.StringVar(&o.screenDirection, "screen-direction", "", "replay as PiFinder build `D` (IMU mounting: right, left, flat, straight, ...) instead of the recording's screen_direction")
	return c, o
}

// Replay is `pifinder replay [--json] [--verify] [--screen-direction D] FILE`:
// it replays a recording and prints one line per published estimate (time,
// source, aligned RA/Dec/Roll, Alt/Az, constellation), or a ReplayRecord
// per line with --json. --verify also checks the replay against the
// recorded estimates. A recording whose last line is cut off replays up to
// it with a warning on stderr. It returns the exit status.
func Replay(args []string, stdout, stderr io.Writer) int {
	c, o := replayCommand()
	if code, ok := c.parse(args, stdout, stderr); !ok {
		return code
	}
	if c.fs.NArg() != 1 {
		return c.usageError(stderr, "want one recording FILE, got %d arguments", c.fs.NArg())
	}
	cfg := integrator.Config{ScreenDirection: o.screenDirection}
	if o.screenDirection != "" {
		if _, err := integrator.NewCore(cfg); err != nil {
			return c.usageError(stderr, "--screen-direction %q: %s", o.screenDirection, trimTags(err.Error()))
		}
	}
	path := c.fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return c.fail(stderr, path, err)
	}
	defer f.Close()
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	var werr error
	emit := func(e state.Estimate) {
		if werr != nil {
			return
		}
		if o.json {
			werr = enc.Encode(replayRecord(e))
			return
		}
		_, werr = fmt.Fprintln(w, record.FormatEstimate(e))
	}
	err = record.Replay(bufio.NewReader(f), cfg, emit)
	if werr == nil {
		werr = w.Flush()
	}
	if errors.Is(err, record.ErrTruncated) {
		fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, fileError(path, err))
		err = nil
	}
	if err != nil {
		return c.fail(stderr, path, err)
	}
	if werr != nil {
		return c.fail(stderr, "stdout", werr)
	}
	if o.verify {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return c.fail(stderr, path, err)
		}
		// A cut-off last line was reported above.
		n, err := record.Verify(bufio.NewReader(f), cfg)
		if err != nil && !errors.Is(err, record.ErrTruncated) {
			return c.fail(stderr, path, err)
		}
		fmt.Fprintf(stderr, "replay: %s: %d estimates reproduced exactly\n", path, n)
	}
	return exitOK
}
