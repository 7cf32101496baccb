package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pifinder-go/pifinder/internal/atomicfile"
)

// File is the owner of one settings file: it holds the current settings and
// is the only thing that writes the file. Open it once per process and
// share it; Current and Update are safe for concurrent use.
type File struct {
	path string
	// readErr is why the file could not be read nor set aside at Open; Update
	// then refuses to write over it.
	readErr error

	mu  sync.Mutex // serialises Update: one write at a time, in order
	cur atomic.Pointer[Config]
}

// Open loads the settings file at path as Load does (missing file: the
// defaults; corrupt file: moved aside to path+".bad-<time>", defaults;
// out-of-range values: reset) and returns its owner. The error reports such
// a problem; the File is usable all the same and its settings are the ones
// Load would return. If the file exists but could not be read (or a corrupt
// file could not be moved aside), the File serves the defaults and its
// Update fails rather than overwrite the file. Open fails (nil File) only
// when path is empty.
func Open(path string) (*File, error) {
	if path == "" {
		return nil, errors.New("config: open: no path")
	}
	c, writable, err := load(path)
	f := &File{path: path}
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
	if err := atomicfile.Write(f.path, data, 0o644); err != nil {
		return fmt.Errorf("config %s: save: %w", f.path, err)
	}
	f.cur.Store(&c)
	return nil
}

// clone copies c so that the copy shares no slice or map with it.
func clone(c Config) Config {
	if c.Locations != nil {
		c.Locations = append(make([]Location, 0, len(c.Locations)), c.Locations...)
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
