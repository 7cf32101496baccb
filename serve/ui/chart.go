package ui

import (
	"context"
	"fmt"
	"math"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/internal/chart"
	"github.com/pifinder-go/pifinder/state"
)

const defaultChartFOV = 10.0

// chartScreen draws the sky around the aligned pointing.
type chartScreen struct{ fov float64 }

func (*chartScreen) name() string { return "chart" }

func (s *chartScreen) key(_ context.Context, u *UI, ev keypad.Event) error {
	switch ev.Key {
	case keypad.KeyUp, keypad.KeyPlus:
		s.fov = math.Max(chart.MinFOV, s.fov/1.5)
	case keypad.KeyDown, keypad.KeyMinus:
		s.fov = math.Min(chart.MaxFOV, s.fov*1.5)
	case keypad.KeyLeft:
		u.pop()
	case keypad.KeyRight:
		s.fov = defaultChartFOV
	}
	return nil
}

// chartCache keeps the last scene: building one costs milliseconds, and the
// screen redraws ten times a second while the pointing is still.
type chartCache struct {
	opts  chart.Options
	mark  chart.Mark
	scene *chart.Scene
}

func (u *UI) scene(o chart.Options) (*chart.Scene, error) {
	c := &u.chart
	var mark chart.Mark
	if o.Target != nil {
		mark = *o.Target
	}
	key := o
	key.Target = nil
	if c.scene != nil && c.opts == key && c.mark == mark {
		return c.scene, nil
	}
	s, err := chart.Build(o)
	if err != nil {
		return nil, err
	}
	c.opts, c.mark, c.scene = key, mark, s
	return s, nil
}

func (s *chartScreen) draw(u *UI, c *canvas, st state.State) {
	o, ok := chart.AroundPointing(st, chart.Options{FOV: s.fov, Width: c.w, Height: c.h, Theme: chart.Night})
	if !st.Estimate.HasPointing() || !ok {
		c.title("Chart", "")
		c.centred(3, "no solve yet", colRed)
		return
	}
	sc, err := u.scene(o)
	if err != nil {
		c.title("Chart", "")
		c.line(2, err.Error(), colDim)
		return
	}
	sc.Draw(c.img)
	c.text(1, 0, fmt.Sprintf("%s°", trimFloat(s.fov)), colDim)
	if st.HasTarget && sc.Target != nil && !sc.Target.Inside {
		d := fmt.Sprintf("%s°", fmtDeg(sc.Target.Dist))
		c.text(c.w-len(d)*charW-1, c.h-lineH, d, colDim)
	}
}
