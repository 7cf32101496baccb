package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strconv"
	"time"

	"github.com/pifinder-go/pifinder/hw/keypad"
)

// Screen is the device's own screen for the web page's remote view: the
// image it shows now and the keys that drive it (the same events the
// keypad sends).
type Screen interface {
	// Latest returns the screen as last drawn and a number that changes
	// whenever it does (an ETag); ok is false before the first draw. The
	// image must not be changed afterwards (a copy or a fresh image).
	Latest() (img image.Image, version uint64, ok bool)
	// Key delivers a key event as if pressed on the keypad, waiting at most
	// until ctx ends.
	Key(ctx context.Context, ev keypad.Event) error
}

// keyRequest is the body of POST /api/keys.
type keyRequest struct {
	Key    string `json:"key"`
	Kind   string `json:"kind"`
	Square bool   `json:"square"`
}

const keyBodyHelp = `want {"key": "0".."9"|"plus"|"minus"|"square"|"left"|"up"|"down"|"right", "kind": "press"|"long" (default press), "square": true for a SQUARE+key chord}`

// parseKeyRequest checks a key request; the error is the client's.
func parseKeyRequest(q keyRequest) (keypad.Event, error) {
	k, err := keypad.ParseKey(q.Key)
	if err != nil {
		return keypad.Event{}, err
	}
	kind := keypad.Press
	if q.Kind != "" {
		if kind, err = keypad.ParseKind(q.Kind); err != nil {
			return keypad.Event{}, err
		}
	}
	if q.Square && k == keypad.KeySquare {
		return keypad.Event{}, errors.New(`"square" chords need another key than square`)
	}
	return keypad.Event{Key: k, Kind: kind, Square: q.Square}, nil
}

func (s *Server) screenEndpoints() []endpoint {
	return []endpoint{
		{http.MethodGet, "/api/screen.png", s.getScreen},
		{http.MethodPost, "/api/keys", s.postKeys},
	}
}

// getScreen serves the device screen as a PNG (a few kilobytes: the
// screen is 128 or 176 pixels square), with an ETag so a page polling at
// the screen's rate gets 304 while nothing changed.
func (s *Server) getScreen(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Screen == nil {
		writeError(w, http.StatusNotFound, "no device screen in this pipeline (--display)")
		return
	}
	img, ver, ok := s.cfg.Screen.Latest()
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "the screen has not been drawn yet")
		return
	}
	etag := `"s` + strconv.FormatUint(ver, 36) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		writeError(w, http.StatusInternalServerError, "encode screen: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// keyTimeout bounds how long POST /api/keys waits for the screen to take
// the key: a full queue means the screen is stuck, and the client is
// better told so.
const keyTimeout = time.Second

func (s *Server) postKeys(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Screen == nil {
		writeError(w, http.StatusNotFound, "no device screen in this pipeline (--display)")
		return
	}
	var req keyRequest
	if !s.decodeJSON(w, r, &req, keyBodyHelp) {
		return
	}
	ev, err := parseKeyRequest(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("bad key (%s): %v", keyBodyHelp, err))
		return
	}
	ev.Time = time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), keyTimeout)
	defer cancel()
	if err := s.cfg.Screen.Key(ctx, ev); err != nil {
		writeError(w, http.StatusServiceUnavailable, "the screen did not take the key: "+err.Error())
		return
	}
	s.cfg.Log.Debug().Stringer("key", ev).Msg("api key")
	w.WriteHeader(http.StatusNoContent)
}

// loopbackWhenNoToken lists the changes the machine itself may make when
// no token is configured (keysAuthorised); screen_test.go tests them, not
// TestMutatingEndpointsNeedToken.
var loopbackWhenNoToken = map[string]bool{"POST /api/keys": true}

// keysAuthorised guards POST /api/keys. With a token configured it is a
// change like any other. Without one, the machine itself (a loopback
// peer, after the cross-site check) may still press keys: they are what
// its owner could press on the keypad, and it is how `go run .` is driven
// from its own page; another machine never may.
func (s *Server) keysAuthorised(h http.HandlerFunc) http.HandlerFunc {
	auth := s.authorised(h, "mutating endpoints are disabled: start with --api-token to enable them")
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Token == "" && !transportOf(r).remote {
			if s.crossSite(w, r) {
				return
			}
			h(w, r)
			return
		}
		auth(w, r)
	}
}
