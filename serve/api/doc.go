// Package api is the HTTP API of the finder for embedding programs and web
// pages: the state as JSON, a Server-Sent Events stream of pointing, solver
// and power events, the latest solve frame as PNG (optionally annotated),
// and two commands: align the eyepiece on a star and set a goto target.
//
// Endpoints (JSON errors are {"error": "..."}):
//
//	GET  /api/state          the current state (StateView)
//	GET  /api/events         SSE: "pointing" (≤ 10/s, on change), "solver" (each attempt), "power" (on change); heartbeat comment every 15 s
//	GET  /api/frame.png      the latest solve frame; ?annotate=1 draws detections, matches and the target pixel
//	POST /api/align          {"ra_deg", "dec_deg"} of the star centred in the eyepiece → new target pixel, persisted
//	POST /api/goto           {"ra_deg", "dec_deg"} → the current goto target
//	GET  /healthz            200 "ok" while the state owner answers within 1 s, else 503
//
// Routes are http.ServeMux patterns; a GET route answers HEAD too. Other
// paths answer 404 and other methods 405 with an Allow header, both as JSON.
// POST /api/align saves the new target pixel through Config.Settings (the
// settings file's owner, state/config's File); the API never writes the
// file itself.
//
// POST endpoints need the API token (Authorization: Bearer <token>, or
// X-API-Token: <token>) and answer 401 without it; with no token configured
// they are disabled (403). Bodies are limited to 64 KiB (413 beyond).
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
// Reads from another machine (a peer that is not a loopback address, which
// only happens when the API is bound beyond loopback) need the token too,
// like the POST endpoints: 401 without it, 403 when no token is configured.
// Only /healthz stays open to them. Being on the same Wi-Fi is not taken as
// a permission to watch the camera. (EventSource cannot send the header; a
// page on another machine reads the stream with fetch and the header.)
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
