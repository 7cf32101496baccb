package cli

import (
	"io"

	"github.com/pifinder-go/pifinder/solver/db"
)

// DB runs `pifinder db build ...` and `pifinder db info FILE`; args follow
// "db". Every flag is documented by `pifinder db build --help`.
func DB(args []string, stdout, stderr io.Writer) int {
	return db.Command(args, stdout, stderr)
}
