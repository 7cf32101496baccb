package chart

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"

	"github.com/pifinder-go/pifinder/internal/sky/objects"
)

// palette is a theme's colours, as CSS hex and RGB.
type palette struct {
	bg, line, name, star, dso, label, field, target, compass string
}

var palettes = map[Theme]palette{
	Night: {bg: "#000", line: "#600", name: "#800", star: "#f33", dso: "#b00", label: "#a00", field: "#c00", target: "#f44", compass: "#900"},
	Day:   {bg: "#fff", line: "#9ab", name: "#678", star: "#000", dso: "#360", label: "#333", field: "#06c", target: "#c00", compass: "#555"},
}

func (s *Scene) palette() palette {
	if p, ok := palettes[s.Theme]; ok {
		return p
	}
	return palettes[Night]
}

// svgBuf builds the SVG text.
type svgBuf struct{ bytes.Buffer }

// num writes v rounded to one decimal, without a trailing ".0" and never
// "-0"; non-finite values (which Build does not produce) are written as 0.
func (b *svgBuf) num(v float64) {
	if !finite(v) {
		v = 0
	}
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // drop the sign of −0
	}
	b.Write(strconv.AppendFloat(b.AvailableBuffer(), v, 'f', -1, 64))
}

// attr writes ` name="v"` with v a number.
func (b *svgBuf) attr(name string, v float64) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	b.num(v)
	b.WriteByte('"')
}

func (b *svgBuf) text(x, y float64, anchor, s string) {
	b.WriteString("<text")
	b.attr("x", x)
	b.attr("y", y)
	if anchor != "" {
		b.WriteString(` text-anchor="`)
		b.WriteString(anchor)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	_ = xml.EscapeText(b, []byte(s))
	b.WriteString("</text>")
}

// WriteSVG writes the scene as a complete standalone SVG document.
func (s *Scene) WriteSVG(w io.Writer) error {
	pal := s.palette()
	ss := sizeScale(s.Width, s.Height)
	W, H := float64(s.Width), float64(s.Height)
	var b svgBuf
	b.Grow(8192 + 40*len(s.Stars) + 60*len(s.Lines))
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(s.Width) + " " + strconv.Itoa(s.Height))
	b.WriteString(`" width="` + strconv.Itoa(s.Width) + `" height="` + strconv.Itoa(s.Height))
	b.WriteString(`" font-family="sans-serif"`)
	b.attr("font-size", 11*ss)
	b.WriteString(">\n<rect width=\"100%\" height=\"100%\" fill=\"" + pal.bg + "\"/>\n")

	// Constellation lines: one path per constellation.
	if len(s.Lines) > 0 {
		b.WriteString(`<g class="lines" fill="none" stroke="` + pal.line + `"`)
		b.attr("stroke-width", max(0.8*ss, 0.5))
		b.WriteString(">")
		for i := 0; i < len(s.Lines); {
			con := s.Lines[i].Con
			b.WriteString("\n<path data-con=\"")
			_ = xml.EscapeText(&b, []byte(con))
			b.WriteString(`" d="`)
			px, py := math.NaN(), math.NaN()
			for ; i < len(s.Lines) && s.Lines[i].Con == con; i++ {
				l := s.Lines[i]
				if r1(l.X1) != r1(px) || r1(l.Y1) != r1(py) {
					b.WriteByte('M')
					b.num(l.X1)
					b.WriteByte(' ')
					b.num(l.Y1)
				}
				b.WriteByte('L')
				b.num(l.X2)
				b.WriteByte(' ')
				b.num(l.Y2)
				px, py = l.X2, l.Y2
			}
			b.WriteString(`"/>`)
		}
		b.WriteString("\n</g>\n")
	}

	// Constellation names.
	if len(s.Labels) > 0 {
		b.WriteString(`<g class="names" fill="` + pal.name + `"`)
		b.attr("font-size", 13*ss)
		b.WriteString(">")
		for _, l := range s.Labels {
			b.text(l.X, l.Y, "middle", l.Text)
		}
		b.WriteString("</g>\n")
	}

	// Deep-sky objects.
	if len(s.DSOs) > 0 {
		b.WriteString(`<g class="dsos" fill="none" stroke="` + pal.dso + `"`)
		b.attr("stroke-width", max(ss, 0.6))
		b.WriteString(">\n")
		for _, d := range s.DSOs {
			b.dso(d)
		}
		b.WriteString("</g>\n")
		b.WriteString(`<g class="dso-labels" fill="` + pal.label + `">`)
		for _, d := range s.DSOs {
			if d.Label != "" {
				b.text(d.X+d.RX+2*ss, d.Y-d.RY, "", d.Label)
			}
		}
		b.WriteString("</g>\n")
	}

	// Stars.
	b.WriteString(`<g class="stars" fill="` + pal.star + `">`)
	for _, st := range s.Stars {
		b.WriteString("<circle")
		b.attr("cx", st.X)
		b.attr("cy", st.Y)
		b.attr("r", st.R)
		b.WriteString("/>")
	}
	b.WriteString("</g>\n")

	// Camera field and eyepiece.
	if len(s.Camera) > 0 || s.EyepieceR > 0 {
		b.WriteString(`<g class="field" fill="none" stroke="` + pal.field + `"`)
		b.attr("stroke-width", max(ss, 0.6))
		b.WriteString(">")
		if len(s.Camera) > 0 {
			b.WriteString(`<polygon class="camera" points="`)
			for i, c := range s.Camera {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.num(c.X)
				b.WriteByte(',')
				b.num(c.Y)
			}
			b.WriteString(`"/>`)
		}
		if s.EyepieceR > 0 {
			b.WriteString(`<circle class="eyepiece"`)
			b.attr("cx", W/2)
			b.attr("cy", H/2)
			b.attr("r", s.EyepieceR)
			b.WriteString(` stroke-dasharray="4 3"/>`)
		}
		b.WriteString("</g>\n")
	}

	// Target.
	if t := s.Target; t != nil {
		b.WriteString(`<g class="target" fill="none" stroke="` + pal.target + `"`)
		b.attr("stroke-width", max(1.5*ss, 0.8))
		b.WriteString(">")
		r := 9 * ss
		if t.Inside {
			b.WriteString("<circle")
			b.attr("cx", t.X)
			b.attr("cy", t.Y)
			b.attr("r", r)
			b.WriteString(`/><path d="`)
			for _, d := range [4][4]float64{{-2, 0, -0.5, 0}, {0.5, 0, 2, 0}, {0, -2, 0, -0.5}, {0, 0.5, 0, 2}} {
				b.WriteByte('M')
				b.num(t.X + d[0]*r)
				b.WriteByte(' ')
				b.num(t.Y + d[1]*r)
				b.WriteByte('L')
				b.num(t.X + d[2]*r)
				b.WriteByte(' ')
				b.num(t.Y + d[3]*r)
			}
			b.WriteString(`"/>`)
			if t.Label != "" {
				b.WriteString(`<g fill="` + pal.target + `" stroke="none">`)
				b.text(t.X+r+3*ss, t.Y+r, "", t.Label)
				b.WriteString("</g>")
			}
		} else {
			// Arrow: tip at (X, Y) pointing along (DX, DY).
			l, hw := 12*ss, 5*ss
			bx, by := t.X-t.DX*l, t.Y-t.DY*l
			b.WriteString(`<polygon class="arrow" fill="` + pal.target + `" points="`)
			for i, q := range [3][2]float64{{t.X, t.Y}, {bx - t.DY*hw, by + t.DX*hw}, {bx + t.DY*hw, by - t.DX*hw}} {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.num(q[0])
				b.WriteByte(',')
				b.num(q[1])
			}
			b.WriteString(`"/>`)
			lab := strconv.FormatFloat(t.Dist, 'f', 0, 64) + "°"
			if t.Label != "" {
				lab = t.Label + " " + lab
			}
			// Keep the label inside: place it behind the arrow, anchored
			// towards the centre.
			anchor := "middle"
			if t.DX > 0.5 {
				anchor = "end"
			} else if t.DX < -0.5 {
				anchor = "start"
			}
			lx, ly := bx-t.DX*4*ss, by-t.DY*4*ss+4*ss
			if t.DY > 0.5 {
				ly -= 8 * ss
			} else if t.DY < -0.5 {
				ly += 6 * ss
			}
			b.WriteString(`<g fill="` + pal.target + `" stroke="none">`)
			b.text(lx, ly, anchor, lab)
			b.WriteString("</g>")
		}
		b.WriteString("</g>\n")
	}

	// Compass: N and E arms at the bottom left.
	cx, cy, cl := 22*ss, H-22*ss, 14*ss
	b.WriteString(`<g class="compass" stroke="` + pal.compass + `" fill="` + pal.compass + `"`)
	b.attr("font-size", 10*ss)
	b.WriteString(`><path fill="none" d="M`)
	b.num(cx + s.North.X*cl)
	b.WriteByte(' ')
	b.num(cy + s.North.Y*cl)
	b.WriteByte('L')
	b.num(cx)
	b.WriteByte(' ')
	b.num(cy)
	b.WriteByte('L')
	b.num(cx + s.East.X*cl)
	b.WriteByte(' ')
	b.num(cy + s.East.Y*cl)
	b.WriteString(`"/><g stroke="none">`)
	lr := cl + 6*ss
	b.text(cx+s.North.X*lr, cy+s.North.Y*lr+3.5*ss, "middle", "N")
	b.text(cx+s.East.X*lr, cy+s.East.Y*lr+3.5*ss, "middle", "E")
	b.WriteString("</g></g>\n</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func r1(v float64) float64 { return math.Round(v * 10) }

// dso writes a deep-sky symbol by kind.
func (b *svgBuf) dso(d DSO) {
	switch d.Kind {
	case objects.Galaxy, objects.GalaxyGroup:
		// Position angles are not in the catalogue: drawn unrotated.
		b.WriteString("<ellipse")
		b.attr("cx", d.X)
		b.attr("cy", d.Y)
		b.attr("rx", d.RX)
		b.attr("ry", d.RY)
		b.WriteString("/>")
	case objects.OpenCluster:
		b.WriteString("<circle")
		b.attr("cx", d.X)
		b.attr("cy", d.Y)
		b.attr("r", d.RX)
		b.WriteString(` stroke-dasharray="2 2"/>`)
	case objects.GlobularCluster:
		b.WriteString("<circle")
		b.attr("cx", d.X)
		b.attr("cy", d.Y)
		b.attr("r", d.RX)
		b.WriteString(`/><path d="M`)
		b.num(d.X - d.RX)
		b.WriteByte(' ')
		b.num(d.Y)
		b.WriteString("h")
		b.num(2 * d.RX)
		b.WriteString("M")
		b.num(d.X)
		b.WriteByte(' ')
		b.num(d.Y - d.RX)
		b.WriteString("v")
		b.num(2 * d.RX)
		b.WriteString(`"/>`)
	case objects.PlanetaryNebula:
		r := d.RX
		b.WriteString("<circle")
		b.attr("cx", d.X)
		b.attr("cy", d.Y)
		b.attr("r", r)
		b.WriteString(`/><path d="M`)
		b.num(d.X - 1.6*r)
		b.WriteByte(' ')
		b.num(d.Y)
		b.WriteString("h")
		b.num(0.6 * r)
		b.WriteString("M")
		b.num(d.X + r)
		b.WriteByte(' ')
		b.num(d.Y)
		b.WriteString("h")
		b.num(0.6 * r)
		b.WriteString("M")
		b.num(d.X)
		b.WriteByte(' ')
		b.num(d.Y - 1.6*r)
		b.WriteString("v")
		b.num(0.6 * r)
		b.WriteString("M")
		b.num(d.X)
		b.WriteByte(' ')
		b.num(d.Y + r)
		b.WriteString("v")
		b.num(0.6 * r)
		b.WriteString(`"/>`)
	default: // nebulae, remnants, star-forming regions
		b.WriteString("<rect")
		b.attr("x", d.X-d.RX)
		b.attr("y", d.Y-d.RX)
		b.attr("width", 2*d.RX)
		b.attr("height", 2*d.RX)
		b.WriteString("/>")
	}
}
