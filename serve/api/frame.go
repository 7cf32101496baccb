package api

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/pifinder-go/pifinder/state"
)

// FrameView is the latest solve frame with what the solver found in it.
type FrameView struct {
	Gray        *image.Gray
	Meta        state.FrameMeta
	Stars       [][2]float64 // detections, (x, y) pixels
	Matched     []state.MatchedStar
	TargetPixel state.Pixel
	// Solve is this frame's own solve (the camera centre's RA/Dec/Roll)
	// and FOV its horizontal field in degrees; Solve.Valid is false when
	// the frame did not solve. GET /api/frame.json projects the goto
	// target with them, so the mark sits on this frame's sky even when
	// newer solves have moved the state on.
	Solve state.Pointing
	FOV   float64
}

// FrameSource gives the latest solve frame; ok is false until there is one.
// It is called from HTTP handlers, concurrently: the implementation must be
// safe for that and must not hand out an image it will modify later.
type FrameSource interface {
	LatestFrame() (FrameView, bool)
}

// Annotation colours.
var (
	detectionColour = color.RGBA{R: 255, G: 200, B: 0, A: 255}   // amber circles
	matchColour     = color.RGBA{R: 0, G: 220, B: 90, A: 255}    // green boxes
	targetColour    = color.RGBA{R: 255, G: 40, B: 40, A: 255}   // red cross
	labelColour     = color.RGBA{R: 120, G: 255, B: 160, A: 255} // HIP labels
)

// Annotate is the default annotation renderer: the frame in grey with a
// circle around each detection, a box and HIP number on each matched star,
// and a cross on the target pixel.
func Annotate(f FrameView) image.Image {
	if f.Gray == nil {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	b := f.Gray.Bounds()
	img := image.NewRGBA(b)
	draw.Draw(img, b, f.Gray, b.Min, draw.Src)
	for _, s := range f.Stars {
		circle(img, s[0], s[1], 6, detectionColour)
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(labelColour), Face: basicfont.Face7x13}
	for _, m := range f.Matched {
		box(img, m.X, m.Y, 9, matchColour)
		d.Dot = fixed.P(int(math.Round(m.X))+11, int(math.Round(m.Y))+4)
		d.DrawString("HIP " + strconv.Itoa(m.HIP))
	}
	cross(img, f.TargetPixel.X, f.TargetPixel.Y, 12, targetColour)
	return img
}

// set colours one pixel; image.RGBA.Set ignores points outside the frame.
func set(img *image.RGBA, x, y int, c color.RGBA) { img.SetRGBA(x, y, c) }

// drawable rejects coordinates that are not finite or absurdly far outside
// the frame, so the loops below stay short whatever the solver reports.
func drawable(x, y float64) bool {
	return finite(x, y) && math.Abs(x) < 1e6 && math.Abs(y) < 1e6
}

func circle(img *image.RGBA, cx, cy, r float64, c color.RGBA) {
	if !drawable(cx, cy) {
		return
	}
	n := int(2*math.Pi*r) + 8
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		set(img, int(math.Round(cx+r*math.Cos(a))), int(math.Round(cy+r*math.Sin(a))), c)
	}
}

func box(img *image.RGBA, cx, cy, half float64, c color.RGBA) {
	if !drawable(cx, cy) {
		return
	}
	x0, y0 := int(math.Round(cx-half)), int(math.Round(cy-half))
	x1, y1 := int(math.Round(cx+half)), int(math.Round(cy+half))
	for x := x0; x <= x1; x++ {
		set(img, x, y0, c)
		set(img, x, y1, c)
	}
	for y := y0; y <= y1; y++ {
		set(img, x0, y, c)
		set(img, x1, y, c)
	}
}

func cross(img *image.RGBA, cx, cy, half float64, c color.RGBA) {
	if !drawable(cx, cy) {
		return
	}
	x, y := int(math.Round(cx)), int(math.Round(cy))
	h := int(half)
	for i := -h; i <= h; i++ {
		if i > -3 && i < 3 { // leave the centre open so the star stays visible
			continue
		}
		set(img, x+i, y, c)
		set(img, x, y+i, c)
	}
}
