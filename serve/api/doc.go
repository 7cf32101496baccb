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
// Every event stream has its own latest-wins state subscription, so a slow
// client skips states instead of slowing the pipeline, and every write has a
// deadline.
package api
