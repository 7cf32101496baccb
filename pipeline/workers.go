package pipeline

import (
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/power"
	"github.com/pifinder-go/pifinder/state"
)

// NewPowerWorker wraps the power manager as a pipeline worker.
func NewPowerWorker(st *state.Store, timeout time.Duration, log zerolog.Logger) Worker {
	m := power.NewManager(st, timeout, log.With().Str("worker", "power").Logger())
	return Worker{Name: "power", Run: m.Run}
}
