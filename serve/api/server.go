package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/internal/obslog"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// DefaultAddr is the default listen address: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// Defaults of Config's zero fields.
const (
	DefaultMaxBodyBytes     = 64 << 10
	DefaultPointingInterval = 100 * time.Millisecond // at most 10 pointing events a second
	DefaultHeartbeat        = 15 * time.Second
	DefaultAlignMaxAge      = 30 * time.Second
	DefaultSSEWriteTimeout  = 10 * time.Second
	DefaultShutdownTimeout  = 5 * time.Second
	// DefaultMaxConns bounds the open connections of Serve: room for
	// DefaultMaxStreams event streams and 8 more clients.
	DefaultMaxConns = 32
	// DefaultMaxStreams bounds the open event streams (20 SSE clients is
	// the tested load; each costs a goroutine and some 30 KiB).
	DefaultMaxStreams = 24
	// SolveImageSize is the side of the solve image when the frame metadata
	// gives no size.
	SolveImageSize = 512
)

// Config configures a Server. Store is required; zero fields get defaults.
type Config struct {
	Store *state.Store
	Log   zerolog.Logger
	// Token authorises the mutating endpoints (POST, PATCH, DELETE), sent
	// in a header or exchanged for a session cookie (POST /api/session).
	// Empty disables them.
	Token string
	// PrivateReads makes reads from another machine (the state, the event
	// stream, the camera frame...) need the token or a session too. False
	// (the default): every read is open, only changes need the token.
	PrivateReads bool
	// Page serves the web page: GET / and GET /assets/..., with no token
	// ever (the page must load to ask for it). Nil: those paths are 404.
	Page http.Handler
	// Screen is the device screen for GET /api/screen.png and POST
	// /api/keys (the page's remote view); nil: they answer 404.
	Screen Screen
	// Frames gives the latest solve frame for GET /api/frame.png; nil means none.
	Frames FrameSource
	// Annotate draws the annotated frame; nil means the package's Annotate.
	Annotate func(FrameView) image.Image
	// Settings is the owner of the settings file (a *config.File):
	// POST /api/align saves the new target pixel through it. Nil: the
	// alignment is not persisted (the reply says "persisted": false).
	Settings Settings
	// Tuning serves GET and PATCH /api/settings (settings.go); nil: 404.
	Tuning Tuning
	// MaxBodyBytes bounds request bodies (default 64 KiB); larger gets 413.
	MaxBodyBytes int64
	// PointingInterval is the minimum time between two pointing events of
	// one SSE client (default 100 ms).
	PointingInterval time.Duration
	// Heartbeat is the interval of SSE comment lines (default 15 s).
	Heartbeat time.Duration
	// AlignMaxAge is how old the last successful solve may be for
	// POST /api/align (default 30 s); negative disables the age check.
	AlignMaxAge time.Duration
	// SSEWriteTimeout bounds each write to an SSE client (default 10 s): a
	// client that has not taken an event within it is dropped.
	SSEWriteTimeout time.Duration
	// MaxConns bounds the connections Serve keeps open at once (default
	// DefaultMaxConns, 32). When they are all open, a new client takes
	// the slot of the connection that has gone longest without a request
	// in flight (silent since accepted, or idle between keep-alive
	// requests), which is closed; only when every connection is busy does
	// the newcomer wait until one closes. Idle keep-alive connections also
	// close after 60 s.
	MaxConns int
	// MaxStreams bounds the open GET /api/events streams (default
	// DefaultMaxStreams, 24); one more is answered 503 with a JSON error.
	// It is kept below MaxConns (when MaxConns > 1), so streams cannot take
	// every connection.
	MaxStreams int
	// AllowedHosts are the host names (or IP literals) besides localhost
	// and the machine's own addresses that requests may name in their Host
	// header, such as "pifinder.local" (see the package documentation);
	// case and a port are ignored. Other Host values are answered 421.
	AllowedHosts []string
	// ObsLog is the observing log of the /api/log and /api/lists
	// endpoints (log.go). Nil with OpenObsLog nil: they answer 503.
	ObsLog *obslog.Log
	// OpenObsLog, when ObsLog is nil, opens the log on the first request
	// that needs it (a failure is a 503 and is tried again next time), so
	// a run that never logs does not pay for SQLite. The caller closes
	// what it opened.
	OpenObsLog func() (*obslog.Log, error)
}

// Settings changes the persisted settings; *config.File implements it.
// Update must apply fn and save the result before returning, serialising
// concurrent calls.
type Settings interface {
	Update(fn func(*config.Config)) error
}

// Server is the HTTP API. Create it with New; mount Handler anywhere, or run
// it with Serve.
type Server struct {
	cfg     Config
	handler http.Handler
	hosts   hostPolicy
	frames  frameCache
	// connSlots holds one token per open connection of Serve.
	connSlots chan struct{}
	conns     atomic.Int64 // open connections of Serve
	streams   atomic.Int64 // open event streams
	// Counters for Stats.
	streamsRefused, streamsDropped atomic.Uint64
	connsEvicted                   atomic.Uint64
	// alignMu orders concurrent aligns, so the state and the settings file
	// end with the same pixel.
	alignMu sync.Mutex
	// obs is the observing log, opened on first use (log.go).
	obs obsLogHolder
	// sess issues and checks the session cookies (session.go).
	sess *sessions
}

// New returns a server for cfg, filling in defaults.
func New(cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.PointingInterval <= 0 {
		cfg.PointingInterval = DefaultPointingInterval
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.AlignMaxAge == 0 {
		cfg.AlignMaxAge = DefaultAlignMaxAge
	}
	if cfg.SSEWriteTimeout <= 0 {
		cfg.SSEWriteTimeout = DefaultSSEWriteTimeout
	}
	if cfg.Annotate == nil {
		cfg.Annotate = Annotate
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	if cfg.MaxStreams >= cfg.MaxConns {
		cfg.MaxStreams = max(1, cfg.MaxConns-1)
	}
	s := &Server{cfg: cfg, connSlots: make(chan struct{}, cfg.MaxConns)}
	s.frames.gate = make(chan struct{}, 1)
	s.obs = obsLogHolder{log: cfg.ObsLog, open: cfg.OpenObsLog}
	s.sess = newSessions(cfg.Token)
	var bad []string
	s.hosts, bad = newHostPolicy(cfg.AllowedHosts)
	for _, b := range bad {
		cfg.Log.Warn().Str("host", b).Msg("http api: ignoring an allowed host that is not a host name or IP address")
	}
	s.handler = s.routes()
	return s
}

// Handler returns the API's HTTP handler, with the Host check and the token
// rules but without the connection limit (which is Serve's).
func (s *Server) Handler() http.Handler { return s.handler }

// Stats are counters of a Server.
type Stats struct {
	Conns          int    // open connections of Serve
	ConnsEvicted   uint64 // idle connections closed to make room at MaxConns
	Streams        int    // open event streams
	StreamsRefused uint64 // event streams refused (503) at MaxStreams
	StreamsDropped uint64 // event streams ended by a failed or late write
	FrameEncodes   uint64 // PNG encodings of a frame (one per frame and annotate flag)
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	return Stats{
		Conns:          int(s.conns.Load()),
		ConnsEvicted:   s.connsEvicted.Load(),
		Streams:        int(s.streams.Load()),
		StreamsRefused: s.streamsRefused.Load(),
		StreamsDropped: s.streamsDropped.Load(),
		FrameEncodes:   s.frames.encodes.Load(),
	}
}

// endpoint is one route of the API.
type endpoint struct {
	method, path string
	handle       http.HandlerFunc
}

// endpoints lists every route; the router is built from this list, and so
// are the tests of the token check (every mutating endpoint must have one).
func (s *Server) endpoints() []endpoint {
	return append([]endpoint{
		{http.MethodGet, "/api/state", s.getState},
		{http.MethodGet, "/api/events", s.getEvents},
		{http.MethodGet, "/api/frame.png", s.getFrame},
		{http.MethodGet, "/api/frame.json", s.getFrameJSON},
		{http.MethodGet, "/api/chart.svg", s.getChart},
		{http.MethodPost, "/api/align", s.postAlign},
		{http.MethodPost, "/api/goto", s.postGoto},
		{http.MethodGet, "/healthz", s.getHealth},
	}, slices.Concat(s.targetEndpoints(), s.logEndpoints(), s.sessionEndpoints(), s.screenEndpoints(), s.settingsEndpoints())...)
}

// mutating reports whether requests with method change something and so
// need the API token: everything but GET and HEAD.
func mutating(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

// openToOtherMachines lists the reads that need no token from another
// machine even with Config.PrivateReads: the health check says nothing
// about the sky or the camera, and the page must learn whether to ask for
// the token.
var openToOtherMachines = map[string]bool{"/healthz": true, "/api/session": true}

// selfAuthorised lists the changes that need no token: logging in (the
// token is in the body) and out. They get the cross-site check only.
var selfAuthorised = map[string]bool{"POST /api/session": true, "DELETE /api/session": true}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, e := range s.endpoints() {
		h := e.handle
		switch {
		case selfAuthorised[e.method+" "+e.path]:
			h = s.sameOrigin(h)
		case loopbackWhenNoToken[e.method+" "+e.path]:
			h = s.keysAuthorised(h)
		case mutating(e.method):
			h = s.authorised(h, "mutating endpoints are disabled: start with --api-token to enable them")
		case s.cfg.PrivateReads && !openToOtherMachines[e.path]:
			h = s.remoteReadAuthorised(h)
		}
		// A GET pattern serves HEAD too.
		mux.HandleFunc(e.method+" "+e.path, h)
	}
	if s.cfg.Page != nil {
		// No token check: the page has to load to ask for the token.
		// The Host check below still applies.
		mux.Handle("GET /{$}", s.cfg.Page)
		mux.Handle("GET /assets/", s.cfg.Page)
	}
	return s.checkHost(jsonErrors{mux})
}

// jsonErrors serves mux, replying to requests that match no route with the
// API's JSON errors instead of ServeMux's plain text: 404, or 405 with the
// Allow header ServeMux computed (sorted, so stable).
type jsonErrors struct{ mux *http.ServeMux }

func (j jsonErrors) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := j.mux.Handler(r); pattern != "" {
		j.mux.ServeHTTP(w, r)
		return
	}
	// No route: let the mux decide (404, 405, or a redirect to the clean
	// path) into a recorder, then answer in JSON.
	rec := &recorder{header: http.Header{}}
	j.mux.ServeHTTP(rec, r)
	switch rec.code {
	case http.StatusNotFound:
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	case http.StatusMethodNotAllowed:
		var allow []string
		for _, m := range strings.Split(rec.header.Get("Allow"), ",") {
			if m = strings.TrimSpace(m); m != "" {
				allow = append(allow, m)
			}
		}
		slices.Sort(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s", r.Method, r.URL.Path))
	default:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.code)
		_, _ = w.Write(rec.body.Bytes())
	}
}

// recorder keeps the reply of the mux's own error and redirect handlers.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// Serve serves the API on ln until ctx is cancelled, then shuts down
// gracefully (open event streams end at once; other requests get up to 5 s)
// and returns context.Cause(ctx); it logs nothing about stopping (the
// pipeline's runner writes the stop line). It returns an error if serving
// fails.
// It keeps serving if the state owner ends (so /healthz can answer 503);
// the caller stops it by cancelling ctx. Serve takes ownership of ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.cfg.Store == nil {
		ln.Close()
		return errors.New("api: no state store configured")
	}
	limited := newLimitListener(ln, s.connSlots, &s.conns, &s.connsEvicted)
	ln = limited
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		// SSE handlers extend their own write deadline per event.
		WriteTimeout:   10 * time.Second,
		IdleTimeout:    60 * time.Second,
		MaxHeaderBytes: 16 << 10,
		// Requests inherit ctx: cancelling it ends the event streams.
		BaseContext: func(net.Listener) context.Context { return ctx },
		// The event stream tunes its connection (send buffer, abortive close).
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) },
		ErrorLog:    log.New(logWriter{s.cfg.Log}, "", 0),
	}
	// Connections accepted but without a request yet: Shutdown would wait
	// up to 5 s for them, so they are closed at once when stopping.
	var fresh sync.Map // net.Conn → struct{}
	srv.ConnState = func(c net.Conn, cs http.ConnState) {
		limited.track(c, cs)
		if cs == http.StateNew {
			fresh.Store(c, struct{}{})
		} else {
			fresh.Delete(c)
		}
	}
	// Called by Shutdown after it closed the listener, so no new one slips in.
	srv.RegisterOnShutdown(func() {
		fresh.Range(func(c, _ any) bool { c.(net.Conn).Close(); return true })
	})
	s.cfg.Log.Info().Str("addr", ln.Addr().String()).Bool("mutations", s.cfg.Token != "").Bool("private_reads", s.cfg.PrivateReads).
		Int("max_conns", s.cfg.MaxConns).Int("max_streams", s.cfg.MaxStreams).Msg("http api listening")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
		err = fmt.Errorf("api: serve: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), DefaultShutdownTimeout)
		if serr := srv.Shutdown(sctx); serr != nil {
			srv.Close()
		}
		cancel()
		<-errc // http.ErrServerClosed
		err = context.Cause(ctx)
	}
	return err
}

// logWriter sends net/http's own messages (bad TLS, handler panics) to zerolog.
type logWriter struct{ log zerolog.Logger }

func (l logWriter) Write(p []byte) (int, error) {
	l.log.Warn().Str("component", "http").Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}

// errorBody is the JSON of every error reply.
type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		code = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(errorBody{Error: "encode reply: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

// ownerTimeout bounds how long a request waits for the state owner. The
// owner answers in microseconds; one that takes seconds is gone or wedged,
// and the client is better told so (503) than left hanging.
const ownerTimeout = 2 * time.Second

// snapshot asks the owner for the state, waiting at most ownerTimeout.
func (s *Server) snapshot(r *http.Request) (state.State, error) {
	ctx, cancel := context.WithTimeout(r.Context(), ownerTimeout)
	defer cancel()
	return s.cfg.Store.Snapshot(ctx)
}

func (s *Server) getState(w http.ResponseWriter, r *http.Request) {
	st, err := s.snapshot(r)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, View(st))
}

func (s *Server) getHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := s.snapshot(r); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "state owner not answering: %v\n", err)
		return
	}
	io.WriteString(w, "ok\n")
}

// connKey is the context key of a request's connection (set by Serve).
type connKey struct{}

// remoteReadAuthorised wraps a read handler for Config.PrivateReads:
// requests from another machine need the token or a session too.
func (s *Server) remoteReadAuthorised(h http.HandlerFunc) http.HandlerFunc {
	auth := s.authorised(h, "reads from another machine need the API token (--private-reads is set): start with --api-token and send it or log in")
	return func(w http.ResponseWriter, r *http.Request) {
		if transportOf(r).remote {
			auth(w, r)
			return
		}
		h(w, r)
	}
}

// authorised wraps a handler with the token check; disabled is the reply
// (403) when no token is configured. A header token or a valid session
// cookie passes (see credentialsOf); by cookie, the request must also
// pass the cross-site check (403).
func (s *Server) authorised(h http.HandlerFunc, disabled string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Token == "" {
			writeError(w, http.StatusForbidden, disabled)
			return
		}
		switch s.credentialsOf(r) {
		case credHeader:
		case credCookie:
			if s.crossSite(w, r) {
				return
			}
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="pifinder"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong API token: send Authorization: Bearer <token> or X-API-Token: <token>, or log in (POST /api/session)")
			return
		}
		h(w, r)
	}
}

// skyRequest is the body of POST /api/align and /api/goto.
type skyRequest struct {
	RA  *float64 `json:"ra_deg"`
	Dec *float64 `json:"dec_deg"`
}

// decodeSky reads and checks a {"ra_deg", "dec_deg"} body, replying to the
// client itself when it is bad.
func (s *Server) decodeSky(w http.ResponseWriter, r *http.Request) (ra, dec float64, ok bool) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	dec0 := json.NewDecoder(r.Body)
	dec0.DisallowUnknownFields()
	var req skyRequest
	err := dec0.Decode(&req)
	if err == nil && dec0.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		// Anything but white space after the object is an error too.
		if _, terr := dec0.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
		return 0, 0, false
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, `empty body: want {"ra_deg": <0..360>, "dec_deg": <-90..90>}`)
		return 0, 0, false
	case err != nil:
		writeError(w, http.StatusBadRequest, `bad JSON body (want {"ra_deg": <0..360>, "dec_deg": <-90..90>}): `+err.Error())
		return 0, 0, false
	case req.RA == nil || req.Dec == nil:
		writeError(w, http.StatusBadRequest, `both "ra_deg" and "dec_deg" are required (J2000 degrees)`)
		return 0, 0, false
	case !(*req.RA >= 0 && *req.RA < 360):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("ra_deg %g out of [0, 360)", *req.RA))
		return 0, 0, false
	case !(*req.Dec >= -90 && *req.Dec <= 90):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("dec_deg %g out of [-90, 90]", *req.Dec))
		return 0, 0, false
	}
	return *req.RA, *req.Dec, true
}

func (s *Server) postGoto(w http.ResponseWriter, r *http.Request) {
	ra, dec, ok := s.decodeSky(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ownerTimeout)
	defer cancel()
	if err := s.cfg.Store.Update(ctx, state.SetTarget{Target: state.Target{RA: ra, Dec: dec, Source: "api"}}); err != nil {
		s.updateFailed(w, "goto", err)
		return
	}
	st, err := s.cfg.Store.Snapshot(ctx)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	s.cfg.Log.Info().Float64("ra", ra).Float64("dec", dec).Uint64("seq", st.Target.Seq).Msg("api goto")
	writeJSON(w, http.StatusOK, map[string]any{"target": View(st).Target})
}

func (s *Server) updateFailed(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, state.ErrRejected) {
		writeError(w, http.StatusBadRequest, what+": "+err.Error())
		return
	}
	writeError(w, http.StatusServiceUnavailable, what+": state owner not available: "+err.Error())
}
