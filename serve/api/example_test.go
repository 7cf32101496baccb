package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/state"
)

// Example reads pointing events from the API as an embedding program would.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// A state owner that already has a pointing estimate.
	initial := state.Default()
	initial.Estimate.Aligned.Estimate = state.PointingOf(83.6331, 22.0145, 0)
	store := state.New(initial)
	go store.Run(ctx)

	// The API on a loopback listener.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	served := make(chan error, 1)
	go func() { served <- api.New(api.Config{Store: store, Log: zerolog.Nop()}).Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()

	// The client side: open the event stream and read the first pointing event.
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+"/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			event = name
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok && event == api.EventPointing {
			var p api.PointingView
			if err := json.Unmarshal([]byte(data), &p); err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("pointing at RA %.4f° Dec %.4f°\n", p.Aligned.Estimate.RA, p.Aligned.Estimate.Dec)
			return
		}
	}
	// Output: pointing at RA 83.6331° Dec 22.0145°
}
