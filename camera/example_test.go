package camera_test

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/sim"
	"github.com/pifinder-go/pifinder/state"
)

// Example wires a simulated camera to a consumer through the hand-off.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := state.New(state.Default())
	go store.Run(ctx)

	src, err := sim.New(sim.Config{Epoch: 2026}) // the built-in star catalogue

	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	h := camera.NewHandoff()
	cmds := make(chan camera.Command, 1)
	w := &camera.Worker{Source: src, Store: store, Handoff: h, Log: zerolog.Nop(), Commands: cmds, ExposureUS: 50000}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	cmds <- camera.SetGain{Gain: 2}
	f, err := h.Next(ctx) // the solver's side
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Meta.Source, f.Gray.Rect.Dx(), f.Meta.Truth.Valid)
	f.Release() // done with the pixels: the buffer goes back to the camera

	cancel()
	<-done
	// Output: sim 512 true
}
