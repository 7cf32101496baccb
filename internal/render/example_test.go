package render_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

func Example() {
	// Two stars near Betelgeuse's position; normally the list comes from
	// starcat.Load("hip8.csv").
	sky := render.NewSky([]starcat.Star{
		{HIP: 27989, RA: 88.79, Dec: 7.41, Vmag: 0.45},
		{HIP: 1, RA: 88.0, Dec: 8.0, Vmag: 6.0},
	}, 2026.9)
	o := render.DefaultOptions()
	o.Attitude = geom.Attitude{RA: 88.79, Dec: 7.41}
	f, err := sky.Render(o)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range f.Stars {
		fmt.Printf("HIP %d at (%.1f, %.1f) saturated=%v\n", s.HIP, s.X, s.Y, s.Saturated)
	}
	// Output:
	// HIP 27989 at (256.0, 256.0) saturated=true
	// HIP 1 at (285.1, 234.0) saturated=false
}
