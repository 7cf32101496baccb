package lx200_test

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/serve/lx200"
	"github.com/pifinder-go/pifinder/state"
)

// Example runs the pure protocol layer: bytes in, commands out, replies out.
// The network server (lx200.New(cfg).Serve(ctx, ln)) does exactly this for
// every read of every client.
func Example() {
	st := state.Default()
	st.Estimate.Aligned.Estimate = state.PointingOf(45, -0.5, 0) // J2000
	in := lx200.Input{
		State:    st,
		Now:      time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC),
		ToDate:   lx200.DefaultToDate,
		FromDate: lx200.DefaultFromDate,
	}
	var sc lx200.Scanner
	var sess lx200.Session
	for _, c := range sc.Feed([]byte(":GR#:GD#:Sr03:01:23#:Sd-00*23:33#:MS#"), nil) {
		r := sess.Handle(c, in)
		fmt.Printf("%s%s → %q", c.Name, c.Arg, r.Reply)
		if r.Target != nil {
			fmt.Printf(" goto J2000 (%.3f, %.3f)", r.Target.RA, r.Target.Dec)
		}
		fmt.Println()
	}
	// Output:
	// GR → "03:01:23#"
	// GD → "-00*23'33#"
	// Sr03:01:23 → "1"
	// Sd-00*23:33 → "1" goto J2000 (45.000, -0.500)
	// MS → "0"
}
