// Package cli implements the solver's subcommands for the pifinder binary:
// `pifinder solve` (detect and plate-solve image files, text or JSON lines,
// optional annotated PNG), `pifinder db` (build and inspect pattern
// databases) and `pifinder detect` (detect.go). Each takes its arguments
// after the subcommand name and returns the process exit status.
package cli
