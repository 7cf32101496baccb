package ui

import (
	"context"
	"image"
	"math"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
)

// alignScreen picks the star the eyepiece is centred on, in the latest
// solve frame, and makes its pixel the target pixel.
type alignScreen struct {
	sel int // index in the frame's stars; -1 picks the one nearest the target pixel
	seq uint64
	msg string
}

func (*alignScreen) name() string { return "align" }

func (a *alignScreen) frame(u *UI) (solver.FrameView, bool) {
	if u.cfg.Frame == nil {
		return solver.FrameView{}, false
	}
	fv, ok := u.cfg.Frame()
	if !ok || fv.Gray == nil {
		return fv, false
	}
	if fv.Meta.Seq != a.seq || a.sel < 0 || a.sel >= len(fv.Stars) {
		a.seq = fv.Meta.Seq
		a.sel = nearestStar(fv.Stars, fv.TargetPixel.X, fv.TargetPixel.Y)
	}
	return fv, true
}

// nearestStar returns the index of the star nearest (x, y), -1 for none.
func nearestStar(stars [][2]float64, x, y float64) int {
	best, bd := -1, math.Inf(1)
	for i, s := range stars {
		if d := math.Hypot(s[0]-x, s[1]-y); d < bd {
			best, bd = i, d
		}
	}
	return best
}

// step moves from star cur to the nearest star in direction (dx, dy),
// preferring those within 45° of it; cur when there is none.
func step(stars [][2]float64, cur int, dx, dy float64) int {
	if cur < 0 || cur >= len(stars) {
		return cur
	}
	x0, y0 := stars[cur][0], stars[cur][1]
	best, bd := cur, math.Inf(1)
	for _, cone := range []bool{true, false} {
		for i, s := range stars {
			if i == cur {
				continue
			}
			vx, vy := s[0]-x0, s[1]-y0
			along := vx*dx + vy*dy
			across := math.Abs(vx*dy - vy*dx)
			if along <= 0 || (cone && across > along) {
				continue
			}
			if d := math.Hypot(vx, vy); d < bd {
				best, bd = i, d
			}
		}
		if best != cur {
			break
		}
	}
	return best
}

func (a *alignScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	var dx, dy float64
	switch ev.Key {
	case keypad.KeyLeft:
		u.pop()
		return nil
	case keypad.KeyUp, keypad.Key8:
		dy = -1
	case keypad.KeyDown, keypad.Key2:
		dy = 1
	case keypad.Key4:
		dx = -1
	case keypad.Key6:
		dx = 1
	case keypad.KeyRight, keypad.Key5:
		return a.confirm(ctx, u)
	default:
		return nil
	}
	fv, ok := a.frame(u)
	if !ok {
		return nil
	}
	a.sel = step(fv.Stars, a.sel, dx, dy)
	a.msg = ""
	return nil
}

func (a *alignScreen) confirm(ctx context.Context, u *UI) error {
	fv, ok := a.frame(u)
	switch {
	case !ok:
		a.msg = "no frame"
		return nil
	case a.sel < 0:
		a.msg = "no stars"
		return nil
	case u.cfg.Align == nil:
		a.msg = "not available"
		return nil
	}
	s := fv.Stars[a.sel]
	px := state.Pixel{Y: s[1], X: s[0]}
	if err := u.cfg.Align(ctx, px); err != nil {
		u.cfg.Log.Warn().Err(err).Msg("ui: alignment refused")
		a.msg = err.Error()
		return nil
	}
	u.cfg.Log.Info().Float64("x", px.X).Float64("y", px.Y).Msg("ui: aligned")
	a.msg = "aligned"
	u.say("aligned")
	return nil
}

func (a *alignScreen) draw(u *UI, c *canvas, st state.State) {
	fv, ok := a.frame(u)
	if !ok {
		c.title("Align", "")
		c.centred(3, "no frame yet", colRed)
		return
	}
	g := fv.Gray
	b := g.Bounds()
	fw, fh := b.Dx(), b.Dy()
	// scale the frame into the screen, box-averaged, gray to red
	for y := range c.h {
		y0, y1 := b.Min.Y+y*fh/c.h, b.Min.Y+(y+1)*fh/c.h
		for x := range c.w {
			x0, x1 := b.Min.X+x*fw/c.w, b.Min.X+(x+1)*fw/c.w
			sum, n := 0, 0
			for yy := y0; yy < max(y1, y0+1); yy++ {
				row := g.Pix[(yy-b.Min.Y)*g.Stride:]
				for xx := x0; xx < max(x1, x0+1); xx++ {
					sum += int(row[xx-b.Min.X])
					n++
				}
			}
			v := uint8(sum / n)
			i := c.img.PixOffset(x, y)
			c.img.Pix[i] = v
		}
	}
	sx, sy := float64(c.w)/float64(fw), float64(c.h)/float64(fh)
	for i, s := range fv.Stars {
		x, y := s[0]*sx, s[1]*sy
		if i == a.sel {
			c.circle(x, y, 6, colRed)
			c.circle(x, y, 5, colRed)
		} else {
			c.circle(x, y, 3, colDim)
		}
	}
	// the current target pixel: a small cross
	tx, ty := int(fv.TargetPixel.X*sx), int(fv.TargetPixel.Y*sy)
	for d := 2; d <= 4; d++ {
		c.set(tx-d, ty, colMid)
		c.set(tx+d, ty, colMid)
		c.set(tx, ty-d, colMid)
		c.set(tx, ty+d, colMid)
	}
	c.text(1, 0, "Align", colDim)
	msg := a.msg
	if msg == "" && a.sel >= 0 {
		msg = "RIGHT: align here"
	} else if msg == "" {
		msg = "no stars"
	}
	r := image.Rect(0, c.h-lineH, c.w, c.h)
	c.fill(r, colBlack)
	c.text(1, c.h-lineH, fit(msg, c.cols()), colRed)
}
