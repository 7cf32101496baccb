package ui_test

import (
	"context"
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/serve/ui"
	"github.com/pifinder-go/pifinder/state"
)

func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	store := state.New(state.Default())
	done := make(chan struct{})
	go func() { _ = store.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	u, err := ui.New(ui.Config{Store: store, Now: func() time.Time { return time.Date(2025, 4, 15, 22, 0, 0, 0, time.UTC) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Screen())
	// SQUARE+2 opens the targets; RIGHT the Messier list; 5, 1 selects M 51;
	// RIGHT makes it the target.
	for _, ev := range []keypad.Event{
		{Key: keypad.Key2, Kind: keypad.Press, Square: true},
		{Key: keypad.KeyRight, Kind: keypad.Press},
		{Key: keypad.Key5, Kind: keypad.Press},
		{Key: keypad.Key1, Kind: keypad.Press},
		{Key: keypad.KeyRight, Kind: keypad.Press},
	} {
		if err := u.Key(ctx, ev); err != nil {
			fmt.Println(err)
			return
		}
	}
	st, _ := store.Snapshot(ctx)
	img := u.Draw(st)
	fmt.Println(u.Screen(), st.Target.Name, img.Bounds().Dx(), img.Bounds().Dy())
	// Output:
	// status
	// object M 51 Whirlpool Galaxy 128 128
}
