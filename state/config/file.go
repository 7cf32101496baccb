package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/internal/atomicfile"
)

// Modes of what a save creates: the file may hold the API token.
const (
	newFileMode fs.FileMode = 0o600
	newDirMode  fs.FileMode = 0o700
)

// File is the owner of one settings file: it holds the current settings and
// is the only thing that writes the file. Open it once per process and
// share it; Current and Update are safe for concurrent use.
type File struct {
	path string
	// readErr is why the file could not be read nor set aside at Open; Update
	// then refuses to write over it.
	readErr error

	log zerolog.Logger

	mu  sync.Mutex // serialises Update: one write at a time, in order
	cur atomic.Pointer[Config]
}

// Option configures a File at Open.
type Option func(*File)

// WithLogger makes the File log what a save repaired: a file found corrupt
// while running, set aside and rewritten from the current settings (one
// warning per such save). Without it the File logs nothing.
func WithLogger(log zerolog.Logger) Option {
	return func(f *File) { f.log = log }
}

// Open loads the settings file at path as Load does (missing file: the
// defaults; corrupt file: moved aside to path+".bad-<time>", defaults;
// out-of-range values: reset) and returns its owner. The error reports such
// a problem; the File is usable all the same and its settings are the ones
// Load would return. If the file exists but could not be read (or a corrupt
// file could not be moved aside), the File serves the defaults and its
// Update fails rather than overwrite the file. Open fails (nil File) only
// when path is empty. Open itself logs nothing (see WithLogger): the caller
// reports the error.
func Open(path string, opts ...Option) (*File, error) {
	if path == "" {
		return nil, errors.New("config: open: no path")
	}
	c, writable, err := load(path)
	f := &File{path: path, log: zerolog.Nop()}
	for _, o := range opts {
		o(f)
	}
	if !writable {
		f.readErr = err
	}
	f.cur.Store(&c)
	return f, err
}

// Path is the file's path.
func (f *File) Path() string { return f.path }

// Current returns a copy of the current settings: what the file holds after
// the last successful Update (or what Open loaded).
func (f *File) Current() Config { return clone(*f.cur.Load()) }

// Update applies fn to a copy of the current settings and writes the result
// atomically (temporary file in the same directory, fsync, rename, fsync of
// the directory); only then does it become Current. Updates are serialised,
// so two concurrent ones never lose each other's change. A result with
// out-of-range values is refused with an error wrapping ErrInvalid; on any
// error the file and Current are unchanged. fn must not call f's methods.
//
// The first save creates the file's directory (0700) when it is missing. A
// new file is created 0600; an existing one keeps its mode. What is written
// is always Current plus fn's change: if the file was damaged since Open
// (it no longer parses), it is first set aside as at Open (renamed
// path+".bad-<time>"), the save goes ahead and a warning naming the backup
// is logged (WithLogger). A file that exists but cannot be read is not
// written over: Update fails.
func (f *File) Update(fn func(*Config)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.readErr != nil {
		return fmt.Errorf("config %s: not saved, the file could not be read at start: %w", f.path, f.readErr)
	}
	c := clone(*f.cur.Load())
	fn(&c)
	if c.Locations == nil {
		c.Locations = []Location{}
	}
	if c.RecentTargets == nil {
		c.RecentTargets = []RecentTarget{}
	}
	// fix also normalises (legacy screen directions), as a reload would.
	if p := c.fix(Default()); len(p) > 0 {
		return fmt.Errorf("config %s: not saved: %w: %s", f.path, ErrInvalid, strings.Join(p, "; "))
	}
	data, err := Marshal(c)
	if err == nil {
		// Current is what a reload gives (Extra compacted, raw values that
		// are not JSON or shadow a known key dropped, as Marshal does).
		c, err = Parse(data)
	}
	if err != nil {
		return fmt.Errorf("config %s: not saved: %w", f.path, err)
	}
	if err := makeDir(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("config %s: save: create directory: %w", f.path, err)
	}
	perm, damage, err := inspect(f.path)
	if err != nil {
		return fmt.Errorf("config %s: not saved: %w", f.path, err)
	}
	var backup string
	undo := func() {}
	if damage != nil {
		if backup, undo, err = setAside(f.path); err != nil {
			return fmt.Errorf("config %s: not saved: %w; could not set it aside: %w", f.path, damage, err)
		}
	}
	if err := atomicfile.Write(f.path, data, perm); err != nil {
		undo()
		return fmt.Errorf("config %s: save: %w", f.path, err)
	}
	f.cur.Store(&c)
	if damage != nil {
		f.log.Warn().Str("path", f.path).Str("backup", backup).Err(damage).
			Msg("settings file was damaged while running; moved to " + backup + " and rewritten from the running settings")
	}
	return nil
}

// inspect looks at the file a save is about to replace: perm is the mode to
// give the new file (the existing file's, else newFileMode); damage is why
// the existing file does not parse (nil if it does or there is none). err
// means it exists but cannot be read, and must not be written over.
func inspect(path string) (perm fs.FileMode, damage, err error) {
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newFileMode, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read: %w", pathless(err, path))
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return 0, nil, fmt.Errorf("read: %w", pathless(err, path))
	}
	data, err := io.ReadAll(fh)
	if err != nil {
		return 0, nil, fmt.Errorf("read: %w", pathless(err, path))
	}
	if _, err := Parse(data); errors.Is(err, ErrCorrupt) {
		return fi.Mode().Perm(), err, nil
	}
	return fi.Mode().Perm(), nil, nil
}

// setAside keeps a damaged file as backupName(path) before it is replaced;
// undo restores the state before it, for a save that then fails. A hard
// link keeps path in place until the save replaces it; where links are not
// supported, the file is renamed.
func setAside(path string) (backup string, undo func(), err error) {
	backup = backupName(path)
	if err := os.Link(path, backup); err == nil {
		return backup, func() { os.Remove(backup) }, nil
	}
	if err := os.Rename(path, backup); err != nil {
		return "", nil, err
	}
	return backup, func() { os.Rename(backup, path) }, nil
}

// makeDir creates dir (and its missing parents) newDirMode if it is
// missing, and syncs its parent so the new entry survives a power cut
// (best effort).
func makeDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	if err := os.MkdirAll(dir, newDirMode); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(dir)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// pathless drops the path from an *fs.PathError about path: errors name the
// settings file once, in their prefix.
func pathless(err error, path string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// clone copies c so that the copy shares no slice or map with it.
func clone(c Config) Config {
	if c.Locations != nil {
		c.Locations = append(make([]Location, 0, len(c.Locations)), c.Locations...)
	}
	if c.RecentTargets != nil {
		c.RecentTargets = append(make([]RecentTarget, 0, len(c.RecentTargets)), c.RecentTargets...)
	}
	if c.Extra != nil {
		m := make(map[string]json.RawMessage, len(c.Extra))
		for k, v := range c.Extra {
			m[k] = append(json.RawMessage(nil), v...)
		}
		c.Extra = m
	}
	return c
}
