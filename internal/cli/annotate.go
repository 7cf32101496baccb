package cli

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/solver/detect"
)

var (
	colDetected = color.RGBA{255, 200, 0, 255}
	colMatched  = color.RGBA{0, 255, 80, 255}
	colTarget   = color.RGBA{255, 40, 40, 255}
)

// writeAnnotated writes g as a colour PNG with detected stars circled,
// matched stars circled in green and labelled with their HIP numbers, and
// the target pixel (Y, X) marked with a red cross.
func writeAnnotated(path string, g *image.Gray, stars []detect.Star, r solver.Result, tp *[2]float64) error {
	img := annotate(g, stars, r, tp)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}

func annotate(g *image.Gray, stars []detect.Star, r solver.Result, tp *[2]float64) *image.RGBA {
	b := g.Bounds()
	img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(img, img.Bounds(), g, b.Min, draw.Src)
	for _, s := range stars {
		circle(img, s.X, s.Y, 6, colDetected)
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(colMatched), Face: basicfont.Face7x13}
	for _, m := range r.Matched {
		circle(img, m.X, m.Y, 9, colMatched)
		d.Dot = fixed.P(int(m.X)+11, int(m.Y)+4)
		d.DrawString(strconv.Itoa(m.HIP))
	}
	if tp != nil {
		x, y := tp[1], tp[0]
		for i := -10; i <= 10; i++ {
			img.Set(int(x)+i, int(y), colTarget)
			img.Set(int(x), int(y)+i, colTarget)
		}
	}
	return img
}

// circle draws a one-pixel circle of radius r around (x, y), pixel-centre
// coordinates with (0.5, 0.5) the top-left pixel's centre.
func circle(img *image.RGBA, x, y, r float64, c color.Color) {
	n := int(2 * math.Pi * r * 1.5)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		img.Set(int(math.Floor(x+r*math.Cos(a))), int(math.Floor(y+r*math.Sin(a))), c)
	}
}
