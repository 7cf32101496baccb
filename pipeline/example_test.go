package pipeline_test

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/pipeline"
)

// An embedding program starts the same pipeline as the binary (here on the
// simulated sky camera and IMU, its defaults; set Config.Source and
// Config.IMUDevice to bring your own) and reads pointing through the state
// owner's subscription.
func Example() {
	p, err := pipeline.New(pipeline.Config{Log: zerolog.Nop()})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	sub, err := p.Store().Subscribe(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sub.Close()
wait:
	for {
		select {
		case s := <-sub.C():
			if s.Estimate.HasPointing() {
				fmt.Println("pointing from", s.Estimate.Source)
				break wait
			}
		case <-ctx.Done():
			fmt.Println("no pointing:", context.Cause(ctx))
			break wait
		}
	}
	cancel()
	fmt.Println("stopped:", <-done)
	// Output:
	// pointing from CAM
	// stopped: <nil>
}
