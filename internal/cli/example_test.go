package cli_test

import (
	"os"

	"github.com/pifinder-go/pifinder/internal/cli"
)

// `pifinder db info` on a missing file reports the error and exits 1.
func ExampleDB() {
	code := cli.DB([]string{"info", "/nonexistent.db"}, os.Stdout, os.Stdout)
	os.Stdout.WriteString(map[bool]string{true: "exit 1\n", false: "other\n"}[code == 1])
	// Output:
	// db info: /nonexistent.db: no such file or directory
	// exit 1
}
