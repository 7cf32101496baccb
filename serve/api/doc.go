// Package api is the HTTP API of the finder for embedding programs and web
// pages: the state as JSON, a Server-Sent Events stream of pointing, solver
// and power events, the latest solve frame as PNG (optionally annotated)
// with its overlay as JSON, commands (align the eyepiece on a star, set a
// goto target, the observing log...), a login for the web page, and the
// page itself (Config.Page).
//
// Endpoints (JSON errors are {"error": "..."}):
//
//	GET  /api/state          the current state (StateView)
//	GET  /api/events         SSE: "pointing" (≤ 10/s, on change), "solver" (each attempt), "power" (on change); heartbeat comment every 15 s
//	GET  /api/frame.png      the latest solve frame; ?annotate=1 draws detections, matches and the target pixel
//	GET  /api/frame.json     that frame's overlay (FrameOverlay): detections, matched stars with names, target pixel, the goto target's pixel
//	POST /api/align          the star centred in the eyepiece → new target pixel, persisted; the body is one of
//	                         {"ra_deg", "dec_deg"}, {"x", "y"} (a pixel of the solve image, snapped to the
//	                         nearest detection within 12 px; 409 when none) or {"target": true} (the goto target)
//	POST /api/goto           {"ra_deg", "dec_deg"} → the current goto target
//	POST /api/session        {"token"} → a session cookie (log in); GET: {"authenticated", "mutations_enabled"}; DELETE: log out
//	GET  /, /assets/...      the web page (Config.Page; 404 without one)
//	GET  /healthz            200 "ok" while the state owner answers within 1 s, else 503
//
// Routes are http.ServeMux patterns; a GET route answers HEAD too. Other
// paths answer 404 and other methods 405 with an Allow header, both as JSON.
// POST /api/align saves the new target pixel through Config.Settings (the
// settings file's owner, state/config's File); the API never writes the
// file itself.
//
// Changes (POST, PATCH, DELETE) need the API token (Authorization: Bearer
// <token>, or X-API-Token: <token>) or a session cookie, and answer 401
// (with WWW-Authenticate) without; with no token configured they are
// disabled (403). Bodies are limited to 64 KiB (413 beyond).
//
// # Sessions
//
// A web page cannot keep the token in a header for EventSource or <img>,
// and should not keep it in script-readable storage: POST /api/session
// with {"token": "..."} answers 200 {"authenticated": true,
// "mutations_enabled": true} and sets pifinder_session (Path=/; HttpOnly;
// SameSite=Strict; Max-Age=2592000, 30 days), which then counts as the
// token everywhere. A wrong token is 401, no token configured 403. The
// cookie is base64url(expiry || random nonce || HMAC-SHA256 of both),
// keyed by HMAC-SHA256(token, "pifinder session v1"): nothing is stored,
// so sessions survive a restart, and changing the token ends them all;
// DELETE /api/session clears the browser's cookie (a copy of it stays
// valid until it expires or the token changes). The cookie is not Secure:
// the finder serves plain HTTP on the local network, and a Secure cookie
// would never come back.
//
// Requests authenticated by the cookie, and the login and logout
// themselves, must come from the page's own origin: net/http's
// CrossOriginProtection (Sec-Fetch-Site, or Origin against Host for older
// browsers) refuses the others with 403 {"error": "cross-site request
// refused"}. SameSite=Strict alone would let a page of another server on
// the same host (another port is the same site) use the cookie. Requests
// with a header token skip the check: no page on another site can send
// those headers, as that needs a CORS preflight this server never grants.
// A header token, when sent, decides alone: a wrong one is 401 even with a
// valid cookie.
//
// # Who may ask
//
// Against DNS rebinding (a web page on any site whose name is made to
// resolve to 127.0.0.1, then reads the API as its own origin), every request
// over TCP must name this server in its Host header, port aside and case
// ignored:
//
//   - localhost;
//   - a loopback IP literal (127.0.0.1, [::1]);
//   - the IP address of this machine the client connected to (so with a
//     wildcard bind such as 0.0.0.0:8080, http://192.168.1.20:8080 works
//     from the phone, and no other IP literal does);
//   - a name or IP literal in Config.AllowedHosts (the pipeline adds
//     MachineHostNames: the host name and <hostname>.local, so
//     http://pifinder.local:8080 works).
//
// Anything else, an empty Host included (HTTP/1.0), is answered 421 with a
// JSON error. Connections on other transports (a Unix socket, an in-memory
// pipe) are not checked: no browser reaches them by a name.
//
// Reads (GET, HEAD) need no token: the phone at the eyepiece sees the
// pointing, the camera frame and the chart without logging in, and only
// changes need the token. With Config.PrivateReads (the --private-reads
// flag), reads from another machine (a peer that is not a loopback
// address, which only happens when the API is bound beyond loopback) need
// the token or a session too: 401 without, 403 when no token is
// configured; /healthz and GET /api/session stay open, as do the page's
// own files (GET / and /assets/, which must load to ask for the token).
// Behind a reverse proxy on this machine the peer is the proxy, so the
// proxy must do its own checks.
//
// # Limits
//
// Serve keeps at most Config.MaxConns connections open (default 32). When
// all are open, a new client takes the place of the connection that has
// gone longest without a request in flight (an idle keep-alive connection,
// or one that connected and sent nothing), which is closed: idle sockets
// cannot lock a phone out. Only when every connection is busy does the new
// client wait until one closes. At most
// Config.MaxStreams event streams are open at once (default 24, always
// fewer than MaxConns so plain requests still get through); one more is
// answered 503 with a JSON error and Retry-After.
//
// Every event stream has its own latest-wins state subscription, so a slow
// client skips states instead of slowing the pipeline. Its connection has a
// small kernel send buffer (32 KiB) and every write a deadline
// (Config.SSEWriteTimeout, 10 s): a client that stops reading is dropped
// within about that time, its connection reset so that its kernel buffers
// are freed at once, and its goroutine ends.
//
// GET /api/frame.png encodes each frame once per annotate flag and serves
// the cached PNG to every client; one encoding runs at a time, and
// concurrent requests for the same frame wait for it, so polling clients
// cost the pipeline at most two encodings per new frame (about one a
// second). Server.Stats counts connections, streams and encodings.
package api
