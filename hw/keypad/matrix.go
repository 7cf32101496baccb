package keypad

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"periph.io/x/conn/v3/gpio"
)

// PiFinder's key matrix (brickbots/PiFinder python/PiFinder/keyboard_pi.py):
// 5 rows × 4 columns, BCM GPIO numbers. The columns are inputs with pull-ups;
// each row in turn is driven low (the others left as inputs) and a column
// reading low means the key at that row and column is down. There is no
// separate power key in the matrix (the power switch is not read by the
// software).
var (
	PiFinderRows = []int{19, 17, 18, 22, 20}
	PiFinderCols = []int{16, 23, 26, 27}
	// PiFinderKeymap is keyboard_pi.py's keymap, row by row; KeyNone where
	// the matrix has no key ("NA").
	PiFinderKeymap = []Key{
		Key7, Key8, Key9, KeyNone,
		Key4, Key5, Key6, KeyPlus,
		Key1, Key2, Key3, KeyMinus,
		KeyNone, Key0, KeyNone, KeySquare,
		KeyLeft, KeyUp, KeyDown, KeyRight,
	}
)

// ScanEvery is PiFinder's scan period (scan_freq = 60).
const ScanEvery = time.Second / 60

// debounceScans is how many consecutive scans a key must read the same for
// its state to change: a one-scan glitch is ignored.
const debounceScans = 2

// MatrixConfig describes a key matrix.
type MatrixConfig struct {
	// Rows are driven low one at a time and left as floating inputs
	// otherwise (so two keys down in one column never short two driven
	// rows), as keyboard_pi.py does.
	Rows []gpio.PinIO
	// Cols are read with their pull-ups on.
	Cols []gpio.PinIn
	// Keymap has len(Rows)·len(Cols) keys, row by row.
	Keymap []Key
	// ScanEvery defaults to ScanEvery (60 Hz).
	ScanEvery time.Duration
	// Settle is how long a row is driven before the columns are read, for
	// the lines to settle through the pull-ups; 0 reads at once.
	Settle time.Duration
	Log    zerolog.Logger
}

// Matrix scans a key matrix in its own goroutine and reports Events.
type Matrix struct {
	cfg    MatrixConfig
	events chan Event
	cancel context.CancelFunc
	done   chan struct{}
	err    error // why the scan stopped, read after done
}

// NewMatrix sets the pins up and starts scanning until ctx ends or Close.
// Events is closed when the scan stops.
func NewMatrix(ctx context.Context, cfg MatrixConfig) (*Matrix, error) {
	if len(cfg.Rows) == 0 || len(cfg.Cols) == 0 {
		return nil, errors.New("keypad: matrix needs rows and columns")
	}
	if len(cfg.Keymap) != len(cfg.Rows)*len(cfg.Cols) {
		return nil, fmt.Errorf("keypad: keymap has %d keys, want %d rows × %d columns", len(cfg.Keymap), len(cfg.Rows), len(cfg.Cols))
	}
	if cfg.ScanEvery <= 0 {
		cfg.ScanEvery = ScanEvery
	}
	for i, c := range cfg.Cols {
		if err := c.In(gpio.PullUp, gpio.NoEdge); err != nil {
			return nil, fmt.Errorf("keypad: column %d (%s): %w", i, c, err)
		}
	}
	for i, r := range cfg.Rows {
		if err := r.In(gpio.Float, gpio.NoEdge); err != nil {
			return nil, fmt.Errorf("keypad: row %d (%s): %w", i, r, err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	m := &Matrix{cfg: cfg, events: make(chan Event, 16), cancel: cancel, done: make(chan struct{})}
	go m.run(ctx)
	return m, nil
}

// Events implements Input.
func (m *Matrix) Events() <-chan Event { return m.events }

// Close stops the scan, waits for it and returns the error that stopped it
// early, if any (a pin that failed).
func (m *Matrix) Close() error {
	m.cancel()
	<-m.done
	return m.err
}

func (m *Matrix) run(ctx context.Context) {
	defer close(m.done)
	defer close(m.events)
	n := len(m.cfg.Keymap)
	raw := make([]bool, n)
	count := make([]int, n) // consecutive scans raw differs from state
	state := make([]bool, n)
	var tr tracker
	tick := time.NewTicker(m.cfg.ScanEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if err := m.scan(raw); err != nil {
				m.err = err
				m.cfg.Log.Error().Err(err).Msg("keypad scan stopped")
				return
			}
			tr.tick(now)
			for i := range raw {
				if raw[i] == state[i] {
					count[i] = 0
					continue
				}
				if count[i]++; count[i] < debounceScans {
					continue
				}
				count[i] = 0
				state[i] = raw[i]
				if k := m.cfg.Keymap[i]; state[i] {
					tr.press(k, now)
				} else {
					tr.release(k, now)
				}
			}
			for _, e := range tr.take() {
				select {
				case m.events <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

// scan reads the whole matrix into down.
func (m *Matrix) scan(down []bool) error {
	nc := len(m.cfg.Cols)
	for i, r := range m.cfg.Rows {
		if err := r.Out(gpio.Low); err != nil {
			return fmt.Errorf("keypad: drive row %d (%s): %w", i, r, err)
		}
		if m.cfg.Settle > 0 {
			time.Sleep(m.cfg.Settle)
		}
		for j, c := range m.cfg.Cols {
			down[i*nc+j] = c.Read() == gpio.Low
		}
		if err := r.In(gpio.Float, gpio.NoEdge); err != nil {
			return fmt.Errorf("keypad: release row %d (%s): %w", i, r, err)
		}
	}
	return nil
}
