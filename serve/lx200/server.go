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

// DefaultAddr is the LX200 port SkySafari expects.
const DefaultAddr = ":4030"

// Defaults of Config's zero fields.
const (
	DefaultMaxClients    = 8
	DefaultIdleTimeout   = 60 * time.Second
	DefaultWriteTimeout  = 5 * time.Second
	DefaultUpdateTimeout = 2 * time.Second
)

// refusal is sent to a client beyond MaxClients before it is closed.
const refusal = "PiFinder: too many clients, try again later#"

// Config configures a Server. Store is required; zero fields get defaults.
type Config struct {
	Store *state.Store
	Log   zerolog.Logger
	// MaxClients is the number of clients served at once (default 8); one
	// more is told so and closed.
	MaxClients int
	// IdleTimeout closes a client that sent no command for this long (default 60 s).
	IdleTimeout time.Duration
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
}

// Stats are the server's counters.
type Stats struct {
	Accepted uint64 // clients served
	Refused  uint64 // clients turned away (too many)
	Commands uint64 // commands answered or acted on
	Gotos    uint64 // targets given to the state owner
}

// Server is the LX200 TCP server. Create it with New and run it with Serve;
// a Server serves one listener once.
type Server struct {
	cfg    Config
	latest atomic.Pointer[state.State]

	mu    sync.Mutex
	conns map[net.Conn]struct{}

	accepted, refused, commands, gotos atomic.Uint64
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
	if cfg.ToDate == nil {
		cfg.ToDate = DefaultToDate
	}
	if cfg.FromDate == nil {
		cfg.FromDate = DefaultFromDate
	}
	if cfg.SystemNow == nil {
		cfg.SystemNow = time.Now
	}
	return &Server{cfg: cfg, conns: map[net.Conn]struct{}{}}
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), Refused: s.refused.Load(), Commands: s.commands.Load(), Gotos: s.gotos.Load()}
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
		if !s.admit(conn) {
			s.refused.Add(1)
			s.cfg.Log.Debug().Str("remote", conn.RemoteAddr().String()).Msg("lx200 client refused: too many clients")
			_ = conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			_, _ = conn.Write([]byte(refusal))
			conn.Close()
			continue
		}
		s.accepted.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveClient(ctx, conn)
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

// admit registers conn unless MaxClients are already served.
func (s *Server) admit(conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= s.cfg.MaxClients {
		return false
	}
	s.conns[conn] = struct{}{}
	return true
}

func (s *Server) release(conn net.Conn) {
	s.mu.Lock()
	delete(s.conns, conn)
	s.mu.Unlock()
	conn.Close()
}

// serveClient reads commands and answers them until the client leaves, idles
// out, fails a write, or the server stops (which closes conn).
func (s *Server) serveClient(ctx context.Context, conn net.Conn) {
	defer s.release(conn)
	log := s.cfg.Log.With().Str("remote", conn.RemoteAddr().String()).Logger()
	log.Debug().Msg("lx200 client connected")
	sc := Scanner{MaxLen: s.cfg.MaxCommandLen}
	var sess Session
	buf := make([]byte, 1024)
	var cmds []Command
	var reply []byte
	lastCmd := time.Now()
	reason := "closed by client"
	defer func() { log.Debug().Str("reason", reason).Msg("lx200 client disconnected") }()
	for {
		// The idle clock runs from the last command, so a client sending
		// only noise is closed too.
		if err := conn.SetReadDeadline(lastCmd.Add(s.cfg.IdleTimeout)); err != nil {
			reason = "set deadline: " + err.Error()
			return
		}
		n, rerr := conn.Read(buf)
		cmds = sc.Feed(buf[:n], cmds[:0])
		if len(cmds) > 0 {
			lastCmd = time.Now()
			reply = s.answer(ctx, &sess, cmds, reply[:0], log)
			if len(reply) > 0 {
				if err := conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)); err != nil {
					reason = "set deadline: " + err.Error()
					return
				}
				if _, err := conn.Write(reply); err != nil {
					reason = "write: " + err.Error()
					return
				}
			}
		}
		if rerr != nil {
			var ne net.Error
			switch {
			case ctx.Err() != nil:
				reason = "server stopping"
			case errors.As(rerr, &ne) && ne.Timeout():
				reason = "idle timeout"
			default:
				reason = rerr.Error()
			}
			return
		}
	}
}

// answer handles cmds in order against the latest state and appends the replies.
func (s *Server) answer(ctx context.Context, sess *Session, cmds []Command, out []byte, log zerolog.Logger) []byte {
	in := Input{ToDate: s.cfg.ToDate, FromDate: s.cfg.FromDate}
	if st := s.latest.Load(); st != nil {
		in.State = *st
	}
	now, ok := in.State.Clock.Now()
	if !ok {
		now = s.cfg.SystemNow().UTC()
	}
	in.Now = now
	for _, c := range cmds {
		s.commands.Add(1)
		r := sess.Handle(c, in)
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
	}
	return out
}
