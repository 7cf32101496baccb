package power_test

import (
	"context"
	"fmt"

	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/state"
)

// A worker loop paced by the power state: 30 Hz awake, 2 Hz asleep, and it
// returns the context's cause at once when the pipeline stops.
func ExamplePacer() {
	st := state.New(state.Default())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	owner := make(chan error, 1)
	go func() { owner <- st.Run(ctx) }()

	pacer, err := power.NewPacer(ctx, st)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pacer.Close()
	for i := 0; i < 3; i++ {
		p, err := pacer.Wait(ctx)
		if err != nil {
			fmt.Println("stopping:", err)
			return
		}
		fmt.Println("tick", i, p)
	}
	cancel()
	_, err = pacer.Wait(ctx)
	fmt.Println("stopping:", err)
	<-owner
	// Output:
	// tick 0 awake
	// tick 1 awake
	// tick 2 awake
	// stopping: context canceled
}
