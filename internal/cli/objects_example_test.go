package cli_test

import (
	"os"

	"github.com/pifinder-go/pifinder/internal/cli"
)

// `pifinder objects search` lists the best matches with their kind,
// magnitude, constellation and J2000 position.
func ExampleObjects() {
	cli.Objects([]string{"search", "--limit", "1", "ring", "nebula"}, os.Stdout, os.Stderr)
	// Output:
	// NAME              KIND              MAG  CON  RA (J2000)   DEC
	// M 57 Ring Nebula  planetary nebula  9.0  Lyr  18h53m36.0s  +33°02′00″
}
