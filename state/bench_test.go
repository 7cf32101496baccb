package state

import (
	"context"
	"testing"
)

func BenchmarkSnapshot(b *testing.B) {
	st := New(Default())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = st.Run(ctx) }()
	defer func() { cancel(); <-done }()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	st := New(Default())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = st.Run(ctx) }()
	defer func() { cancel(); <-done }()
	sub, _ := st.Subscribe(ctx) // one subscriber that never reads, as in the pipeline
	defer sub.Close()
	u := SetIMU{Sample: ImuSample{Status: 3}}
	b.ReportAllocs()
	for b.Loop() {
		if err := st.Update(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
