package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/internal/ratelog"
)

// The session cookie (POST /api/session) lets a web page send the API
// token once and then act by cookie, as EventSource and <img> cannot send
// an Authorization header.
const (
	// SessionCookie is the cookie's name.
	SessionCookie = "pifinder_session"
	// SessionMaxAge is how long a session lasts: a month of nights at the
	// eyepiece without typing the token again.
	SessionMaxAge = 30 * 24 * time.Hour
	// sessionKeyLabel derives the cookie key from the token; changing the
	// label (or the token) revokes every cookie.
	sessionKeyLabel = "pifinder session v1"
	sessionNonceLen = 16
	sessionMACLen   = sha256.Size
	sessionLen      = 8 + sessionNonceLen + sessionMACLen
)

// errCrossSite is the reply to a refused cross-site request.
const errCrossSite = "cross-site request refused"

// sessions issues and checks session cookies. It is stateless: a cookie is
// its expiry and a random nonce under an HMAC whose key is derived from the
// token, so cookies survive a restart of the binary and die with a change
// of the token; there is no server-side list to lose or to fill up. The
// price: logging out clears the browser's cookie but cannot revoke a copy
// of it (changing the token does).
type sessions struct {
	key []byte // HMAC-SHA256(token, sessionKeyLabel); nil when no token is set
	// origin refuses cross-site requests authenticated by cookie (and the
	// login itself): see sameOrigin.
	origin *http.CrossOriginProtection
	// failures rate-limits the log lines of failed logins (a guessing
	// script must not fill the SD card); ratelog is not concurrent.
	mu       sync.Mutex
	failures *ratelog.Limiter
}

func newSessions(token string) *sessions {
	s := &sessions{origin: http.NewCrossOriginProtection(), failures: ratelog.New(time.Minute)}
	if token != "" {
		m := hmac.New(sha256.New, []byte(token))
		m.Write([]byte(sessionKeyLabel))
		s.key = m.Sum(nil)
	}
	return s
}

// mac is the HMAC of a cookie's expiry and nonce.
func (s *sessions) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(payload)
	return m.Sum(nil)
}

// mint returns a cookie value valid until expiry:
// base64url(expiry unix seconds, big-endian uint64 || nonce || HMAC).
func (s *sessions) mint(expiry time.Time) (string, error) {
	b := make([]byte, 8+sessionNonceLen, sessionLen)
	binary.BigEndian.PutUint64(b, uint64(expiry.Unix()))
	if _, err := rand.Read(b[8:]); err != nil {
		return "", err
	}
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// valid reports whether v is a cookie this token issued that has not
// expired at now. The MAC is compared in constant time, before the expiry
// is looked at, so a forged cookie learns nothing from the timing.
func (s *sessions) valid(v string, now time.Time) bool {
	if s.key == nil || len(v) != base64.RawURLEncoding.EncodedLen(sessionLen) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) != sessionLen {
		return false
	}
	payload, got := b[:8+sessionNonceLen], b[8+sessionNonceLen:]
	if !hmac.Equal(got, s.mac(payload)) {
		return false
	}
	// Read as signed: an expiry past 2^63 s is negative, so expired.
	exp := int64(binary.BigEndian.Uint64(payload))
	return now.Unix() < exp
}

// fromRequest reports whether r carries a valid session cookie. Several
// cookies of the name (an old one for a narrower path, say) are each tried.
func (s *sessions) fromRequest(r *http.Request, now time.Time) bool {
	for _, c := range r.CookiesNamed(SessionCookie) {
		if s.valid(c.Value, now) {
			return true
		}
	}
	return false
}

// cookie is the Set-Cookie of a new session (value set) or of a logout
// (value empty: Max-Age=0 tells the browser to drop it). Secure is not
// set on purpose: the finder serves plain HTTP on a Pi at a dark site,
// with no certificate a phone would trust, and a Secure cookie would never
// be sent back over http://. HttpOnly keeps it from page scripts;
// SameSite=Strict keeps other sites' pages from sending it.
func sessionCookie(value string) *http.Cookie {
	c := &http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(SessionMaxAge / time.Second)
	}
	return c
}

// headerToken returns the token a request sends in a header (X-API-Token,
// else Authorization: Bearer), "" when none.
func headerToken(r *http.Request) string {
	got := r.Header.Get("X-API-Token")
	if a := r.Header.Get("Authorization"); got == "" && len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		got = strings.TrimSpace(a[7:])
	}
	return got
}

// credentials is how a request proved it knows the token.
type credentials int

const (
	credNone   credentials = iota
	credHeader             // X-API-Token or Authorization: Bearer
	credCookie             // a valid session cookie
)

// credentialsOf checks r's token: a header token, when sent, decides
// alone (a wrong one is refused even with a valid cookie, so a script's
// mistake is not hidden by a browser's session); else a valid session
// cookie. With no token configured nothing is accepted.
func (s *Server) credentialsOf(r *http.Request) credentials {
	if s.cfg.Token == "" {
		return credNone
	}
	if got := headerToken(r); got != "" {
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) == 1 {
			return credHeader
		}
		return credNone
	}
	if s.sess.fromRequest(r, time.Now()) {
		return credCookie
	}
	return credNone
}

// crossSite reports (and answers 403) a request that a browser sent from
// another site's page: net/http's CrossOriginProtection, which reads
// Sec-Fetch-Site, or for older browsers compares Origin with Host. It
// guards what a cookie authenticates: SameSite=Strict alone does not stop
// another server on the same host name (a different port is the same
// "site"), nor a browser that ignores SameSite. Header-token requests need
// no such check: a page on another site cannot send those headers without
// a CORS preflight, which this server never grants. Safe methods (GET,
// HEAD) always pass.
func (s *Server) crossSite(w http.ResponseWriter, r *http.Request) bool {
	if err := s.sess.origin.Check(r); err != nil {
		writeError(w, http.StatusForbidden, errCrossSite)
		return true
	}
	return false
}

// sameOrigin wraps a handler with the cross-site check only (the login
// and logout, which need no token).
func (s *Server) sameOrigin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.crossSite(w, r) {
			return
		}
		h(w, r)
	}
}

func (s *Server) sessionEndpoints() []endpoint {
	return []endpoint{
		{http.MethodPost, "/api/session", s.postSession},
		{http.MethodGet, "/api/session", s.getSession},
		{http.MethodDelete, "/api/session", s.deleteSession},
	}
}

// sessionView is the reply of the session endpoints.
type sessionView struct {
	// Authenticated: this request carries the token or a valid session.
	Authenticated bool `json:"authenticated"`
	// MutationsEnabled: a token is configured, so changes are possible.
	MutationsEnabled bool `json:"mutations_enabled"`
}

const sessionBodyHelp = `want {"token": "<the API token>"}`

// postSession logs in: the token in the body buys a session cookie.
func (s *Server) postSession(w http.ResponseWriter, r *http.Request) {
	// The order of the other endpoints: disabled (403) before the body.
	if s.cfg.Token == "" {
		writeError(w, http.StatusForbidden, "no API token configured, so there is nothing to log in to: start with --api-token to enable changes")
		return
	}
	var req struct {
		Token *string `json:"token"`
	}
	if !s.decodeJSON(w, r, &req, sessionBodyHelp) {
		return
	}
	if req.Token == nil {
		writeError(w, http.StatusBadRequest, `"token" is required: `+sessionBodyHelp)
		return
	}
	if subtle.ConstantTimeCompare([]byte(*req.Token), []byte(s.cfg.Token)) != 1 {
		s.sess.mu.Lock()
		ok, n := s.sess.failures.Note("login", time.Now())
		s.sess.mu.Unlock()
		if ok {
			ev := s.cfg.Log.Warn().Str("remote", r.RemoteAddr)
			if n > 0 {
				ev = ev.Int("suppressed", n)
			}
			ev.Msg("api login refused: wrong token")
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="pifinder"`)
		writeError(w, http.StatusUnauthorized, "wrong API token")
		return
	}
	v, err := s.sess.mint(time.Now().Add(SessionMaxAge))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "new session: "+err.Error())
		return
	}
	http.SetCookie(w, sessionCookie(v))
	s.cfg.Log.Info().Str("remote", r.RemoteAddr).Msg("api login")
	writeJSON(w, http.StatusOK, sessionView{Authenticated: true, MutationsEnabled: true})
}

// getSession says whether this request is authenticated, so the page knows
// whether to ask for the token.
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, sessionView{Authenticated: s.credentialsOf(r) != credNone, MutationsEnabled: s.cfg.Token != ""})
}

// deleteSession logs out: the browser drops its cookie. It takes no body
// and needs no token (dropping a cookie harms nobody).
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	if !s.readNoBody(w, r, "DELETE /api/session") {
		return
	}
	http.SetCookie(w, sessionCookie(""))
	// The reply describes the request that comes next: no cookie, and a
	// header token (a script's) is not a session to drop.
	writeJSON(w, http.StatusOK, sessionView{Authenticated: false, MutationsEnabled: s.cfg.Token != ""})
}
