package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// ErrNoPointing and ErrOutsideFrame are why an alignment is refused (409).
var (
	ErrNoPointing   = errors.New("no recent camera pointing")
	ErrOutsideFrame = errors.New("position outside the camera frame")
)

// AlignPixel returns the pixel (Y, X) of the solve image where (ra, dec)
// (J2000 degrees) lies for the camera pointing of st: the current camera
// estimate (RA/Dec/Roll), the last solve's field of view, and the frame size
// (Frame.Width/Height, or 512×512 when unknown). It fails with ErrNoPointing
// when there is no camera pointing, no field of view, or (maxAge ≥ 0) the
// last successful solve is older than maxAge at now; with ErrOutsideFrame
// when the position is not in the frame.
func AlignPixel(st state.State, ra, dec float64, now time.Time, maxAge time.Duration) (state.Pixel, error) {
	e := st.Estimate
	cam := e.Camera.Estimate
	if !cam.Valid {
		return state.Pixel{}, fmt.Errorf("%w: the camera has not solved yet", ErrNoPointing)
	}
	if maxAge >= 0 {
		if e.LastSolveSuccess.IsZero() {
			return state.Pixel{}, fmt.Errorf("%w: no successful solve yet", ErrNoPointing)
		}
		if age := now.Sub(e.LastSolveSuccess); age > maxAge {
			return state.Pixel{}, fmt.Errorf("%w: last successful solve %v ago (limit %v)", ErrNoPointing, age.Round(time.Millisecond), maxAge)
		}
	}
	fov := e.Diag.FOV
	if !(fov > 0 && fov < 180) {
		return state.Pixel{}, fmt.Errorf("%w: the last solve gave no field of view", ErrNoPointing)
	}
	w, h := st.Frame.Width, st.Frame.Height
	if w <= 0 || h <= 0 {
		w, h = SolveImageSize, SolveImageSize
	}
	c := geom.Camera{W: w, H: h, FOV: fov}
	x, y, ok := geom.Project(geom.Attitude{RA: cam.RA, Dec: cam.Dec, Roll: cam.Roll}, c, ra, dec)
	if !ok || !c.Inside(x, y) {
		return state.Pixel{}, fmt.Errorf("%w: (%.4f°, %.4f°) is %.2f° from the camera centre, field %.2f°",
			ErrOutsideFrame, ra, dec, geom.Separation(ra, dec, cam.RA, cam.Dec), fov)
	}
	return state.Pixel{Y: y, X: x}, nil
}

// alignReply is the answer to POST /api/align.
type alignReply struct {
	TargetPixel PixelView `json:"target_pixel"`
	Persisted   bool      `json:"persisted"`
}

// SnapRadius is how far (pixels) from the pixel of POST /api/align
// {"x", "y"} a detected star may be: about a fingertip on a phone showing
// the 512-pixel frame across 360 CSS pixels.
const SnapRadius = 12.0

// ErrNoStar is why a pixel alignment is refused (409): no detected star
// near the pixel, or no frame to look in.
var ErrNoStar = errors.New("no detected star there")

// snapToStar returns the detected star of f (x, y pixels) nearest to
// (x, y), within radius; ErrNoStar when there is none.
func snapToStar(f FrameView, x, y, radius float64) (state.Pixel, error) {
	best, bestD2 := -1, radius*radius
	for i, s := range f.Stars {
		if !finite(s[0], s[1]) {
			continue
		}
		dx, dy := s[0]-x, s[1]-y
		// At the same distance the earlier (brighter) detection wins.
		if d2 := dx*dx + dy*dy; d2 < bestD2 || best < 0 && d2 <= bestD2 {
			best, bestD2 = i, d2
		}
	}
	if best < 0 {
		return state.Pixel{}, fmt.Errorf("%w: none of the frame's %d detections within %g px of (%g, %g)", ErrNoStar, len(f.Stars), radius, x, y)
	}
	return state.Pixel{Y: f.Stars[best][1], X: f.Stars[best][0]}, nil
}

// alignRequest is the body of POST /api/align, in one of three forms: the
// star in the eyepiece by position ({"ra_deg", "dec_deg"}), by its pixel
// in the solve image ({"x", "y"}, snapped to the nearest detection), or
// the current goto target ({"target": true}).
type alignRequest struct {
	RA     *float64 `json:"ra_deg"`
	Dec    *float64 `json:"dec_deg"`
	X      *float64 `json:"x"`
	Y      *float64 `json:"y"`
	Target *bool    `json:"target"`
}

const alignBodyHelp = `want {"ra_deg": <0..360>, "dec_deg": <-90..90>}, {"x": <pixel>, "y": <pixel>} or {"target": true}`

// alignForm names the form of a request; "" with a message when it is
// none or a mix.
func (q alignRequest) form() (string, string) {
	sky, pix, tgt := q.RA != nil || q.Dec != nil, q.X != nil || q.Y != nil, q.Target != nil
	n := 0
	for _, b := range []bool{sky, pix, tgt} {
		if b {
			n++
		}
	}
	switch {
	case n > 1:
		return "", "use one form only: " + alignBodyHelp
	case sky && (q.RA == nil || q.Dec == nil):
		return "", `both "ra_deg" and "dec_deg" are required (J2000 degrees)`
	case pix && (q.X == nil || q.Y == nil):
		return "", `both "x" and "y" are required (pixels of the solve image)`
	case tgt && !*q.Target:
		return "", `"target" must be true (align on the current goto target)`
	case sky:
		return "sky", ""
	case pix:
		return "pixel", ""
	case tgt:
		return "target", ""
	}
	return "", alignBodyHelp
}

func (s *Server) postAlign(w http.ResponseWriter, r *http.Request) {
	var req alignRequest
	if !s.decodeJSON(w, r, &req, alignBodyHelp) {
		return
	}
	form, msg := req.form()
	if form == "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if form == "sky" {
		if msg := skyRangeError(*req.RA, *req.Dec); msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), ownerTimeout)
	defer cancel()
	st, err := s.cfg.Store.Snapshot(ctx)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	var px state.Pixel
	lc := s.cfg.Log.With().Str("form", form)
	switch form {
	case "sky":
		px, err = AlignPixel(st, *req.RA, *req.Dec, time.Now(), s.cfg.AlignMaxAge)
		lc = lc.Float64("ra", *req.RA).Float64("dec", *req.Dec)
	case "target":
		if !st.HasTarget {
			err = errors.New("no goto target set")
			break
		}
		px, err = AlignPixel(st, st.Target.RA, st.Target.Dec, time.Now(), s.cfg.AlignMaxAge)
		lc = lc.Str("target", st.Target.Name).Float64("ra", st.Target.RA).Float64("dec", st.Target.Dec)
	case "pixel":
		var bad bool
		if px, bad, err = s.snapPixel(*req.X, *req.Y); bad {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		lc = lc.Float64("tap_x", *req.X).Float64("tap_y", *req.Y)
	}
	if err != nil {
		writeError(w, http.StatusConflict, "cannot align: "+err.Error())
		return
	}
	persisted, err, saveErr := s.setTargetPixel(ctx, px)
	if err != nil {
		s.updateFailed(w, "align", err)
		return
	}
	if err := saveErr; err != nil {
		s.cfg.Log.Error().Err(err).Msg("api align: target pixel set but not saved")
		writeError(w, http.StatusInternalServerError, "target pixel set but not saved: "+err.Error())
		return
	}
	l := lc.Logger()
	l.Info().Float64("y", px.Y).Float64("x", px.X).Bool("persisted", persisted).Msg("api align")
	writeJSON(w, http.StatusOK, alignReply{TargetPixel: PixelView{Y: px.Y, X: px.X}, Persisted: persisted})
}

// snapPixel finds the star for a pixel alignment in the latest frame.
// With bad, err is about the request (400: a pixel outside the frame);
// without, err is a refusal (409: no frame, or no star near the pixel).
func (s *Server) snapPixel(x, y float64) (px state.Pixel, bad bool, err error) {
	var f FrameView
	ok := false
	if s.cfg.Frames != nil {
		f, ok = s.cfg.Frames.LatestFrame()
	}
	if !ok {
		return state.Pixel{}, false, fmt.Errorf("%w: no camera frame yet", ErrNoStar)
	}
	// JSON has no NaN, so x and y are finite here.
	if w, h := frameSize(f); !(x >= 0 && y >= 0 && x <= float64(w) && y <= float64(h)) {
		return state.Pixel{}, true, fmt.Errorf("pixel (%g, %g) outside the %d×%d frame", x, y, w, h)
	}
	px, err = snapToStar(f, x, y, SnapRadius)
	return px, false, err
}

// skyRangeError checks a J2000 position; "" when it is in range.
func skyRangeError(ra, dec float64) string {
	switch {
	case !(ra >= 0 && ra < 360):
		return fmt.Sprintf("ra_deg %g out of [0, 360)", ra)
	case !(dec >= -90 && dec <= 90):
		return fmt.Sprintf("dec_deg %g out of [-90, 90]", dec)
	}
	return ""
}

// setTargetPixel sets the pixel in the state (stateErr: it was not), then
// saves it through Settings (saveErr: the state has it, the file not);
// persisted is whether it was saved. Concurrent calls are ordered, so the
// state and the file end with the same pixel.
func (s *Server) setTargetPixel(ctx context.Context, px state.Pixel) (persisted bool, stateErr, saveErr error) {
	s.alignMu.Lock()
	defer s.alignMu.Unlock()
	if err := s.cfg.Store.Update(ctx, state.SetTargetPixel{Pixel: px}); err != nil {
		return false, err, nil
	}
	if s.cfg.Settings == nil {
		return false, nil, nil
	}
	if err := s.cfg.Settings.Update(func(c *config.Config) { c.TargetPixel = [2]float64{px.Y, px.X} }); err != nil {
		return false, nil, err
	}
	return true, nil, nil
}
