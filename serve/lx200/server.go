package lx200

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pifinder-go/pifinder/internal/backoff"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// DefaultAddr is the LX200 port SkySafari expects, on every interface: the
// phone running SkySafari reaches the finder over Wi-Fi (see the package
// documentation for how to restrict it).
const DefaultAddr = ":4030"

// Defaults of Config's zero fields.
const (
	DefaultMaxClients    = 8
	DefaultIdleTimeout   = 60 * time.Second
	DefaultWriteTimeout  = 5 * time.Second
	DefaultUpdateTimeout = 2 * time.Second
	DefaultEvictAfter    = 5 * time.Second
)

// refusal is sent to a client beyond MaxClients before it is closed.
const refusal = "PiFinder: too many clients, try again later#"

// Config configures a Server. Store is required; zero fields get defaults.
type Config struct {
	Store *state.Store
	Log   zerolog.Logger
	// MaxClients is the number of clients served at once (default 8). When
	// a client arrives and all are taken, the longest quiet client that
	// may be evicted (see EvictAfter) is closed to make room; when none
	// may, the newcomer is told so and closed.
	MaxClients int
	// IdleTimeout closes a client that got no answer for this long (default
	// 60 s): only commands with a reply count, so noise does not keep a
	// client open.
	IdleTimeout time.Duration
	// EvictAfter is how long a client that has been answered must have been
	// quiet before a newcomer may take its slot (default 5 s; SkySafari
	// polls several times a second). A client that has sent nothing worth
	// an answer since it connected may be evicted at any time.
	EvictAfter time.Duration
	// WriteTimeout bounds each reply write (default 5 s): a client that
	// stops reading is closed instead of blocking.
	WriteTimeout time.Duration
	// MaxCommandLen bounds a command's length (default DefaultMaxCommandLen).
	MaxCommandLen int
	// UpdateTimeout bounds the wait for the state owner to take a goto (default 2 s).
	UpdateTimeout time.Duration
	// ToDate and FromDate convert J2000 ↔ JNow; nil means the sky-math
	// package's conversions (ERFA pnm06a-equivalent).
	ToDate, FromDate Converter
	// SystemNow is the clock used when the state has no datetime (default time.Now).
	SystemNow func() time.Time
	// Sync aligns on a position (J2000 degrees) for :CM#: it is to do what
	// the HTTP API's /api/align does (the position's pixel in the latest
	// solve becomes the target pixel, persisted). nil: :CM# is answered
	// and changes nothing.
	Sync func(ctx context.Context, ra, dec float64) (state.Pixel, error)
}

// Stats are the server's counters.
type Stats struct {
	Accepted uint64 // clients served
	Refused  uint64 // clients turned away (too many)
	Evicted  uint64 // clients closed to make room for a newcomer
	Commands uint64 // commands answered or acted on
	Gotos    uint64 // targets given to the state owner
	Syncs    uint64 // :CM# alignments that moved the target pixel
}

// Server is the LX200 TCP server. Create it with New and run it with Serve;
// a Server serves one listener once.
type Server struct {
	cfg    Config
	latest atomic.Pointer[state.State]

	mu    sync.Mutex
	conns map[net.Conn]*client
	seq   uint64 // admissions so far, to order clients connected at the same instant

	accepted, refused, evicted, commands, gotos, syncs atomic.Uint64
}

// client is a served connection's entry in the table; the fields but conn
// and evicted are guarded by Server.mu.
type client struct {
	conn net.Conn
	seq  uint64
	// answered: the client has had a command answered since it connected.
	answered bool
	// quietSince is when it was last answered (when it connected, before that).
	quietSince time.Time
	// evicted is set before the server closes conn to make room, so that
	// the client's goroutine logs why it ended.
	evicted atomic.Bool
}

// New returns a server for cfg, filling in defaults.
func New(cfg Config) *Server {
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = DefaultMaxClients
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.MaxCommandLen <= 0 {
		cfg.MaxCommandLen = DefaultMaxCommandLen
	}
	if cfg.UpdateTimeout <= 0 {
		cfg.UpdateTimeout = DefaultUpdateTimeout
	}
	if cfg.EvictAfter <= 0 {
		cfg.EvictAfter = DefaultEvictAfter
	}
	if cfg.ToDate == nil {
		cfg.ToDate = DefaultToDate
	}
	if cfg.FromDate == nil {
		cfg.FromDate = DefaultFromDate
	}
	if cfg.SystemNow == nil {
		cfg.SystemNow = time.Now
	}
	return &Server{cfg: cfg, conns: map[net.Conn]*client{}}
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), Refused: s.refused.Load(), Evicted: s.evicted.Load(),
		Commands: s.commands.Load(), Gotos: s.gotos.Load(), Syncs: s.syncs.Load()}
}

// Serve accepts clients on ln until ctx is cancelled or the state owner
// ends. It then closes ln and every client, waits for their goroutines and
// returns: context.Cause(ctx) after a cancel, the owner's cause if the owner
// ended, or the listener's error if accepting failed for good. It logs
// nothing about stopping (the pipeline's runner writes the stop line; Stats
// has the counters). Serve takes ownership of ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	parent := ctx
	if s.cfg.Store == nil {
		ln.Close()
		return errors.New("lx200: no state store configured")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := s.cfg.Store.Subscribe(ctx)
	if err != nil {
		ln.Close()
		return fmt.Errorf("lx200: subscribe to state: %w", err)
	}
	// The first state is delivered at once; take it so replies never see nil.
	select {
	case st := <-sub.C():
		s.latest.Store(&st)
	case <-ctx.Done():
	case <-s.cfg.Store.Done():
	}

	var wg sync.WaitGroup
	var stopErr error
	var stopOnce sync.Once
	stop := func(err error) { stopOnce.Do(func() { stopErr = err; cancel() }) }

	// The watcher keeps the latest state for the clients and closes the
	// listener when the server must stop, which ends the accept loop.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer sub.Close()
		defer ln.Close()
		for {
			select {
			case st := <-sub.C():
				s.latest.Store(&st)
			case <-s.cfg.Store.Done():
				stop(fmt.Errorf("lx200: %w", s.cfg.Store.Err()))
				return
			case <-ctx.Done():
				return
			}
		}
	}()

	s.cfg.Log.Info().Str("addr", ln.Addr().String()).Int("max_clients", s.cfg.MaxClients).Msg("lx200 server listening")
	// Out of file descriptors and the like: wait and retry, as net/http does.
	retry := backoff.Backoff{Min: 5 * time.Millisecond, Max: time.Second}
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, net.ErrClosed) {
				stop(fmt.Errorf("lx200: accept: %w", err))
				break
			}
			delay := retry.Next()
			s.cfg.Log.Warn().Err(err).Dur("retry_in", delay).Msg("lx200 accept failed")
			select {
			case <-time.After(delay):
			case <-ctx.Done():
			}
			continue
		}
		retry.Reset()
		cl, victim, quiet := s.admit(conn, time.Now())
		if cl == nil {
			s.refused.Add(1)
			s.cfg.Log.Debug().Str("remote", conn.RemoteAddr().String()).Msg("lx200 client refused: too many clients")
			_ = conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			_, _ = conn.Write([]byte(refusal))
			conn.Close()
			continue
		}
		if victim != nil {
			s.evicted.Add(1)
			s.cfg.Log.Debug().Str("remote", victim.conn.RemoteAddr().String()).Str("quiet", quiet).
				Str("for", conn.RemoteAddr().String()).Msg("lx200 client evicted to make room")
			victim.conn.Close() // its goroutine sees the error, releases nothing more and ends
		}
		s.accepted.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveClient(ctx, cl)
		}()
	}
	cancel()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	wg.Wait()
	if stopErr != nil {
		return stopErr
	}
	return context.Cause(parent)
}

// admit registers conn as a client at now. When MaxClients are served
// already, it takes the slot of the client evict picks and returns that
// client as victim (removed from the table, for the caller to close) with
// how long it had been quiet, for the log; when evict picks none, it
// returns a nil client and conn is to be refused.
func (s *Server) admit(conn net.Conn, now time.Time) (cl, victim *client, quiet string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= s.cfg.MaxClients {
		if victim = s.evict(now); victim == nil {
			return nil, nil, ""
		}
		victim.evicted.Store(true)
		delete(s.conns, victim.conn)
		quiet = now.Sub(victim.quietSince).Round(time.Millisecond).String()
		if !victim.answered {
			quiet += " (never answered)"
		}
	}
	s.seq++
	cl = &client{conn: conn, seq: s.seq, quietSince: now}
	s.conns[conn] = cl
	return cl, victim, quiet
}

// evict picks the client a newcomer replaces at now, or nil for none; s.mu
// is held.
//
// Why eviction, and not only a shorter idle timeout for clients that say
// nothing: a timeout shortens the lockout but does not end it (whoever
// holds the eight sockets opens a new one each time one is closed, and
// SkySafari must be lucky to arrive in the gap), whereas eviction frees a
// slot exactly when a client needs one and costs nothing while none does.
//
// Who may be evicted: a client that has had nothing answered since it
// connected, at any time (every LX200 client speaks first: SkySafari asks
// :GR# the moment it connects, so such a connection serves nobody yet); and
// an answered client quiet for EvictAfter or longer (a phone that went to
// sleep or left the Wi-Fi with its socket open). An answered client quiet
// for less is never evicted: SkySafari polls :GR#/:GD# several times a
// second, so no flood of newcomers, however long, takes a working
// client's slot, and when all the clients are such, the newcomer is
// refused. Of those that may be, the longest quiet goes first (quiet since
// it connected, for a silent one), so a newcomer is the last candidate:
// its first command has the time of MaxClients-1 further arrivals to land.
func (s *Server) evict(now time.Time) *client {
	var v *client
	for _, c := range s.conns {
		if c.answered && now.Sub(c.quietSince) < s.cfg.EvictAfter {
			continue
		}
		if v == nil || c.quietSince.Before(v.quietSince) || c.quietSince.Equal(v.quietSince) && c.seq < v.seq {
			v = c
		}
	}
	return v
}

// touch records that cl was answered at now.
func (s *Server) touch(cl *client, now time.Time) {
	s.mu.Lock()
	cl.answered, cl.quietSince = true, now
	s.mu.Unlock()
}

func (s *Server) release(cl *client) {
	s.mu.Lock()
	if s.conns[cl.conn] == cl {
		delete(s.conns, cl.conn)
	}
	s.mu.Unlock()
	cl.conn.Close()
}

// serveClient reads commands and answers them until the client leaves, idles
// out, fails a write, is evicted, or the server stops (which closes conn).
func (s *Server) serveClient(ctx context.Context, cl *client) {
	conn := cl.conn
	defer s.release(cl)
	log := s.cfg.Log.With().Str("remote", conn.RemoteAddr().String()).Logger()
	log.Debug().Msg("lx200 client connected")
	sc := Scanner{MaxLen: s.cfg.MaxCommandLen}
	var sess Session
	buf := make([]byte, 1024)
	var cmds []Command
	var reply []byte
	lastAnswer := time.Now()
	reason := "closed by client"
	defer func() { log.Debug().Str("reason", reason).Msg("lx200 client disconnected") }()
	for {
		// The idle clock runs from the last answered command, so a client
		// sending only noise is closed too.
		if err := conn.SetReadDeadline(lastAnswer.Add(s.cfg.IdleTimeout)); err != nil {
			reason = "set deadline: " + err.Error()
			return
		}
		n, rerr := conn.Read(buf)
		cmds = sc.Feed(buf[:n], cmds[:0])
		if len(cmds) > 0 {
			var answered bool
			reply, answered = s.answer(ctx, &sess, cmds, reply[:0], log)
			if answered {
				// Recorded before the reply is written, so that a client
				// holding its first answer can no longer be evicted as silent.
				lastAnswer = time.Now()
				s.touch(cl, lastAnswer)
			}
			if len(reply) > 0 {
				if err := conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)); err != nil {
					reason = "set deadline: " + err.Error()
					return
				}
				if _, err := conn.Write(reply); err != nil {
					reason = "write: " + err.Error()
					if cl.evicted.Load() {
						reason = "evicted for a new client"
					}
					return
				}
			}
		}
		if rerr != nil {
			var ne net.Error
			switch {
			case ctx.Err() != nil:
				reason = "server stopping"
			case cl.evicted.Load():
				reason = "evicted for a new client"
			case errors.As(rerr, &ne) && ne.Timeout():
				reason = "idle timeout"
			default:
				reason = rerr.Error()
			}
			return
		}
	}
}

// applySiteTime gives the app's site or time to the state owner and
// returns the reply: r's, or "0" when the owner refused it. in.State is
// refreshed, so that a :Gt# in the same read reads the new site.
func (s *Server) applySiteTime(ctx context.Context, in *Input, r Result, log zerolog.Logger) string {
	uctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	var u state.Update
	if r.Site != nil {
		u = *r.Site
	} else {
		u = state.SetDateTime{Time: r.DateTime, Source: state.TimeApp}
	}
	if err := s.cfg.Store.Update(uctx, u); err != nil {
		log.Warn().Err(err).Msg("lx200 site or time not taken")
		return "0"
	}
	if st, err := s.cfg.Store.Snapshot(uctx); err == nil {
		in.State = st
		if now, ok := st.Clock.Now(); ok {
			in.Now = now
		}
	}
	if r.Site != nil {
		log.Info().Float64("lat", in.State.Location.Lat).Float64("lon", in.State.Location.Lon).
			Str("source", in.State.Location.Source).Msg("lx200 site from the app")
	} else {
		log.Info().Time("utc", r.DateTime).Str("time_source", string(in.State.Clock.Source())).Msg("lx200 time from the app")
	}
	return r.Reply
}

// sync aligns on req (:CM#). A refusal (no target, no recent solve, the
// target outside the frame) changes nothing; it is logged once per
// connection and reason, because a client may repeat the command.
func (s *Server) sync(ctx context.Context, sess *Session, req SyncRequest, log zerolog.Logger) {
	var err error
	var px state.Pixel
	switch {
	case req.NoTarget:
		err = errors.New("no target sent (:Sr/:Sd) on this connection")
	case s.cfg.Sync == nil:
		err = errors.New("alignment not available")
	default:
		uctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
		px, err = s.cfg.Sync(uctx, req.RA, req.Dec)
		cancel()
	}
	if err != nil {
		if why := err.Error(); why != sess.syncWhy {
			sess.syncWhy = why
			log.Info().Err(err).Float64("ra", req.RA).Float64("dec", req.Dec).Msg("lx200 sync refused; nothing changed")
		}
		return
	}
	sess.syncWhy = ""
	s.syncs.Add(1)
	log.Info().Float64("ra", req.RA).Float64("dec", req.Dec).Float64("y", px.Y).Float64("x", px.X).Msg("lx200 sync: target pixel moved")
}

// answer handles cmds in order against the latest state and appends the
// replies. answered reports whether any command had a reply, except
// Stellarium's 0x06 probe (one byte in 256 of random noise is one): that is
// what counts as a client's activity.
func (s *Server) answer(ctx context.Context, sess *Session, cmds []Command, out []byte, log zerolog.Logger) (_ []byte, answered bool) {
	in := Input{ToDate: s.cfg.ToDate, FromDate: s.cfg.FromDate}
	if st := s.latest.Load(); st != nil {
		in.State = *st
	}
	now, ok := in.State.Clock.Now()
	if !ok {
		now = s.cfg.SystemNow().UTC()
	}
	in.Now, in.Local = now, time.Now()
	for _, c := range cmds {
		s.commands.Add(1)
		r := sess.Handle(c, in)
		if r.Site != nil || !r.DateTime.IsZero() {
			r.Reply = s.applySiteTime(ctx, &in, r, log)
		}
		if r.Sync != nil {
			s.sync(ctx, sess, *r.Sync, log)
		}
		if r.Target != nil {
			uctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
			err := s.cfg.Store.Update(uctx, state.SetTarget{Target: *r.Target})
			cancel()
			if err != nil {
				log.Warn().Err(err).Float64("ra", r.Target.RA).Float64("dec", r.Target.Dec).Msg("lx200 goto not taken")
				r.Reply = "0"
			} else {
				s.gotos.Add(1)
				log.Info().Float64("ra", r.Target.RA).Float64("dec", r.Target.Dec).Bool("stellarium", sess.Stellarium).Msg("lx200 goto")
			}
		}
		out = append(out, r.Reply...)
		answered = answered || r.Reply != "" && c.Name != "ACK"
	}
	return out, answered
}
