// Package atomicfile replaces a file's contents atomically: readers, and the
// file system after a crash, see either the old contents or the new ones,
// never a partial file.
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path: it writes a temporary file in path's
// directory, syncs it, renames it over path and syncs the directory so the
// rename itself is durable (best effort: some file systems cannot sync a
// directory, and the new contents are in place by then). On failure path is
// unchanged and the temporary file is removed.
//
// A file that exists keeps its permission bits (a file the user made
// private stays private); perm is the mode of a new file. The temporary
// file is private until it has its final mode. The directory must exist.
//
// Errors name the step that failed and wrap the os error (which names the
// file); callers add their own context, such as the path they were saving.
func Write(path string, data []byte, perm fs.FileMode) (err error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		perm = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
