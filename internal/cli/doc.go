// Package cli implements the subcommands of the pifinder binary:
// `pifinder detect` (find stars in image files), `pifinder solve` (detect
// and plate-solve image files, text or JSON lines, optional annotated PNG),
// `pifinder db` (build and inspect pattern databases), `pifinder replay`
// (replay a recorded session through the integrator) and `pifinder
// objects` (search the object catalogue; rise, transit and set). Each takes its
// arguments after the subcommand name and returns the process exit status.
//
// They behave alike: --help (or -h) prints the usage, what the command does
// and every flag on stdout and exits 0; bad flags or arguments are reported
// on stderr with the usage line and exit 2; a file that cannot be read or
// written is reported on stderr as "COMMAND: FILE: reason" and exits 1.
// JSON output (--json, one object per line) uses the snake_case field names
// of the HTTP API (ra_deg, dec_deg, alt_deg, ...).
package cli
