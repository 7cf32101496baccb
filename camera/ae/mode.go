package ae

import "fmt"

// Mode selects the auto-exposure algorithm.
type Mode int

// Auto-exposure modes.
const (
	ModePID Mode = iota // aim at a matched-star count (default)
	ModeSNR             // aim at a background level (used by the SQM screen)
)

func (m Mode) String() string {
	switch m {
	case ModePID:
		return "PID"
	case ModeSNR:
		return "SNR"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}
