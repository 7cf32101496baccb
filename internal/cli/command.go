package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Exit statuses shared by every subcommand.
const (
	exitOK      = 0 // done (an image that did not solve is not a failure)
	exitFailure = 1 // a file could not be read or written, or a check failed
	exitUsage   = 2 // bad flags or arguments; nothing was done
)

// command is one subcommand's flag set and help text. Its help (--help,
// -h) goes to stdout with exit status 0; usage errors go to stderr with
// exit status 2; runtime failures go to stderr with exit status 1, each as
// one line "NAME: FILE: reason".
type command struct {
	name     string // as typed after "pifinder": "solve", "db build"
	synopsis string // the usage line without "usage: "
	about    string // paragraphs printed between the usage line and the flags
	fs       *flag.FlagSet
}

// newCommand returns a command whose flag set prints nothing itself.
func newCommand(name, synopsis, about string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{name: name, synopsis: synopsis, about: about, fs: fs}
}

// parse parses args. When ok is false the command is over and code is its
// exit status: the help was printed to stdout (0), or a bad flag was
// reported on stderr (2).
func (c *command) parse(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	err := c.fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		c.help(stdout)
		return exitOK, false
	default:
		return c.usageError(stderr, "%v", err), false
	}
}

// help writes the usage line, the description and every flag with its
// default to w.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n", c.synopsis)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s", c.about)
	}
	n := 0
	c.fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nflags:\n")
		c.fs.SetOutput(w)
		c.fs.PrintDefaults()
		c.fs.SetOutput(io.Discard)
	}
}

// usageError reports bad usage on w, with the usage line and where to find
// the help, and returns exit status 2.
func (c *command) usageError(w io.Writer, format string, args ...any) int {
	fmt.Fprintf(w, "%s: %s\nusage: %s\nRun 'pifinder %s --help' for details.\n",
		c.name, fmt.Sprintf(format, args...), c.synopsis, c.name)
	return exitUsage
}

// fail reports a runtime failure about file on w as one line and returns
// exit status 1.
func (c *command) fail(w io.Writer, file string, err error) int {
	fmt.Fprintf(w, "%s: %s\n", c.name, fileError(file, err))
	return exitFailure
}

// pkgTags are the package prefixes of wrapped errors that a message which
// already names the command and the file does not need.
var pkgTags = []string{"imageio: ", "solver: ", "db: build: ", "db: ", "catalog: ", "record: ", "integrator: "}

func trimTags(s string) string {
	for {
		t := s
		for _, tag := range pkgTags {
			t = strings.TrimPrefix(t, tag)
		}
		if t == s {
			return s
		}
		s = t
	}
}

// fileError is "FILE: reason" for err about file, naming the file once:
// an *fs.PathError about file is reduced to its cause and the packages'
// leading "pkg: " tags are dropped, so the user reads
// "x.png: no such file or directory" rather than
// "x.png: imageio: open x.png: no such file or directory". When the
// remaining text names the file elsewhere, it is used as it is.
func fileError(file string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == file {
		return file + ": " + pe.Err.Error()
	}
	s := trimTags(err.Error())
	for _, named := range []string{file + ": ", "open " + file + ": ", "read " + file + ": "} {
		if rest, ok := strings.CutPrefix(s, named); ok {
			return file + ": " + trimTags(rest)
		}
	}
	if strings.Contains(s, file) {
		return s
	}
	return file + ": " + s
}
