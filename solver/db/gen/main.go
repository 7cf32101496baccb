// Command gen rebuilds the embedded default database (go generate in
// solver/db). It takes the arguments of `pifinder db`.
package main

import (
	"os"

	"github.com/pifinder-go/pifinder/internal/cli"
)

func main() {
	os.Exit(cli.DB(os.Args[1:], os.Stdout, os.Stderr))
}
