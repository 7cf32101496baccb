package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/sim"
	"github.com/pifinder-go/pifinder/hw/simworld"
)

// A simulated frame of the Pleiades: the built-in catalogue, a telescope
// holding still, one 0.2 s exposure.
func Example() {
	world := simworld.New(time.Now(), simworld.Script{Start: simworld.Attitude{RA: 56.9, Dec: 24.1, Roll: 10}})
	cam, err := sim.New(sim.Config{World: world, Epoch: 2026})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cam.Close()
	f, err := cam.Capture(context.Background(), camera.Settings{ExposureUS: 200000, Gain: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()
	fmt.Printf("%s %dx%d, truth RA %.1f Dec %.1f\n", f.Meta.Source, f.Meta.Width, f.Meta.Height, f.Meta.Truth.RA, f.Meta.Truth.Dec)
	// Output: sim 512x512, truth RA 56.9 Dec 24.1
}
