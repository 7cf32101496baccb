// Package web is the finder's phone web page, embedded in the binary:
// index.html, app.js and app.css under assets/, served by Handler at GET /
// and GET /assets/<file> (serve/api mounts it as Config.Page).
//
// The page is plain HTML, CSS and JavaScript with no framework, no build
// step and nothing fetched from elsewhere (no CDN, no web fonts): the repo
// builds with the Go tool alone, the whole page is a few tens of kilobytes
// (gzip-compressed once at start), and it works at a dark site with no
// internet, where the phone's only network is the Pi's own.
//
// The page talks to the JSON API of serve/api only: the state comes from
// the Server-Sent Events stream GET /api/events (plus one GET /api/state
// when the stream opens, for what the events do not carry), images from
// /api/frame.png, /api/chart.svg and /api/screen.png, and changes are
// same-origin fetches that send the session cookie of POST /api/session.
// Its Content-Security-Policy allows only the page's own files: no inline
// script or style, and no other origin.
//
// Every asset is served with a strong ETag (a SHA-256 prefix of the bytes
// sent) and Cache-Control: no-cache, so a phone revalidates each load (a
// 304 costs a few hundred bytes) and an upgraded binary's page shows at
// once.
package web
