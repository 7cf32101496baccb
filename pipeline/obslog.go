package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/internal/obslog"
)

// DefaultObsLogPath is where the observing log lives unless --obslog says
// otherwise: $XDG_DATA_HOME/pifinder-go/observations.db, that is
// ~/.local/share/pifinder-go/observations.db when XDG_DATA_HOME is unset
// (the XDG Base Directory Specification's default for user data). It is
// "" when neither a data home nor a home directory is known.
func DefaultObsLogPath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(dir) { // the spec says to ignore a relative value
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return ""
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "pifinder-go", "observations.db")
}

// sqliteMagic starts every SQLite 3 database file (sqlite.org/fileformat.html,
// "The Database Header": the 16 bytes "SQLite format 3\000").
var sqliteMagic = []byte("SQLite format 3\x00")

// checkObsLogPath is the start-up check of --obslog that needs no SQLite:
// the file, if it exists, is a regular file that is empty or starts like
// a SQLite database, and can be opened for writing; if it does not exist,
// the nearest existing parent is a directory. It creates nothing, so a run
// that never logs leaves no file behind.
func checkObsLogPath(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		for {
			di, err := os.Stat(dir)
			if err == nil {
				if !di.IsDir() {
					return fmt.Errorf("%s is not a directory", dir)
				}
				return nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return nil
			}
			dir = parent
		}
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return errors.New("not a regular file")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return pathless(err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && (err == io.EOF):
		return nil // empty: Open makes it a database
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return pathless(err)
	case !bytes.Equal(head[:n], sqliteMagic):
		return errors.New("not a SQLite database (the observing log is one)")
	}
	return nil
}

// lazyObsLog opens the observing log on first use: SQLite adds some 3 MB
// to the resident set (measured: VmHWM 7.1 → 9.9 MB for Open in a test
// binary), and the sim pipeline sits at 38.6 MB of its 40 MB budget
// (TestMemoryAfterStart) before anyone has logged anything.
type lazyObsLog struct {
	path string
	log  zerolog.Logger

	mu     sync.Mutex
	db     *obslog.Log
	closed bool
}

// get opens the log the first time and returns it afterwards.
func (l *lazyObsLog) get() (*obslog.Log, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errors.New("observing log closed: the pipeline is stopping")
	}
	if l.db != nil {
		return l.db, nil
	}
	db, err := obslog.Open(l.path, obslog.WithLogger(l.log))
	if err != nil {
		return nil, fmt.Errorf("--obslog: %w", err)
	}
	l.db = db
	return db, nil
}

// close closes the log if it was opened; later gets fail.
func (l *lazyObsLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.db == nil {
		return nil
	}
	err := l.db.Close()
	l.db = nil
	return err
}

// openObsLog checks --obslog and returns the lazy log the API uses (nil
// when the path is empty: the log is off). The pipeline closes it on stop.
func (p *Pipeline) openObsLog(cfg Config) (*lazyObsLog, error) {
	if cfg.ObsLogPath == "" {
		return nil, nil
	}
	if err := checkObsLogPath(cfg.ObsLogPath); err != nil {
		return nil, &ConfigError{Flag: "--obslog", Value: cfg.ObsLogPath, Err: err}
	}
	l := &lazyObsLog{path: cfg.ObsLogPath, log: workerLog(cfg.Log, "obslog")}
	p.adopt(l.close)
	return l, nil
}
