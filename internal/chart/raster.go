package chart

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/pifinder-go/pifinder/internal/sky/objects"
)

// rgb is a theme's raster colours.
type rgb struct {
	bg, line, dso, field, target, compass color.RGBA
	// star colours for the brightest and the faintest stars.
	starHi, starLo color.RGBA
}

var rasterPalettes = map[Theme]rgb{
	Night: {
		bg: c(0, 0, 0), line: c(0x50, 0, 0), dso: c(0xa0, 0, 0), field: c(0xc0, 0, 0),
		target: c(0xff, 0x30, 0x30), compass: c(0x80, 0, 0),
		starHi: c(0xff, 0x40, 0x40), starLo: c(0x70, 0, 0),
	},
	Day: {
		bg: c(0xff, 0xff, 0xff), line: c(0x99, 0xaa, 0xbb), dso: c(0x33, 0x66, 0), field: c(0, 0x66, 0xcc),
		target: c(0xcc, 0, 0), compass: c(0x55, 0x55, 0x55),
		starHi: c(0, 0, 0), starLo: c(0x88, 0x88, 0x88),
	},
}

func c(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xff} }

// raster plots into a draw.Image, with a fast path for *image.RGBA.
type raster struct {
	dst    draw.Image
	rgba   *image.RGBA
	b      image.Rectangle
	sx, sy float64 // scene to image scale
}

func (r *raster) set(x, y int, col color.RGBA) {
	x += r.b.Min.X
	y += r.b.Min.Y
	if x < r.b.Min.X || y < r.b.Min.Y || x >= r.b.Max.X || y >= r.b.Max.Y {
		return
	}
	if r.rgba != nil {
		i := r.rgba.PixOffset(x, y)
		p := r.rgba.Pix[i : i+4 : i+4]
		p[0], p[1], p[2], p[3] = col.R, col.G, col.B, col.A
		return
	}
	r.dst.Set(x, y, col)
}

// line is Bresenham's, between scene coordinates.
func (r *raster) line(x0f, y0f, x1f, y1f float64, col color.RGBA, dash int) {
	x0, y0 := r.px(x0f, y0f)
	x1, y1 := r.px(x1f, y1f)
	// Keep the loop bounded: clip to a margin around the image first.
	w, h := float64(r.b.Dx()), float64(r.b.Dy())
	seg, ok := clip(float64(x0), float64(y0), float64(x1), float64(y1), -2, -2, w+2, h+2)
	if !ok {
		return
	}
	x0, y0 = int(math.Round(seg.X1)), int(math.Round(seg.Y1))
	x1, y1 = int(math.Round(seg.X2)), int(math.Round(seg.Y2))
	dx, dy := abs(x1-x0), -abs(y1-y0)
	stx, sty := 1, 1
	if x0 > x1 {
		stx = -1
	}
	if y0 > y1 {
		sty = -1
	}
	e := dx + dy
	for n := 0; ; n++ {
		if dash == 0 || (n/dash)%2 == 0 {
			r.set(x0, y0, col)
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += stx
		}
		if e2 <= dx {
			e += dx
			y0 += sty
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func (r *raster) px(x, y float64) (int, int) {
	const lim = 1 << 20
	x = min(max(x*r.sx, -lim), lim)
	y = min(max(y*r.sy, -lim), lim)
	return int(math.Floor(x)), int(math.Floor(y))
}

// disc fills a circle of radius rad (scene pixels) centred at x, y.
func (r *raster) disc(x, y, rad float64, col color.RGBA) {
	cx, cy := x*r.sx, y*r.sy
	rr := rad * min(r.sx, r.sy)
	if rr < 0.75 {
		ix, iy := r.px(x, y)
		r.set(ix, iy, col)
		return
	}
	r2 := rr * rr
	for iy := int(math.Floor(cy - rr)); iy <= int(math.Ceil(cy+rr)); iy++ {
		for ix := int(math.Floor(cx - rr)); ix <= int(math.Ceil(cx+rr)); ix++ {
			dx, dy := float64(ix)+0.5-cx, float64(iy)+0.5-cy
			if dx*dx+dy*dy <= r2 {
				r.set(ix, iy, col)
			}
		}
	}
}

// ring draws a circle outline as a polygon of scene coordinates.
func (r *raster) ring(x, y, rad float64, col color.RGBA, dash int) {
	rr := rad * min(r.sx, r.sy)
	n := int(min(max(rr*0.8, 8), 256))
	px, py := x+rad, y
	for i := 1; i <= n; i++ {
		s, c := math.Sincos(2 * math.Pi * float64(i) / float64(n))
		qx, qy := x+rad*c, y+rad*s
		if dash == 0 || i%2 == 0 {
			r.line(px, py, qx, qy, col, 0)
		}
		px, py = qx, qy
	}
}

// Draw rasters the scene into dst, scaled to dst's bounds (a scene built
// at 128×128 maps one to one onto the OLED frame). Text is not drawn: the
// raster is for small screens, where the labels would not fit.
func (s *Scene) Draw(dst draw.Image) {
	pal, ok := rasterPalettes[s.Theme]
	if !ok {
		pal = rasterPalettes[Night]
	}
	b := dst.Bounds()
	if b.Empty() {
		return
	}
	r := &raster{dst: dst, b: b, sx: float64(b.Dx()) / float64(s.Width), sy: float64(b.Dy()) / float64(s.Height)}
	r.rgba, _ = dst.(*image.RGBA)
	draw.Draw(dst, b, image.NewUniform(pal.bg), image.Point{}, draw.Src)

	for _, l := range s.Lines {
		r.line(l.X1, l.Y1, l.X2, l.Y2, pal.line, 0)
	}
	for _, d := range s.DSOs {
		switch d.Kind {
		case objects.Galaxy, objects.GalaxyGroup:
			// An ellipse as a polygon.
			n := 16
			px, py := d.X+d.RX, d.Y
			for i := 1; i <= n; i++ {
				sn, cs := math.Sincos(2 * math.Pi * float64(i) / float64(n))
				qx, qy := d.X+d.RX*cs, d.Y+d.RY*sn
				r.line(px, py, qx, qy, pal.dso, 0)
				px, py = qx, qy
			}
		case objects.OpenCluster:
			r.ring(d.X, d.Y, d.RX, pal.dso, 1)
		case objects.GlobularCluster:
			r.ring(d.X, d.Y, d.RX, pal.dso, 0)
			r.line(d.X-d.RX, d.Y, d.X+d.RX, d.Y, pal.dso, 0)
			r.line(d.X, d.Y-d.RX, d.X, d.Y+d.RX, pal.dso, 0)
		case objects.PlanetaryNebula:
			r.ring(d.X, d.Y, d.RX, pal.dso, 0)
			r.line(d.X-1.6*d.RX, d.Y, d.X-d.RX, d.Y, pal.dso, 0)
			r.line(d.X+d.RX, d.Y, d.X+1.6*d.RX, d.Y, pal.dso, 0)
			r.line(d.X, d.Y-1.6*d.RX, d.X, d.Y-d.RX, pal.dso, 0)
			r.line(d.X, d.Y+d.RX, d.X, d.Y+1.6*d.RX, pal.dso, 0)
		default:
			x0, y0, x1, y1 := d.X-d.RX, d.Y-d.RX, d.X+d.RX, d.Y+d.RX
			r.line(x0, y0, x1, y0, pal.dso, 0)
			r.line(x1, y0, x1, y1, pal.dso, 0)
			r.line(x1, y1, x0, y1, pal.dso, 0)
			r.line(x0, y1, x0, y0, pal.dso, 0)
		}
	}
	// Faintest first, so bright discs stay on top.
	for i := len(s.Stars) - 1; i >= 0; i-- {
		st := s.Stars[i]
		f := 1.0
		if s.MagLimit > -1.5 {
			f = min(max((s.MagLimit-st.Mag)/(s.MagLimit+1.5), 0), 1)
		}
		f = math.Sqrt(f)
		col := color.RGBA{
			lerp(pal.starLo.R, pal.starHi.R, f), lerp(pal.starLo.G, pal.starHi.G, f),
			lerp(pal.starLo.B, pal.starHi.B, f), 0xff,
		}
		r.disc(st.X, st.Y, st.R, col)
	}
	if n := len(s.Camera); n > 0 {
		for i := range n {
			a, b := s.Camera[i], s.Camera[(i+1)%n]
			r.line(a.X, a.Y, b.X, b.Y, pal.field, 0)
		}
	}
	if s.EyepieceR > 0 {
		r.ring(float64(s.Width)/2, float64(s.Height)/2, s.EyepieceR, pal.field, 1)
	}
	ss := sizeScale(s.Width, s.Height)
	if t := s.Target; t != nil {
		rad := max(9*ss, 3/min(r.sx, r.sy))
		if t.Inside {
			r.ring(t.X, t.Y, rad, pal.target, 0)
			r.line(t.X-2*rad, t.Y, t.X-0.5*rad, t.Y, pal.target, 0)
			r.line(t.X+0.5*rad, t.Y, t.X+2*rad, t.Y, pal.target, 0)
			r.line(t.X, t.Y-2*rad, t.X, t.Y-0.5*rad, pal.target, 0)
			r.line(t.X, t.Y+0.5*rad, t.X, t.Y+2*rad, pal.target, 0)
		} else {
			l, hw := 1.4*rad, 0.6*rad
			bx, by := t.X-t.DX*l, t.Y-t.DY*l
			ax, ay := bx-t.DY*hw, by+t.DX*hw
			cx, cy := bx+t.DY*hw, by-t.DX*hw
			r.line(t.X, t.Y, ax, ay, pal.target, 0)
			r.line(ax, ay, cx, cy, pal.target, 0)
			r.line(cx, cy, t.X, t.Y, pal.target, 0)
			r.line(t.X, t.Y, bx, by, pal.target, 0)
		}
	}
	// Compass arms, north longer than east.
	cl := max(14*ss, 6/min(r.sx, r.sy))
	cx, cy := cl+4/r.sx, float64(s.Height)-cl-4/r.sy
	r.line(cx, cy, cx+s.North.X*cl, cy+s.North.Y*cl, pal.compass, 0)
	r.line(cx, cy, cx+s.East.X*cl*0.6, cy+s.East.Y*cl*0.6, pal.compass, 0)
}

func lerp(a, b uint8, f float64) uint8 {
	return uint8(math.Round(float64(a) + (float64(b)-float64(a))*f))
}
