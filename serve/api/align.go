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

func (s *Server) postAlign(w http.ResponseWriter, r *http.Request) {
	ra, dec, ok := s.decodeSky(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ownerTimeout)
	defer cancel()
	st, err := s.cfg.Store.Snapshot(ctx)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	px, err := AlignPixel(st, ra, dec, time.Now(), s.cfg.AlignMaxAge)
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
	s.cfg.Log.Info().Float64("ra", ra).Float64("dec", dec).Float64("y", px.Y).Float64("x", px.X).
		Bool("persisted", persisted).Msg("api align")
	writeJSON(w, http.StatusOK, alignReply{TargetPixel: PixelView{Y: px.Y, X: px.X}, Persisted: persisted})
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
