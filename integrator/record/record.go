package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pifinder-go/pifinder/integrator"
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
// Config.Observer. After the first write error it stops writing; Err
// reports that error. Safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	enc    *json.Encoder
	err    error
	n      int
	loc    state.Location
	hasLoc bool
}

// NewRecorder writes the header for cfg (validated as integrator.New
// does) to w and returns the recorder.
func NewRecorder(w io.Writer, cfg integrator.Config) (*Recorder, error) {
	ig, err := integrator.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	c := ig.Config()
	r := &Recorder{enc: json.NewEncoder(w)}
	r.write(Line{Type: TypeHeader, Header: &Header{
		Version: Version, ScreenDirection: c.ScreenDirection, DeadbandDeg: c.DeadbandDeg,
		Started: time.Now().UTC().Round(0),
	}})
	if r.err != nil {
		return nil, r.err
	}
	return r, nil
}

func (r *Recorder) write(l Line) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	if err := r.enc.Encode(l); err != nil {
		r.err = fmt.Errorf("record: write line %d: %w", r.n+1, err)
		return
	}
	r.n++
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

// Err returns the first write error, if any.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Lines returns how many lines were written.
func (r *Recorder) Lines() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

var _ integrator.Observer = (*Recorder)(nil)

// ErrMismatch is wrapped by Verify when a replayed estimate differs from
// the recorded one.
var ErrMismatch = errors.New("record: replay differs from the recording")

// session walks a recording: header first, then ticks and estimates.
type session struct {
	dec    *json.Decoder
	n      int
	header *Header
}

func newSession(r io.Reader) (*session, error) {
	s := &session{dec: json.NewDecoder(r)}
	l, err := s.next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("record: empty recording")
		}
		return nil, err
	}
	if l.Type != TypeHeader || l.Header == nil {
		return nil, fmt.Errorf("record: line 1: want a header, got %q", l.Type)
	}
	if l.Header.Version != Version {
		return nil, fmt.Errorf("record: format version %d, want %d", l.Header.Version, Version)
	}
	s.header = l.Header
	return s, nil
}

func (s *session) next() (Line, error) {
	var l Line
	if err := s.dec.Decode(&l); err != nil {
		if errors.Is(err, io.EOF) {
			return l, io.EOF
		}
		return l, fmt.Errorf("record: line %d: %w", s.n+1, err)
	}
	s.n++
	switch {
	case l.Type == TypeHeader && l.Header != nil && s.n == 1:
	case l.Type == TypeTick && l.Tick != nil:
	case l.Type == TypeEstimate && l.Estimate != nil:
	default:
		return l, fmt.Errorf("record: line %d: bad line of type %q", s.n, l.Type)
	}
	return l, nil
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
func Replay(r io.Reader, cfg integrator.Config, out func(state.Estimate)) error {
	s, err := newSession(r)
	if err != nil {
		return err
	}
	return s.run(cfg, out, nil)
}

// Verify replays r and checks that the replayed estimates equal the
// recorded ones, in order. It returns how many estimates matched and, at the
// first difference, an error wrapping ErrMismatch with the diff.
func Verify(r io.Reader, cfg integrator.Config) (int, error) {
	s, err := newSession(r)
	if err != nil {
		return 0, err
	}
	var replayed, recorded []state.Estimate
	if err := s.run(cfg, func(e state.Estimate) { replayed = append(replayed, e) },
		func(e state.Estimate) { recorded = append(recorded, e) }); err != nil {
		return 0, err
	}
	for i := range min(len(replayed), len(recorded)) {
		if d := cmp.Diff(recorded[i], replayed[i]); d != "" {
			return i, fmt.Errorf("%w: estimate %d (-recorded +replayed):\n%s", ErrMismatch, i+1, d)
		}
	}
	if len(replayed) != len(recorded) {
		return min(len(replayed), len(recorded)), fmt.Errorf("%w: %d estimates recorded, %d replayed", ErrMismatch, len(recorded), len(replayed))
	}
	return len(recorded), nil
}
