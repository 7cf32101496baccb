package state_test

import (
	"context"
	"fmt"

	"github.com/pifinder-go/pifinder/state"
)

func Example() {
	st := state.New(state.Default())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()

	// A writer sends a typed update; the owner applies it and acknowledges.
	est := state.Estimate{Source: state.SourceCamera}
	est.Aligned.Estimate = state.PointingOf(83.63, 22.01, 0)
	if err := st.Update(ctx, state.SetEstimate{Estimate: est}); err != nil {
		fmt.Println(err)
	}
	// A reader takes a snapshot it may keep.
	s, _ := st.Snapshot(ctx)
	fmt.Printf("%.2f %.2f %s\n", s.Estimate.Aligned.Estimate.RA, s.Estimate.Aligned.Estimate.Dec, s.Estimate.Source)

	cancel()
	<-done
	// After the owner is gone every call returns its cause at once.
	_, err := st.Snapshot(context.Background())
	fmt.Println(err != nil)
	// Output:
	// 83.63 22.01 CAM
	// true
}
