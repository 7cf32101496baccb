package pipeline

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

// BenchmarkEndToEndLatency measures, in the running pipeline (simulated
// camera at a fixed 25 ms exposure, real detector and solver, integrator),
// the time from a frame's exposure end to the pointing estimate of its solve
// being published by the state owner: the simulated readout (rendering the
// frame, several ms), the hand-off, detection, solving, the integrator's
// merge and the state update. One op is one published solve.
func BenchmarkEndToEndLatency(b *testing.B) {
	p, err := New(Config{Log: zerolog.Nop(), ExposureUS: 25000, SummaryInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	sub, err := p.Store().Subscribe(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	var last time.Time
	next := func() time.Duration {
		for {
			s := <-sub.C()
			e := s.Estimate
			if e.Source == state.SourceCamera && e.EstimateTime.After(last) {
				last = e.EstimateTime
				return time.Since(e.EstimateTime)
			}
		}
	}
	next() // warm up: the database is loaded, the first frame solved
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		lat = append(lat, next())
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)-1)*99/100].Microseconds())/1000, "p99-ms")
}
