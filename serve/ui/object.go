package ui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// TargetSource is the state.Target.Source of a target picked on the device.
const TargetSource = "ui"

// openObject sets t as the store's target and shows its object screen.
func (u *UI) openObject(ctx context.Context, t targets.Target) error {
	if err := u.cfg.Store.Update(ctx, state.SetTarget{Target: state.Target{Object: t, Source: TargetSource}}); err != nil {
		return fmt.Errorf("ui: set target %s: %w", t.Name(), err)
	}
	u.cfg.Log.Info().Str("target", t.Name()).Msg("ui target")
	u.push(&objectScreen{t: t})
	return nil
}

// objectScreen shows a target and the push-to guidance to it.
type objectScreen struct{ t targets.Target }

func (*objectScreen) name() string { return "object" }

func (o *objectScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	switch ev.Key {
	case keypad.KeyLeft:
		u.pop()
	case keypad.KeySquare:
		return o.observe(ctx, u)
	}
	return nil
}

// observe logs the target as observed.
func (o *objectScreen) observe(ctx context.Context, u *UI) error {
	if u.cfg.Observe == nil {
		u.say("no log")
		return nil
	}
	st, err := u.cfg.Store.Snapshot(ctx)
	if err != nil {
		return err
	}
	t := st.Target
	if !st.HasTarget || t.Object.Name() != o.t.Name() {
		t = state.Target{Object: o.t, Name: o.t.Name(), Source: TargetSource}
		if ra, dec, ok := o.t.J2000(); ok {
			t.RA, t.Dec = ra, dec
		}
	}
	if err := u.cfg.Observe(ctx, t, ""); err != nil {
		u.cfg.Log.Warn().Err(err).Str("target", t.Name).Msg("ui: observation not logged")
		u.say("log failed")
		return nil
	}
	u.say("logged")
	return nil
}

// visCache keeps the last rise/set computation: it needs a minute of sky
// time to change.
type visCache struct {
	name   string
	minute int64
	site   astro.Observer
	vis    targets.Visibility
	err    error
}

func (u *UI) visibility(t targets.Target, at time.Time, site astro.Observer) (targets.Visibility, error) {
	m := at.Unix() / 60
	c := &u.visCache
	if c.name != t.Name() || c.minute != m || c.site != site {
		c.vis, c.err = targets.RiseSet(t, site, at.Truncate(time.Minute))
		c.name, c.minute, c.site = t.Name(), m, site
	}
	return c.vis, c.err
}

func kindName(t targets.Target) string {
	switch k := t.Kind(); k {
	case objects.SolarSystem:
		switch t.Name() {
		case "Sun":
			return "star (Sun)"
		case "Moon":
			return "moon"
		}
		return "planet"
	case objects.Unknown:
		return "position"
	default:
		return k.String()
	}
}

func (o *objectScreen) draw(u *UI, c *canvas, st state.State) {
	t := o.t
	name := t.Name()
	obj := t.Object()
	c.title(name, "")
	// line 0: kind and magnitude
	c.line(0, kindName(t), colMid)
	// line 1: magnitude, size and constellation
	at, site, siteKnown := st.Sky(u.cfg.Now())
	var parts []string
	if m := t.Mag(); !math.IsNaN(m) {
		parts = append(parts, fmt.Sprintf("%.1fm", m))
	}
	if obj != nil && obj.MajorArcmin > 0 {
		if obj.MinorArcmin > 0 && obj.MinorArcmin != obj.MajorArcmin {
			parts = append(parts, fmt.Sprintf("%sx%s′", trimFloat(obj.MajorArcmin), trimFloat(obj.MinorArcmin)))
		} else {
			parts = append(parts, trimFloat(obj.MajorArcmin)+"′")
		}
	}
	if con, err := t.Constellation(at, site); err == nil && con != "" {
		parts = append(parts, con)
	}
	c.line(1, strings.Join(parts, " "), colMid)
	// line 2: rise and set
	below := false
	if siteKnown {
		if v, err := u.visibility(t, at, site); err == nil {
			below = v.AltDeg < 0
			c.line(2, riseSet(u, st, v), colDim)
		}
	} else {
		c.line(2, "no site: rise/set?", colDim)
	}
	g := st.Guidance
	mine := st.HasTarget && st.Target.Object.Name() == name && g.Valid && g.TargetSeq == st.Target.Seq
	if mine && g.Mount == targets.AltAz && !g.NoSite && g.TargetAlt < 0 {
		below = true
	}
	// guidance block: two big arrows with degrees, then the separation
	y := lineY(3) + 3
	switch {
	case !st.HasTarget || st.Target.Object.Name() != name:
		c.centred(4, "not the target", colDim)
	case !g.Valid:
		c.centred(4, "no solve yet", colDim)
	default:
		o.drawGuidance(c, g.Guidance, y)
	}
	last := c.rows() - 1
	switch {
	case below:
		c.centred(last, "below horizon", colRed)
	case mine && g.InField:
		c.fill(rectXY(0, lineY(last), c.w, lineY(last)+lineH), colDim)
		c.centred(last, "IN FIELD", colBlack)
	case mine:
		c.centred(last, fmt.Sprintf("sep %s°", fmtDeg(g.SeparationDeg)), colMid)
	}
}

// drawGuidance draws the two axis moves at y: an arrow triangle and the
// degrees in the big face, one per half of the width.
func (o *objectScreen) drawGuidance(c *canvas, g targets.Guidance, y int) {
	var a1, a2 float64
	var d1, d2 [2]byte // directions for positive and negative moves
	if g.Mount == targets.Equatorial {
		// RA positive east: east is to the left on the sky seen from below.
		a1, a2 = g.RADeg, g.DecDeg
		d1, d2 = [2]byte{'l', 'r'}, [2]byte{'u', 'd'}
	} else {
		a1, a2 = g.AzimuthDeg, g.AltitudeDeg
		d1, d2 = [2]byte{'r', 'l'}, [2]byte{'u', 'd'}
	}
	first, second := g.Directions()
	half := c.w / 2
	for i, a := range []float64{a1, a2} {
		dirs := d1
		word := first
		if i == 1 {
			dirs, word = d2, second
		}
		x := i * half
		s := 14
		if word == "" {
			c.big(x+4, y+2, "0.0", colMid)
		} else {
			dir := dirs[0]
			if a < 0 {
				dir = dirs[1]
			}
			c.arrow(x+2, y+1, s, dir, colRed)
			c.big(x+s+5, y, fmtDeg(math.Abs(a)), colRed)
		}
		c.text(x+2, y+18, fit(word, half/charW), colDim)
	}
}

// fmtDeg formats a move in degrees: one decimal below 100, none above.
func fmtDeg(d float64) string {
	if math.Abs(d) >= 99.95 {
		return fmt.Sprintf("%.0f", d)
	}
	return fmt.Sprintf("%.1f", d)
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}

func riseSet(u *UI, st state.State, v targets.Visibility) string {
	switch {
	case v.Circumpolar:
		return "circumpolar"
	case v.NeverRises:
		return "never rises"
	}
	hm := func(t time.Time) string {
		if t.IsZero() {
			return "--:--"
		}
		if lt, ok := u.localTime(st); ok {
			return t.In(lt.Location()).Format("15:04")
		}
		return t.UTC().Format("15:04")
	}
	return "R " + hm(v.Rise) + " S " + hm(v.Set)
}
