package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
)

// FrameOverlay is GET /api/frame.json: what the page draws over
// /api/frame.png. Pixels are those of the PNG: x right, y down, from 0 to
// Width and Height.
type FrameOverlay struct {
	Seq         uint64     `json:"seq"`
	Width       int        `json:"width"`
	Height      int        `json:"height"`
	ExposureEnd *time.Time `json:"exposure_end"` // null when unknown
	// Stars are the detections, brightest first (the solver's order).
	Stars []XY `json:"stars"`
	// Matched are the detections the solve identified; empty when the
	// frame did not solve.
	Matched []MatchedView `json:"matched"`
	// TargetPixel is the eyepiece's pixel (where the telescope points).
	TargetPixel XY `json:"target_pixel"`
	// Target is the goto target projected with this frame's solve; null
	// with no target, no solve, or the target behind the camera.
	Target *FrameTarget `json:"target"`
	// Solve is this frame's solve (the camera centre); null when it did
	// not solve.
	Solve *FrameSolve `json:"solve"`
}

// XY is a pixel of the solve image; a coordinate that is not finite is
// null.
type XY struct {
	X Num `json:"x"`
	Y Num `json:"y"`
}

// MatchedView is a matched star with its catalogue identity.
type MatchedView struct {
	X   Num `json:"x"`
	Y   Num `json:"y"`
	HIP int `json:"hip"`
	// Name is the star's proper name ("Betelgeuse"), "" when it has none
	// in the embedded catalogue.
	Name string `json:"name"`
	Mag  Num    `json:"mag"` // V magnitude; null when unknown
	RA   Num    `json:"ra_deg"`
	Dec  Num    `json:"dec_deg"`
}

// FrameTarget is the goto target's pixel in the frame; InFrame is false
// when it lies beyond the edges (X and Y then say in which direction).
type FrameTarget struct {
	X       Num  `json:"x"`
	Y       Num  `json:"y"`
	InFrame bool `json:"in_frame"`
}

// FrameSolve is the camera pointing of the frame's solve.
type FrameSolve struct {
	RA   Num `json:"ra_deg"`
	Dec  Num `json:"dec_deg"`
	Roll Num `json:"roll_deg"`
	FOV  Num `json:"fov_deg"`
}

// starNames maps HIP numbers to proper names, from the embedded objects
// catalogue (its stars are joined to Hipparcos by number). Built on first
// use: a few hundred entries.
var starNames = sync.OnceValue(func() map[int]string {
	all, err := objects.All()
	if err != nil {
		return nil // no names: the overlay still works, labelled by HIP
	}
	m := map[int]string{}
	for i := range all {
		if o := &all[i]; o.Kind == objects.Star && o.HIP > 0 && len(o.Names) > 0 {
			m[o.HIP] = o.Names[0]
		}
	}
	return m
})

// frameSize is the frame's width and height: the metadata's, else the
// image's, else SolveImageSize.
func frameSize(f FrameView) (w, h int) {
	w, h = f.Meta.Width, f.Meta.Height
	if (w <= 0 || h <= 0) && f.Gray != nil {
		w, h = f.Gray.Bounds().Dx(), f.Gray.Bounds().Dy()
	}
	if w <= 0 || h <= 0 {
		w, h = SolveImageSize, SolveImageSize
	}
	return w, h
}

// frameCamera returns the attitude and camera of f's own solve; ok is
// false when the frame did not solve.
func frameCamera(f FrameView) (geom.Attitude, geom.Camera, bool) {
	w, h := frameSize(f)
	c := geom.Camera{W: w, H: h, FOV: f.FOV}
	a := geom.Attitude{RA: f.Solve.RA, Dec: f.Solve.Dec, Roll: f.Solve.Roll}
	return a, c, f.Solve.Valid && f.FOV > 0 && f.FOV < 180 && finite(a.RA, a.Dec, a.Roll)
}

// overlay returns the overlay of frame f; target is the goto target's
// J2000 RA/Dec (nil: none).
func overlay(f FrameView, target *[2]float64) FrameOverlay {
	w, h := frameSize(f)
	o := FrameOverlay{
		Seq: f.Meta.Seq, Width: w, Height: h, ExposureEnd: timePtr(f.Meta.ExposureEnd),
		Stars:       make([]XY, 0, len(f.Stars)),
		Matched:     make([]MatchedView, 0, len(f.Matched)),
		TargetPixel: XY{X: Num(f.TargetPixel.X), Y: Num(f.TargetPixel.Y)},
	}
	for _, s := range f.Stars {
		o.Stars = append(o.Stars, XY{X: Num(s[0]), Y: Num(s[1])})
	}
	names := starNames()
	for _, m := range f.Matched {
		o.Matched = append(o.Matched, MatchedView{X: Num(m.X), Y: Num(m.Y), HIP: m.HIP, Name: names[m.HIP],
			Mag: Num(m.Vmag), RA: Num(m.RA), Dec: Num(m.Dec)})
	}
	att, cam, ok := frameCamera(f)
	if !ok {
		return o
	}
	o.Solve = &FrameSolve{RA: Num(att.RA), Dec: Num(att.Dec), Roll: Num(att.Roll), FOV: Num(cam.FOV)}
	if target != nil {
		if x, y, front := geom.Project(att, cam, target[0], target[1]); front {
			o.Target = &FrameTarget{X: Num(x), Y: Num(y), InFrame: cam.Inside(x, y)}
		}
	}
	return o
}

func (s *Server) getFrameJSON(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Frames == nil {
		writeError(w, http.StatusNotFound, "no frame source configured")
		return
	}
	f, ok := s.cfg.Frames.LatestFrame()
	if !ok {
		writeError(w, http.StatusNotFound, "no frame yet")
		return
	}
	st, err := s.snapshot(r)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "state not available: "+err.Error())
		return
	}
	var target *[2]float64
	if st.HasTarget {
		target = &[2]float64{st.Target.RA, st.Target.Dec}
	}
	writeJSON(w, http.StatusOK, overlay(f, target))
}
