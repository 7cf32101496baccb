package keypad_test

import (
	"context"
	"fmt"

	"github.com/pifinder-go/pifinder/hw/keypad"
)

// The web page's virtual keypad feeds key events through a Channel.
func ExampleChannel() {
	in := keypad.NewChannel(4)
	ctx := context.Background()
	_ = in.Send(ctx, keypad.Event{Key: keypad.Key5, Kind: keypad.Press})
	_ = in.Send(ctx, keypad.Event{Key: keypad.KeyUp, Kind: keypad.Press, Square: true})
	in.Close()
	for e := range in.Events() {
		fmt.Println(e)
	}
	// Output:
	// 5
	// square+up
}
