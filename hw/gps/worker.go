package gps

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/internal/backoff"
	"github.com/pifinder-go/pifinder/internal/ratelog"
	"github.com/pifinder-go/pifinder/internal/wait"
	"github.com/pifinder-go/pifinder/state"
)

// DefaultAddr is where gpsd listens by default (gpsd(8): port 2947 on the
// loopback interface).
const DefaultAddr = "127.0.0.1:2947"

// Defaults of Config's zero fields.
const (
	DefaultMinBackoff  = 500 * time.Millisecond
	DefaultMaxBackoff  = 30 * time.Second
	DefaultLogEvery    = time.Minute
	DefaultDialTimeout = 5 * time.Second
)

// EarliestTime is the earliest GPS time the worker believes. A receiver
// whose firmware mishandles the GPS week-number rollover (every 1024 weeks,
// last in April 2019) reports a date 19.6 years early; a time before this
// software was written is such a date, not the present.
var EarliestTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config configures Run. Store is required.
type Config struct {
	Addr  string // gpsd's address; "" is DefaultAddr
	Store *state.Store
	Log   zerolog.Logger
	// Dial connects to gpsd; nil dials TCP with DefaultDialTimeout.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// MinBackoff and MaxBackoff bound the wait between reconnections.
	MinBackoff, MaxBackoff time.Duration
	// LogEvery is the least interval between two lines about failing
	// connections (the first failure is logged at once).
	LogEvery time.Duration
	// Earliest overrides EarliestTime (zero: EarliestTime).
	Earliest time.Time
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Dial == nil {
		d := net.Dialer{Timeout: DefaultDialTimeout}
		c.Dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.LogEvery <= 0 {
		c.LogEvery = DefaultLogEvery
	}
	if c.Earliest.IsZero() {
		c.Earliest = EarliestTime
	}
	return c
}

// Run is the GPS worker: it connects to gpsd, watches its reports and
// feeds the state (site, time, fix status) until ctx ends, then returns
// context.Cause(ctx), or the state owner's cause if the owner ends first.
// gpsd absent, killed or restarted is not an error: Run reconnects with
// capped backoff, logging the first failure and then at most one line per
// LogEvery, and the rest of the pipeline never waits for it.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Store == nil {
		return errors.New("gps: no state store configured")
	}
	cfg = cfg.withDefaults()
	w := &worker{cfg: cfg, log: cfg.Log, limit: ratelog.New(cfg.LogEvery)}
	retry := backoff.Backoff{Min: cfg.MinBackoff, Max: cfg.MaxBackoff}
	timer := wait.NewStoppedTimer()
	w.log.Info().Str("addr", cfg.Addr).Msg("gps: started")
	for {
		err := w.session(ctx)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if errors.Is(err, state.ErrOwnerGone) {
			return err
		}
		if w.watching {
			// A session that got as far as reports was a good one: the
			// next failure is news again, and the wait starts short.
			retry.Reset()
		}
		if err := w.setStatus(ctx, state.GPSStatus{}); err != nil && ctx.Err() == nil {
			return err
		}
		delay := retry.Next()
		w.noteFailure(err, delay)
		if err := wait.Sleep(ctx, timer, delay); err != nil {
			return err
		}
	}
}

type worker struct {
	cfg   Config
	log   zerolog.Logger
	limit *ratelog.Limiter
	// failing: the last session failed and it was logged; the next
	// success says "connected" again.
	failing   bool
	watching  bool // the current session has had a report
	connected bool // a session has had a report since Run started
	sent      state.GPSStatus
	hasSent   bool
	status    state.GPSStatus
	lastMode  int
	badTime   bool // an implausible time has been logged this session
}

func (w *worker) noteFailure(err error, delay time.Duration) {
	kind := "connect"
	if w.watching {
		kind = "lost"
	}
	ok, n := w.limit.Note("gpsd", time.Now())
	if !ok {
		return
	}
	w.failing = true
	ev := w.log.Warn().Err(err).Str("addr", w.cfg.Addr).Dur("retry_in", delay)
	if n > 0 {
		ev = ev.Int("failures_since_last_line", n)
	}
	if kind == "lost" {
		ev.Msg("gps: gpsd connection lost; reconnecting")
		return
	}
	ev.Msg("gps: gpsd not reachable; retrying")
}

// session is one connection: dial, watch, read reports until the
// connection fails or ctx ends.
func (w *worker) session(ctx context.Context) error {
	w.watching, w.badTime, w.lastMode = false, false, state.FixUnknown
	conn, err := w.cfg.Dial(ctx, w.cfg.Addr)
	if err != nil {
		return fmt.Errorf("gps: dial gpsd %s: %w", w.cfg.Addr, err)
	}
	// The read below returns when ctx ends because this closes conn.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() {
		stop()
		conn.Close()
	}()
	if _, err := io.WriteString(conn, WatchRequest); err != nil {
		return fmt.Errorf("gps: send WATCH to gpsd %s: %w", w.cfg.Addr, err)
	}
	w.status = state.GPSStatus{Connected: true}
	if err := w.setStatus(ctx, w.status); err != nil {
		return err
	}
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLen)
	for sc.Scan() {
		if err := w.handle(ctx, sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("gps: read from gpsd %s: %w", w.cfg.Addr, err)
	}
	return fmt.Errorf("gps: gpsd %s closed the connection", w.cfg.Addr)
}

// handle applies one line. Only a state-owner failure is returned: a bad
// line is gpsd's (or the network's) problem, logged at debug and skipped.
func (w *worker) handle(ctx context.Context, line []byte) error {
	r, err := ParseReport(line)
	if err != nil {
		var ge *GpsdError
		if errors.As(err, &ge) {
			w.log.Warn().Str("message", ge.Message).Msg("gps: gpsd reports an error")
		} else {
			w.log.Debug().Err(err).Int("len", len(line)).Msg("gps: line skipped")
		}
		return nil
	}
	switch {
	case r.TPV != nil:
		w.watched()
		return w.tpv(ctx, *r.TPV)
	case r.SKY != nil:
		w.watched()
		if !r.SKY.HasCounts {
			return nil
		}
		w.status.SatsSeen, w.status.SatsUsed, w.status.HasSats = r.SKY.Seen, r.SKY.Used, true
		return w.setStatus(ctx, w.status)
	}
	return nil
}

// watched notes a report. The first of the run, and the first after a
// logged failure, say so: a gpsd flapping between logged lines reconnects
// quietly, as it fails quietly.
func (w *worker) watched() {
	if !w.watching && (!w.connected || w.failing) {
		w.log.Info().Str("addr", w.cfg.Addr).Msg("gps: gpsd connected")
		w.failing = false
	}
	w.watching, w.connected = true, true
}

func (w *worker) tpv(ctx context.Context, t TPV) error {
	w.status.Mode = t.Mode
	w.status.ErrorM = 0
	fixed := t.Mode >= state.Fix2D && t.HasPos
	if fixed {
		w.status.ErrorM = t.EphM
	}
	if t.Mode != w.lastMode {
		w.logMode(t)
		w.lastMode = t.Mode
	}
	if err := w.setStatus(ctx, w.status); err != nil {
		return err
	}
	if !fixed {
		// Without a fix a receiver's time is its own clock's guess.
		return nil
	}
	// A "3-D" report without an altitude (gpsd can send one when a GGA
	// was lost) is a 2-D fix as far as the site is concerned.
	lockType := t.Mode
	if !t.HasAlt {
		lockType = state.Fix2D
	}
	loc := state.Location{Lat: t.Lat, Lon: t.Lon, AltitudeM: t.AltMSL, Source: "GPS", Lock: true,
		LockType: lockType, ErrorM: t.EphM}
	if t.HasTime {
		loc.LastGPSLock = t.Time.Format("15:04:05")
	}
	fix := state.GPSFix{Location: loc, KeepAltitude: lockType == state.Fix2D}
	if err := w.update(ctx, fix); err != nil {
		return err
	}
	if !t.HasTime {
		return nil
	}
	if t.Time.Before(w.cfg.Earliest) {
		if !w.badTime {
			w.badTime = true
			w.log.Warn().Time("gps_time", t.Time).Time("earliest", w.cfg.Earliest).
				Msg("gps: receiver time before the earliest plausible date (week-number rollover?); not used")
		}
		return nil
	}
	return w.update(ctx, state.SetDateTime{Time: t.Time, Source: state.TimeGPS})
}

func (w *worker) logMode(t TPV) {
	ev := w.log.Info().Int("mode", t.Mode)
	switch t.Mode {
	case state.Fix2D, state.Fix3D:
		ev.Float64("lat", t.Lat).Float64("lon", t.Lon).Float64("alt_m", t.AltMSL).Float64("eph_m", t.EphM).
			Str("status", w.status.String()).Msg("gps: fix")
	default:
		if w.lastMode >= state.Fix2D {
			ev.Msg("gps: fix lost")
			return
		}
		ev.Str("status", w.status.String()).Msg("gps: no fix yet")
	}
}

// setStatus publishes the status when it changed: a receiver repeats
// itself every second, and each update wakes every subscriber.
func (w *worker) setStatus(ctx context.Context, g state.GPSStatus) error {
	if w.hasSent && g == w.sent {
		return nil
	}
	if err := w.update(ctx, state.SetGPSStatus{Status: g}); err != nil {
		return err
	}
	w.sent, w.hasSent = g, true
	return nil
}

// update sends u to the owner. A rejected value (a fix or time the state
// refuses) is logged at debug; only the owner's end is returned.
func (w *worker) update(ctx context.Context, u state.Update) error {
	err := w.cfg.Store.Update(ctx, u)
	if errors.Is(err, state.ErrRejected) {
		w.log.Debug().Err(err).Msg("gps: update rejected")
		return nil
	}
	return err
}
