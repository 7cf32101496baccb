package state_test

import (
	"context"
	"fmt"

	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// A target set by name gets its guidance with every estimate.
func ExampleSetTarget() {
	cat, _ := targets.Default()
	m13, _ := cat.Lookup("M 13")
	ra, dec, _ := m13.J2000()
	st := state.New(state.Default())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	defer func() { cancel(); <-done }()

	_ = st.Update(ctx, state.SetMount{Mount: targets.Equatorial})
	_ = st.Update(ctx, state.SetTarget{Target: state.Target{Object: m13, Source: "api"}})
	p := state.PointingOf(ra, dec-2, 0) // the eyepiece 2° south of M 13
	_ = st.Update(ctx, state.SetEstimate{Estimate: state.Estimate{Aligned: state.Axis{Estimate: p}}})
	s, _ := st.Snapshot(ctx)
	g := s.Guidance
	_, ns := g.Directions()
	fmt.Printf("%s: %.2f° away, %.2f° %s\n", s.Target.Name, g.SeparationDeg, g.DecDeg, ns)
	// Output:
	// M 13 Great Star Cluster in Hercules: 2.00° away, 2.00° north
}
