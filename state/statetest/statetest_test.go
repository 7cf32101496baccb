package statetest

import (
	"context"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/state"
)

func TestLogBufferConcurrent(t *testing.T) {
	var b LogBuffer
	log := zerolog.New(&b)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				log.Info().Int("w", w).Msg("tick")
			}
		}()
	}
	wg.Wait()
	if got := b.Count(`"message":"tick"`); got != 400 {
		t.Errorf("%d lines, want 400", got)
	}
	if got := b.Count(`"w":0`, "tick"); got != 100 {
		t.Errorf("%d lines of worker 0, want 100", got)
	}
}

func TestStart(t *testing.T) {
	st := Start(t, state.Default())
	if err := st.Update(context.Background(), state.SetPower{Power: state.Asleep}); err != nil {
		t.Fatal(err)
	}
	s, err := st.Snapshot(context.Background())
	if err != nil || s.Power != state.Asleep {
		t.Fatalf("power %v, err %v", s.Power, err)
	}
}
