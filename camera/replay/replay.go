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

// Camera shows image files in turn, each for Interval, like PiFinder's
// debug camera. Frames are converted to 8-bit grey, centre-cropped to a
// square and resized to the solve size. A file that cannot be read is
// skipped for good with one log line.
type Camera struct {
	mu       sync.Mutex
	log      zerolog.Logger
	files    []string
	bad      []bool
	idx      int
	cur      *image.Gray // current frame at solve size
	curName  string
	swapped  time.Time
	interval time.Duration
	typ      string
	size     int
	pool     *camera.Pool
	rs       rawconv.Resampler
	timer    *time.Timer
}

// New lists the files of cfg.Path.
func New(cfg Config) (*Camera, error) {
	rc := cfg
	if rc.Path == "" {
		return nil, fmt.Errorf("%w: replay camera needs a folder or glob", camera.ErrBadConfig)
	}
	files, err := replayFiles(rc.Path)
	if err != nil {
		return nil, err
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
		log: cfg.Log, files: files, bad: make([]bool, len(files)), idx: -1,
		cur: image.NewGray(image.Rect(0, 0, size, size)), interval: rc.Interval,
		typ: rc.Type, size: size, pool: camera.NewPool(size, size), timer: wait.NewStoppedTimer(),
	}, nil
}

func replayFiles(path string) ([]string, error) {
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
	if len(files) == 0 {
		return nil, fmt.Errorf("no PNG/JPEG/TIFF/FITS file there (%w)", camera.ErrNoFrames)
	}
	return files, nil
}

// camera.Info reports the replay type.
func (r *Camera) Info() camera.Info {
	return camera.Info{Type: r.typ, Width: r.size, Height: r.size, DefaultGain: 1}
}

// Close does nothing; files are read on demand.
func (r *Camera) Close() error { return nil }

// Files returns the files being replayed.
func (r *Camera) Files() []string { return slices.Clone(r.files) }

// Capture waits the exposure time, moves to the next file when the current
// one has been shown for the interval, and returns the current frame.
func (r *Camera) Capture(ctx context.Context, set camera.Settings) (*camera.Frame, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	if err := wait.Sleep(ctx, r.timer, time.Duration(set.ExposureUS)*time.Microsecond); err != nil {
		return nil, err
	}
	end := time.Now()
	if r.idx < 0 || end.Sub(r.swapped) >= r.interval {
		if err := r.advance(); err != nil {
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

// advance loads the next readable file into r.cur.
func (r *Camera) advance() error {
	for range r.files {
		r.idx = (r.idx + 1) % len(r.files)
		if r.bad[r.idx] {
			continue
		}
		name := r.files[r.idx]
		if err := r.load(name); err != nil {
			r.bad[r.idx] = true
			r.log.Warn().Err(err).Str("file", name).Msg("camera: replay: skipping unreadable frame")
			continue
		}
		r.curName = filepath.Base(name)
		return nil
	}
	return fmt.Errorf("%w: none of %d files could be read", camera.ErrNoFrames, len(r.files))
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
