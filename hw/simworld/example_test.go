package simworld_test

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// A scripted slew: where the telescope truly points, second by second.
func ExampleWorld() {
	t0 := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	w := simworld.New(t0, simworld.Script{
		Start: geom.Attitude{RA: 80, Dec: 0},
		Steps: []simworld.Step{{To: geom.Attitude{RA: 86, Dec: 0}, RateDegPerS: 2, Hold: 10 * time.Second}},
	})
	for s := 0; s <= 4; s++ {
		at := t0.Add(time.Duration(s) * time.Second)
		a := w.Attitude(at)
		fmt.Printf("t=%ds RA %.1f moving %v\n", s, a.RA, w.Moving(at))
	}
	// Output:
	// t=0s RA 80.0 moving true
	// t=1s RA 82.0 moving true
	// t=2s RA 84.0 moving true
	// t=3s RA 86.0 moving false
	// t=4s RA 86.0 moving false
}
