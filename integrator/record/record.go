package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/internal/ratelog"
	"github.com/pifinder-go/pifinder/state"
)

// Version is the recording format version.
const Version = 1

// Line types.
const (
	TypeHeader   = "header"
	TypeTick     = "tick"
	TypeEstimate = "estimate"
)

// Header opens a recording.
type Header struct {
	Version         int       `json:"version"`
	ScreenDirection string    `json:"screen_direction"`
	DeadbandDeg     float64   `json:"deadband_deg"`
	Started         time.Time `json:"started"`
}

// Line is one line of a recording; exactly one pointer is set, as Type says.
type Line struct {
	Type     string          `json:"type"`
	Header   *Header         `json:"header,omitempty"`
	Tick     *TickRecord     `json:"tick,omitempty"`
	Estimate *state.Estimate `json:"estimate,omitempty"`
}

// TickRecord is the stored form of an integrator.Tick. The location is
// stored only when it differs from the previous tick's; replay carries it
// forward.
type TickRecord struct {
	Solve    *state.SolveEvent `json:"solve,omitempty"`
	IMU      *state.ImuSample  `json:"imu,omitempty"` // nil: no sample yet
	Location *state.Location   `json:"location,omitempty"`
	Now      time.Time         `json:"now"` // zero: datetime unknown
}

// Recorder writes a session as JSON lines. Attach it as the integrator's
// Config.Observer. Safe for concurrent use.
//
// Each line is written whole with one Write call. After the first write
// error the recorder stops writing (a recording with a gap would not replay
// as the session ran), logs one line saying so (WithLogger), and then at
// most one line a minute counting the records it dropped; Err reports the
// error. When the failed write left part of a line behind and w is a file
// (it has Seek and Truncate, as *os.File does), the file is cut back to its
// last whole line; with other writers the partial line stays, and Replay
// ignores it (ErrTruncated).
type Recorder struct {
	mu      sync.Mutex
	w       io.Writer
	line    bytes.Buffer // the line being written
	enc     *json.Encoder
	log     zerolog.Logger
	limit   *ratelog.Limiter
	err     error
	n       int // whole lines written
	dropped int // records not written since err
	loc     state.Location
	hasLoc  bool
}

// Option configures a Recorder.
type Option func(*Recorder)

// WithLogger makes the recorder log a write failure when it happens, and
// the records it drops after it at most once a minute. Without it the
// recorder logs nothing (Err still reports the failure).
func WithLogger(log zerolog.Logger) Option {
	return func(r *Recorder) { r.log = log }
}

// logEvery is the most often the recorder repeats that it is stopped.
const logEvery = time.Minute

// NewRecorder writes the header for cfg (validated as integrator.New
// does) to w and returns the recorder. A failure to write the header is
// returned, not logged.
func NewRecorder(w io.Writer, cfg integrator.Config, opts ...Option) (*Recorder, error) {
	ig, err := integrator.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	c := ig.Config()
	r := &Recorder{w: w, log: zerolog.Nop(), limit: ratelog.New(logEvery)}
	r.enc = json.NewEncoder(&r.line)
	for _, o := range opts {
		o(r)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.writeLine(Line{Type: TypeHeader, Header: &Header{
		Version: Version, ScreenDirection: c.ScreenDirection, DeadbandDeg: c.DeadbandDeg,
		Started: time.Now().UTC().Round(0),
	}}); err != nil {
		return nil, err
	}
	return r, nil
}

// write records l, or counts it as dropped once the recorder has stopped.
func (r *Recorder) write(l Line) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.err != nil {
		r.dropped++
		if ok, _ := r.limit.Note("stopped", now); ok {
			r.log.Warn().Err(r.err).Int("lines", r.n).Int("dropped", r.dropped).
				Msg("recording still stopped; records dropped since the failure")
		}
		return
	}
	if err := r.writeLine(l); err != nil {
		r.err = err
		r.limit.Note("stopped", now) // this line; the reminders follow at most once per logEvery
		r.log.Error().Err(err).Int("lines", r.n).
			Msgf("recording stopped: the recording holds the first %d lines, whole", r.n)
	}
}

// truncater is a file that a failed write can be undone in.
type truncater interface {
	io.Seeker
	Truncate(size int64) error
}

// writeLine encodes l and writes it as one line with one Write call. The
// caller holds r.mu.
func (r *Recorder) writeLine(l Line) error {
	r.line.Reset()
	if err := r.enc.Encode(l); err != nil {
		return fmt.Errorf("record: line %d: encode: %w", r.n+1, err)
	}
	b := r.line.Bytes()
	n, err := r.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err == nil {
		r.n++
		return nil
	}
	err = fmt.Errorf("record: write line %d: %w", r.n+1, err)
	if t, ok := r.w.(truncater); ok && n > 0 {
		if cerr := cutBack(t, n); cerr != nil {
			err = fmt.Errorf("%w; its first %d bytes stay in the file: %w", err, n, cerr)
		}
	}
	return err
}

// cutBack removes the last n bytes written to t, the start of a line whose
// write failed, so that the file ends with a whole line.
func cutBack(t truncater, n int) error {
	end, err := t.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	end -= int64(n)
	if err := t.Truncate(end); err != nil {
		return fmt.Errorf("truncate: %w", err)
	}
	if _, err := t.Seek(end, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	return nil
}

// Tick records a tick (integrator.Observer).
func (r *Recorder) Tick(t integrator.Tick) {
	tr := &TickRecord{Solve: t.Solve, Now: t.Now}
	if t.HasIMU {
		tr.IMU = &t.IMU
	}
	r.mu.Lock()
	if !r.hasLoc || r.loc != t.Location {
		loc := t.Location
		tr.Location = &loc
		r.loc, r.hasLoc = loc, true
	}
	r.mu.Unlock()
	r.write(Line{Type: TypeTick, Tick: tr})
}

// Published records a published estimate (integrator.Observer).
func (r *Recorder) Published(e state.Estimate) { r.write(Line{Type: TypeEstimate, Estimate: &e}) }

// Err returns the write error that stopped the recorder, if any.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Lines returns how many whole lines were written.
func (r *Recorder) Lines() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

var _ integrator.Observer = (*Recorder)(nil)

// ErrMismatch is wrapped by Verify when a replayed estimate differs from
// the recorded one.
var ErrMismatch = errors.New("record: replay differs from the recording")

// ErrTruncated is wrapped by the error of Replay and Verify when the
// recording's last line is cut off (no newline, and the text is the start
// of a JSON object): a session stopped while writing it, by a full disk or
// a power cut. Everything before that line was replayed (and verified); a
// program that accepts such a recording treats the error as a warning.
var ErrTruncated = errors.New("last line cut off")

// session walks a recording: header first, then ticks and estimates, one
// JSON object per line.
type session struct {
	rd     *bufio.Reader
	line   int // lines read
	n      int // records read
	header *Header
}

func newSession(r io.Reader) (*session, error) {
	s := &session{rd: bufio.NewReader(r)}
	l, err := s.next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("record: empty recording")
		}
		if errors.Is(err, ErrTruncated) {
			return nil, fmt.Errorf("record: line 1: header cut off: not a recording yet")
		}
		return nil, err
	}
	if l.Type != TypeHeader || l.Header == nil {
		return nil, fmt.Errorf("record: line %d: want a header, got %q", s.line, l.Type)
	}
	if l.Header.Version != Version {
		return nil, fmt.Errorf("record: line %d: format version %d, want %d", s.line, l.Header.Version, Version)
	}
	s.header = l.Header
	return s, nil
}

// next returns the next record; io.EOF at the end; an error wrapping
// ErrTruncated for a cut-off last line; any other damage is an error naming
// its line. Blank lines are skipped.
func (s *session) next() (Line, error) {
	for {
		b, err := s.rd.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return Line{}, fmt.Errorf("record: line %d: read: %w", s.line+1, err)
		}
		whole := err == nil // ends with a newline
		if len(b) == 0 {
			return Line{}, io.EOF
		}
		s.line++
		text := bytes.TrimSpace(b)
		if len(text) == 0 {
			if !whole {
				return Line{}, io.EOF
			}
			continue
		}
		var l Line
		if err := json.Unmarshal(text, &l); err != nil {
			if !whole && cutOff(text) {
				return Line{}, fmt.Errorf("record: line %d: %w (%d bytes, no newline), ignored", s.line, ErrTruncated, len(b))
			}
			return Line{}, fmt.Errorf("record: line %d: %w", s.line, err)
		}
		s.n++
		switch {
		case l.Type == TypeHeader && l.Header != nil && s.n == 1:
		case l.Type == TypeTick && l.Tick != nil:
		case l.Type == TypeEstimate && l.Estimate != nil:
		default:
			return l, fmt.Errorf("record: line %d: bad line of type %q", s.line, l.Type)
		}
		return l, nil
	}
}

// cutOff reports whether text is the start of a JSON value that ends too
// soon: what a cut-off line is, as opposed to a damaged one.
func cutOff(text []byte) bool {
	var v json.RawMessage
	return errors.Is(json.NewDecoder(bytes.NewReader(text)).Decode(&v), io.ErrUnexpectedEOF)
}

// config fills cfg's empty build fields from the header.
func (s *session) config(cfg integrator.Config) integrator.Config {
	if cfg.ScreenDirection == "" {
		cfg.ScreenDirection = s.header.ScreenDirection
	}
	if cfg.DeadbandDeg == 0 {
		cfg.DeadbandDeg = s.header.DeadbandDeg
	}
	return cfg
}

// run replays the session; onRecorded sees each recorded estimate.
func (s *session) run(cfg integrator.Config, out func(state.Estimate), onRecorded func(state.Estimate)) error {
	core, err := integrator.NewCore(s.config(cfg))
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	defer core.Reset() // the end of a replay resets the estimate, as PiFinder does
	var loc state.Location
	// The estimates of the latest tick are held until the next tick: a
	// session stopped while publishing them recorded the tick but not all
	// of its estimates, and replay must not invent the missing ones.
	var pending []state.Estimate
	recordedSince := 0 // estimate lines since the latest tick
	collect := func(e state.Estimate) { pending = append(pending, e) }
	flush := func(n int) {
		for _, e := range pending[:min(n, len(pending))] {
			out(e)
		}
		pending = pending[:0]
	}
	for {
		l, err := s.next()
		if errors.Is(err, io.EOF) {
			flush(recordedSince)
			return nil
		}
		if errors.Is(err, ErrTruncated) {
			flush(recordedSince)
			return err
		}
		if err != nil {
			return err
		}
		switch l.Type {
		case TypeTick:
			flush(len(pending))
			recordedSince = 0
			tr := l.Tick
			if tr.Location != nil {
				loc = *tr.Location
			}
			tk := integrator.Tick{Solve: tr.Solve, Location: loc, Now: tr.Now}
			if tr.IMU != nil {
				tk.IMU, tk.HasIMU = *tr.IMU, true
			}
			core.Step(tk, collect)
		case TypeEstimate:
			recordedSince++
			if onRecorded != nil {
				onRecorded(*l.Estimate)
			}
		}
	}
}

// ReadHeader returns the header of a recording.
func ReadHeader(r io.Reader) (Header, error) {
	s, err := newSession(r)
	if err != nil {
		return Header{}, err
	}
	return *s.header, nil
}

// Replay runs the recorded ticks through a fresh integrator.Core and calls
// out with every estimate it publishes; of the last tick's estimates, only
// as many as the recording holds (a session stopped between applying a
// tick and publishing its estimates records the tick but not them). Empty ScreenDirection and
// DeadbandDeg in cfg are taken from the recording's header; AltAz and
// Constellation default to skymath as in integrator.New.
//
// A recording whose last line is cut off is replayed up to that line, and
// the error wraps ErrTruncated; any other damage (a line that is not a
// record, anywhere) stops the replay with an error naming the line.
func Replay(r io.Reader, cfg integrator.Config, out func(state.Estimate)) error {
	s, err := newSession(r)
	if err != nil {
		return err
	}
	return s.run(cfg, out, nil)
}

// Verify replays r and checks that the replayed estimates equal the
// recorded ones, in order. It returns how many estimates matched and, at the
// first difference, an error wrapping ErrMismatch with the diff. A cut-off
// last line is handled as by Replay: when everything before it matched, the
// error wraps ErrTruncated.
func Verify(r io.Reader, cfg integrator.Config) (int, error) {
	s, err := newSession(r)
	if err != nil {
		return 0, err
	}
	var replayed, recorded []state.Estimate
	truncated := s.run(cfg, func(e state.Estimate) { replayed = append(replayed, e) },
		func(e state.Estimate) { recorded = append(recorded, e) })
	if truncated != nil && !errors.Is(truncated, ErrTruncated) {
		return 0, truncated
	}
	for i := range min(len(replayed), len(recorded)) {
		if d := cmp.Diff(recorded[i], replayed[i]); d != "" {
			return i, fmt.Errorf("%w: estimate %d (-recorded +replayed):\n%s", ErrMismatch, i+1, d)
		}
	}
	if len(replayed) != len(recorded) {
		return min(len(replayed), len(recorded)), fmt.Errorf("%w: %d estimates recorded, %d replayed", ErrMismatch, len(recorded), len(replayed))
	}
	return len(recorded), truncated
}
