package ui

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/inconsolata"
	"golang.org/x/image/math/fixed"
)

// The palette: red on black, to keep the observer's dark adaptation.
var (
	colBlack = color.RGBA{0, 0, 0, 255}
	colRed   = color.RGBA{255, 0, 0, 255}
	colMid   = color.RGBA{192, 0, 0, 255}
	colDim   = color.RGBA{128, 0, 0, 255}
	colDark  = color.RGBA{64, 0, 0, 255}
	colFaint = color.RGBA{40, 0, 0, 255}
)

var (
	bodyFace = basicfont.Face7x13 // 7 px advance, 13 px line
	bigFace  = inconsolata.Bold8x16
)

const (
	lineH  = 13 // body line pitch
	titleH = 14 // title bar height
	charW  = 7
	bigW   = 8
)

// canvas wraps the frame being drawn.
type canvas struct {
	img  *image.RGBA
	w, h int
}

// cols is how many body characters fit across.
func (c *canvas) cols() int { return c.w / charW }

// rows is how many body lines fit below the title bar.
func (c *canvas) rows() int { return (c.h - titleH) / lineH }

// lineY is the top of body line i (0 is the first below the title).
func lineY(i int) int { return titleH + 1 + i*lineH }

func (c *canvas) fill(r image.Rectangle, col color.RGBA) {
	draw.Draw(c.img, r.Intersect(c.img.Bounds()), image.NewUniform(col), image.Point{}, draw.Src)
}

func (c *canvas) set(x, y int, col color.RGBA) {
	if x >= 0 && y >= 0 && x < c.w && y < c.h {
		c.img.SetRGBA(x, y, col)
	}
}

// title draws the title bar: text on a dark red band, right text (may be
// empty) flush right.
func (c *canvas) title(text, right string) {
	c.fill(image.Rect(0, 0, c.w, titleH-1), colDark)
	n := c.cols()
	if right != "" {
		rw := utf8.RuneCountInString(right)
		c.text(c.w-rw*charW-1, 0, right, colRed)
		n -= rw + 1
	}
	c.text(1, 0, fit(text, n), colRed)
}

// line draws body line i, truncated to the width.
func (c *canvas) line(i int, s string, col color.RGBA) {
	c.text(1, lineY(i), fit(s, c.cols()), col)
}

// fit truncates s to n runes, ending with "…" when cut.
func fit(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// text draws s with its top-left corner at (x, y) in the body face. Runes
// outside the face's ASCII set are drawn from a few built-in glyphs (°, …,
// ±, ′, ″) or transliterated.
func (c *canvas) text(x, y int, s string, col color.RGBA) {
	c.textFace(bodyFace, x, y, s, col)
}

// big draws s in the 8×16 face with its top-left corner at (x, y).
func (c *canvas) big(x, y int, s string, col color.RGBA) {
	c.textFace(bigFace, x, y, s, col)
}

func (c *canvas) textFace(f *basicfont.Face, x, y int, s string, col color.RGBA) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: f}
	for _, r := range s {
		if r >= 0x20 && r < 0x7f {
			d.Dot = fixed.P(x, y+f.Ascent)
			d.DrawString(string(r))
		} else if g, ok := glyphs[r]; ok {
			c.glyph(x, y, f.Advance, f.Ascent+f.Descent, g, col)
		} else {
			d.Dot = fixed.P(x, y+f.Ascent)
			d.DrawString(translit(r))
		}
		x += f.Advance
	}
}

// glyph draws a built-in glyph scaled to a cell of w×h.
func (c *canvas) glyph(x, y, w, h int, g []string, col color.RGBA) {
	sy := h / 13
	sx := w / 7
	if sy < 1 {
		sy = 1
	}
	if sx < 1 {
		sx = 1
	}
	for gy, row := range g {
		for gx, ch := range row {
			if ch != '#' {
				continue
			}
			for dy := range sy {
				for dx := range sx {
					c.set(x+gx*sx+dx, y+gy*sy+dy, col)
				}
			}
		}
	}
}

// glyphs are 7×13 bitmaps for the few non-ASCII runes the screens use.
var glyphs = map[rune][]string{
	'°': {"", "  ##", " #  #", " #  #", "  ##"},
	'…': {"", "", "", "", "", "", "", "", "", "", "# # #"},
	'±': {"", "", "   #", "   #", " #####", "   #", "   #", "", " #####"},
	'′': {"", "   #", "   #", "  #"},
	'″': {"", "  # #", "  # #", " # #"},
}

var greek = map[rune]string{
	'α': "a", 'β': "b", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "h", 'θ': "q",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'τ': "t", 'υ': "u", 'φ': "f", 'χ': "c", 'ψ': "y", 'ω': "w",
}

// translit gives an ASCII stand-in for a rune the face lacks: Greek letters
// by their Latin letter, accented Latin letters without the accent, "?"
// otherwise.
func translit(r rune) string {
	if s, ok := greek[r]; ok {
		return s
	}
	const from = "ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëÌÍÎÏìíîïÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÇçÑñÝýÿŠšŽž"
	const to = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOOooooooUUUUuuuuCcNnYyySsZz"
	i := 0
	for _, f := range from {
		if f == r {
			return to[i : i+1]
		}
		i++
	}
	return "?"
}

// triangle fills the triangle (x0,y0), (x1,y1), (x2,y2).
func (c *canvas) triangle(x0, y0, x1, y1, x2, y2 float64, col color.RGBA) {
	minY := math.Floor(math.Min(y0, math.Min(y1, y2)))
	maxY := math.Ceil(math.Max(y0, math.Max(y1, y2)))
	minX := math.Floor(math.Min(x0, math.Min(x1, x2)))
	maxX := math.Ceil(math.Max(x0, math.Max(x1, x2)))
	edge := func(ax, ay, bx, by, px, py float64) float64 { return (bx-ax)*(py-ay) - (by-ay)*(px-ax) }
	area := edge(x0, y0, x1, y1, x2, y2)
	if area == 0 {
		return
	}
	for y := minY; y <= maxY; y++ {
		for x := minX; x <= maxX; x++ {
			px, py := x+0.5, y+0.5
			w0 := edge(x1, y1, x2, y2, px, py) / area
			w1 := edge(x2, y2, x0, y0, px, py) / area
			w2 := edge(x0, y0, x1, y1, px, py) / area
			if w0 >= 0 && w1 >= 0 && w2 >= 0 {
				c.set(int(x), int(y), col)
			}
		}
	}
}

// arrow draws a filled arrow head of size s centred in the box at (x, y)
// pointing dir: 'u', 'd', 'l' or 'r'.
func (c *canvas) arrow(x, y, s int, dir byte, col color.RGBA) {
	fx, fy, fs := float64(x), float64(y), float64(s)
	switch dir {
	case 'u':
		c.triangle(fx+fs/2, fy, fx+fs, fy+fs, fx, fy+fs, col)
	case 'd':
		c.triangle(fx, fy, fx+fs, fy, fx+fs/2, fy+fs, col)
	case 'l':
		c.triangle(fx+fs, fy, fx+fs, fy+fs, fx, fy+fs/2, col)
	case 'r':
		c.triangle(fx, fy, fx+fs, fy+fs/2, fx, fy+fs, col)
	}
}

// circle draws a circle outline of radius r around (cx, cy).
func (c *canvas) circle(cx, cy, r float64, col color.RGBA) {
	n := int(2*math.Pi*r) + 8
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		c.set(int(math.Round(cx+r*math.Cos(a))), int(math.Round(cy+r*math.Sin(a))), col)
	}
}

// rect draws a rectangle outline.
func (c *canvas) rect(r image.Rectangle, col color.RGBA) {
	for x := r.Min.X; x < r.Max.X; x++ {
		c.set(x, r.Min.Y, col)
		c.set(x, r.Max.Y-1, col)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		c.set(r.Min.X, y, col)
		c.set(r.Max.X-1, y, col)
	}
}

// list draws rows of a scrolling list below the title: the selected row
// highlighted, a scroll mark on the right. It returns the first row shown.
func (c *canvas) list(rows []string, sel, top int) int {
	n := c.rows()
	if sel < top {
		top = sel
	}
	if sel >= top+n {
		top = sel - n + 1
	}
	top = max(0, min(top, len(rows)-n))
	for i := 0; i < n && top+i < len(rows); i++ {
		col := colDim
		if top+i == sel {
			c.fill(image.Rect(0, lineY(i), c.w-3, lineY(i)+lineH), colFaint)
			col = colRed
		}
		c.text(1, lineY(i), fit(rows[top+i], c.cols()), col)
	}
	if len(rows) > n {
		h := c.h - titleH
		y0 := titleH + h*top/len(rows)
		y1 := titleH + h*(top+n)/len(rows)
		c.fill(image.Rect(c.w-2, y0, c.w, max(y1, y0+2)), colDim)
	}
	return top
}

// toast draws a boxed message in the lower middle of the screen.
func (c *canvas) toast(msg string) {
	msg = fit(msg, c.cols()-2)
	w := utf8.RuneCountInString(msg)*charW + 6
	x := (c.w - w) / 2
	y := c.h - lineH - 10
	r := image.Rect(x, y, x+w, y+lineH+4)
	c.fill(r, colBlack)
	c.rect(r, colRed)
	c.text(x+3, y+2, msg, colRed)
}

// centred draws s centred on body line i.
func (c *canvas) centred(i int, s string, col color.RGBA) {
	s = fit(s, c.cols())
	x := (c.w - utf8.RuneCountInString(s)*charW) / 2
	c.text(x, lineY(i), s, col)
}

func rectXY(x0, y0, x1, y1 int) image.Rectangle { return image.Rect(x0, y0, x1, y1) }
