package replay

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/internal/backoff"
	"github.com/pifinder-go/pifinder/internal/wait"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/state"
)

// replayExts are the file types the replay source reads.
var replayExts = []string{".png", ".jpg", ".jpeg", ".tif", ".tiff", ".fits", ".fit", ".fts"}

// Config configures the replay camera.
type Config struct {
	Log zerolog.Logger
	// Size is the solve image side; 0 means camera.DefaultSize.
	Size int
	// Path is a folder (all PNG/JPEG/TIFF/FITS files in it) or a glob.
	Path string
	// Interval is how long each frame is shown; 0 means 10 s (PiFinder's
	// debug camera).
	Interval time.Duration
	// Type is the camera type reported (default "replay").
	Type string
}

// Rescanning and retrying (issue 14): the folder may change under the
// camera (frames copied in, a card remounted, a file being rewritten).
const (
	// rescanEvery is how often the folder or glob is listed again, at
	// most: on a capture that finds the last listing this old.
	rescanEvery = 2 * time.Second
	// A file that cannot be read is tried again after retryMin, doubling
	// per failure up to retryMax, and at once when it changes on disk.
	retryMin = time.Second
	retryMax = time.Minute
)

// Camera shows image files in turn, each for Interval, like PiFinder's
// debug camera. Frames are converted to 8-bit grey, centre-cropped to a
// square and resized to the solve size. The folder (or glob) is listed
// again every few seconds, so files added, removed or replaced are seen. A
// file that cannot be read is skipped with one log line and tried again
// with backoff (at once when it changes on disk). When no file can be
// shown, Capture fails with an error wrapping camera.ErrNoFrames instead
// of repeating the last frame, until a readable file appears.
type Camera struct {
	mu       sync.Mutex
	log      zerolog.Logger
	path     string
	files    []string
	bad      map[string]*badFile
	scanned  time.Time   // when files was listed
	scanErr  error       // why the last listing failed, if it did
	idx      int         // index in files of the file shown; -1 before the first
	cur      *image.Gray // current frame at solve size
	curFile  string      // its path; "" when no frame is ready
	curGone  bool        // the last listing no longer has curFile
	curName  string
	stalled  bool // the last Capture found nothing to show
	swapped  time.Time
	interval time.Duration
	typ      string
	size     int
	pool     *camera.Pool
	rs       rawconv.Resampler
	timer    *time.Timer
}

// badFile is an unreadable file waiting for its retry.
type badFile struct {
	retry     backoff.Backoff
	until     time.Time // not tried before this unless it changes
	size      int64     // as it was when it failed
	mod       time.Time
	statKnown bool
}

// New lists the files of cfg.Path; an empty listing is an error (wrapping
// camera.ErrNoFrames), so a mistyped folder is reported at start-up.
func New(cfg Config) (*Camera, error) {
	rc := cfg
	if rc.Path == "" {
		return nil, fmt.Errorf("%w: replay camera needs a folder or glob", camera.ErrBadConfig)
	}
	files, err := listFiles(rc.Path)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no PNG/JPEG/TIFF/FITS file there (%w)", camera.ErrNoFrames)
	}
	if rc.Interval == 0 {
		rc.Interval = 10 * time.Second
	}
	if rc.Interval < 0 {
		return nil, fmt.Errorf("%w: replay interval %v", camera.ErrBadConfig, rc.Interval)
	}
	if rc.Type == "" {
		rc.Type = "replay"
	}
	size, err := camera.CheckSize(cfg.Size)
	if err != nil {
		return nil, fmt.Errorf("replay camera: %w", err)
	}
	return &Camera{
		log: cfg.Log, path: rc.Path, files: files, bad: map[string]*badFile{}, scanned: time.Now(), idx: -1,
		cur: image.NewGray(image.Rect(0, 0, size, size)), interval: rc.Interval,
		typ: rc.Type, size: size, pool: camera.NewPool(size, size), timer: wait.NewStoppedTimer(),
	}, nil
}

// listFiles returns the image files of a folder or glob, sorted; none is
// not an error here.
func listFiles(path string) ([]string, error) {
	var cands []string
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("camera: replay: %w", err)
		}
		for _, e := range ents {
			if !e.IsDir() {
				cands = append(cands, filepath.Join(path, e.Name()))
			}
		}
	} else {
		m, err := filepath.Glob(path)
		if err != nil {
			return nil, fmt.Errorf("%w: replay glob %q: %v", camera.ErrBadConfig, path, err)
		}
		cands = m
	}
	var files []string
	for _, f := range cands {
		if slices.Contains(replayExts, strings.ToLower(filepath.Ext(f))) {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	return files, nil
}

// camera.Info reports the replay type.
func (r *Camera) Info() camera.Info {
	return camera.Info{Type: r.typ, Width: r.size, Height: r.size, DefaultGain: 1}
}

// Close does nothing; files are read on demand.
func (r *Camera) Close() error { return nil }

// Files returns the files of the latest listing.
func (r *Camera) Files() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.files)
}

// Capture waits the exposure time, lists the folder again when the last
// listing is rescanEvery old, moves to the next readable file when the
// current one has been shown for the interval (or is gone), and returns
// the current frame. When no file can be read it returns an error
// wrapping camera.ErrNoFrames, and the old frame is not shown again.
func (r *Camera) Capture(ctx context.Context, set camera.Settings) (*camera.Frame, error) {
	start := time.Now()
	if err := wait.Sleep(ctx, r.timer, time.Duration(set.ExposureUS)*time.Microsecond); err != nil {
		return nil, err
	}
	end := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if end.Sub(r.scanned) >= rescanEvery {
		r.rescan(end)
	}
	if r.curFile == "" || r.curGone || end.Sub(r.swapped) >= r.interval {
		if err := r.advance(end); err != nil {
			r.curFile, r.curName = "", ""
			return nil, err
		}
		r.swapped = end
	}
	f := r.pool.Get()
	copy(f.Gray.Pix, r.cur.Pix)
	f.Meta = state.FrameMeta{
		Width: r.size, Height: r.size, ExposureStart: start, ExposureEnd: end,
		ExposureUS: set.ExposureUS, Gain: set.Gain, Source: "replay", Name: r.curName,
	}
	return f, nil
}

// rescan lists the files again. The file shown keeps its place in the
// new listing (or, gone, the place it would have), so the order goes on
// from it. Unreadable files that changed on disk are retried at once;
// those no longer listed are forgotten.
func (r *Camera) rescan(now time.Time) {
	r.scanned = now
	files, err := listFiles(r.path)
	anchor := r.curFile
	if anchor == "" && r.idx >= 0 && r.idx < len(r.files) {
		anchor = r.files[r.idx]
	}
	r.files, r.scanErr = files, err
	r.idx = -1
	if anchor != "" {
		i, found := slices.BinarySearch(files, anchor)
		r.curGone = r.curFile != "" && !found
		if !found {
			i-- // advance goes on with the file after it
		}
		r.idx = i
	}
	for name, b := range r.bad {
		if _, listed := slices.BinarySearch(files, name); !listed {
			delete(r.bad, name)
			continue
		}
		if st, err := os.Stat(name); err == nil && (!b.statKnown || st.Size() != b.size || !st.ModTime().Equal(b.mod)) {
			b.until = time.Time{}
		}
	}
}

// advance loads the next readable file into r.cur.
func (r *Camera) advance(now time.Time) error {
	r.curGone = false
	for range r.files {
		r.idx = (r.idx + 1) % len(r.files)
		name := r.files[r.idx]
		b := r.bad[name]
		if b != nil && now.Before(b.until) {
			continue
		}
		if err := r.load(name); err != nil {
			r.failed(name, b, err, now)
			continue
		}
		delete(r.bad, name)
		switch {
		case r.stalled:
			r.log.Info().Str("file", name).Msg("camera: replay: frames again")
		case b != nil:
			r.log.Info().Str("file", name).Msg("camera: replay: frame readable again")
		}
		r.curFile, r.curName, r.stalled = name, filepath.Base(name), false
		return nil
	}
	r.stalled = true
	switch {
	case r.scanErr != nil:
		return fmt.Errorf("%w: replay %s: %w", camera.ErrNoFrames, r.path, r.scanErr)
	case len(r.files) == 0:
		return fmt.Errorf("%w: replay %s: no PNG/JPEG/TIFF/FITS file there", camera.ErrNoFrames, r.path)
	}
	return fmt.Errorf("%w: replay %s: none of its %d files can be read now", camera.ErrNoFrames, r.path, len(r.files))
}

// failed records a file that could not be read: one log line when it
// starts failing, then retries with backoff.
func (r *Camera) failed(name string, b *badFile, err error, now time.Time) {
	if b == nil {
		b = &badFile{retry: backoff.Backoff{Min: retryMin, Max: retryMax}}
		r.bad[name] = b
		r.log.Warn().Err(err).Str("file", name).Msg("camera: replay: skipping unreadable frame; retrying with backoff")
	}
	b.until = now.Add(b.retry.Next())
	st, serr := os.Stat(name)
	b.statKnown = serr == nil
	if b.statKnown {
		b.size, b.mod = st.Size(), st.ModTime()
	}
}

func (r *Camera) load(name string) error {
	g, err := loadGray(name)
	if err != nil {
		return err
	}
	if g == nil || g.Rect.Dx() < 8 || g.Rect.Dy() < 8 {
		return fmt.Errorf("camera: replay: %s: image too small", name)
	}
	return r.rs.Resize(r.cur, rawconv.CenterSquare(g))
}
