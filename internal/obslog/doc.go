// Package obslog is the observing log: "Observed" entries (UTC time, site,
// pointing estimate, the solve's star count, free-text notes) and imported
// target lists, kept in an embedded SQLite database (modernc.org/sqlite,
// pure Go, so the binary stays static for the Pi).
//
// # Storage
//
// Open creates the file 0600 in a 0700 directory and runs it in WAL mode
// with synchronous=FULL: when Add returns, the entry's commit is on disk and
// survives a crash, a SIGKILL or a flat battery; SQLite's recovery drops any
// transaction that had not committed. The schema version is PRAGMA
// user_version, moved forward by an ordered list of migrations, one
// transaction each; a file from a newer program is refused, not damaged.
// A *Log is safe for concurrent use (the HTTP server's goroutines): reads
// run beside the one writer, and writers queue on a busy timeout.
//
// # Formats
//
//   - ExportCSV: one row per entry, RFC 4180, decimal degrees.
//   - ExportSkylist and WriteSkylist: SkySafari observing lists, in the layout
//     SkySafari writes and PiFinder's obslist.py reads and writes.
//   - ImportList / ParseList: a .skylist, or a CSV of names and/or RA/Dec
//     (sexagesimal or degrees), at most 1 MiB and 10 000 targets; errors
//     give line numbers.
//   - ImportPiFinder: the observations database of the Python PiFinder
//     (PiFinder_data/observations.db), read-only and idempotent.
//
// Bad input is an error wrapping ErrInvalid or ErrTooLarge (missing ids
// ErrNotFound), never a panic; the parsers are fuzzed.
package obslog
