package keypad

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeMatrix is PiFinder's 5×4 matrix on gpiotest pins: a column reads low
// while a row driven low has a key down in that column.
type fakeMatrix struct {
	mu    sync.Mutex
	down  map[Key]bool
	rows  []*rowPin
	pos   map[Key][2]int // key -> row, col
	fail  bool           // rows fail to drive
	reads int
}

type rowPin struct {
	*gpiotest.Pin
	m      *fakeMatrix
	driven bool
}

func (r *rowPin) Out(l gpio.Level) error {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	if r.m.fail {
		return errors.New("pin broke")
	}
	r.driven = l == gpio.Low
	return r.Pin.Out(l)
}

func (r *rowPin) In(p gpio.Pull, e gpio.Edge) error {
	r.m.mu.Lock()
	r.driven = false
	r.m.mu.Unlock()
	return r.Pin.In(p, e)
}

type colPin struct {
	*gpiotest.Pin
	m   *fakeMatrix
	col int
}

func (c *colPin) Read() gpio.Level {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	c.m.reads++
	if c.P != gpio.PullUp {
		return gpio.Low // an unpulled input would float: fail loudly
	}
	for k, d := range c.m.down {
		p := c.m.pos[k]
		if d && p[1] == c.col && c.m.rows[p[0]].driven {
			return gpio.Low
		}
	}
	return gpio.High
}

func newFakeMatrix() (*fakeMatrix, MatrixConfig) {
	m := &fakeMatrix{down: map[Key]bool{}, pos: map[Key][2]int{}}
	cfg := MatrixConfig{Keymap: PiFinderKeymap}
	for i, n := range PiFinderRows {
		r := &rowPin{Pin: &gpiotest.Pin{N: fmt.Sprintf("GPIO%d", n), Num: n}, m: m}
		m.rows = append(m.rows, r)
		cfg.Rows = append(cfg.Rows, r)
		for j := range PiFinderCols {
			if k := PiFinderKeymap[i*len(PiFinderCols)+j]; k != KeyNone {
				m.pos[k] = [2]int{i, j}
			}
		}
	}
	for j, n := range PiFinderCols {
		cfg.Cols = append(cfg.Cols, &colPin{Pin: &gpiotest.Pin{N: fmt.Sprintf("GPIO%d", n), Num: n}, m: m, col: j})
	}
	return m, cfg
}

// step is the keys down for a number of scans, e.g. {"5 square", 3}.
type step struct {
	keys  string
	scans int
}

// got is an event and the scan (1-based) that reported it.
type got struct {
	Event string
	Scan  int
}

// runScript drives the matrix through the steps, one scan per ScanEvery,
// and returns the events with the scan that reported each.
func runScript(t *testing.T, steps []step) []got {
	t.Helper()
	var out []got
	synctest.Test(t, func(t *testing.T) {
		fm, cfg := newFakeMatrix()
		start := time.Now()
		m, err := NewMatrix(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		drain := func() {
			synctest.Wait()
			for {
				select {
				case e := <-m.Events():
					scan := int((e.Time.Sub(start) + ScanEvery/2) / ScanEvery)
					out = append(out, got{e.String(), scan})
				default:
					return
				}
			}
		}
		// Change the keys half-way between scans.
		time.Sleep(ScanEvery / 2)
		for _, s := range append(steps, step{"", 3}) {
			fm.mu.Lock()
			clear(fm.down)
			for _, k := range strings.Fields(s.keys) {
				key, err := ParseKey(k)
				if err != nil {
					t.Fatal(err)
				}
				fm.down[key] = true
			}
			fm.mu.Unlock()
			for i := 0; i < s.scans; i++ {
				time.Sleep(ScanEvery)
				drain()
			}
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if _, ok := <-m.Events(); ok {
			t.Error("Events still open after Close")
		}
	})
	return out
}

func TestMatrix(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  []got
	}{
		// Down at scans 1-3: debounced down at 2, up at 4, released at 5.
		{"single key", []step{{"5", 3}}, []got{{"5", 5}}},
		{"each key of the map", []step{{"7", 2}, {"", 2}, {"plus", 2}, {"", 2}, {"right", 2}},
			[]got{{"7", 4}, {"plus", 8}, {"right", 12}}},
		{"one-scan glitch ignored", []step{{"5", 1}}, nil},
		{"one-scan bounce in a hold", []step{{"5", 4}, {"", 1}, {"5", 4}}, []got{{"5", 11}}},
		// Down (debounced) at scan 2; Long when held > 1 s: 61 scans later.
		{"long press", []step{{"5", 80}}, []got{{"5/long", 63}}},
		{"just short of long", []step{{"5", 60}}, []got{{"5", 62}}},
		{"long square alone", []step{{"square", 70}}, []got{{"square/long", 63}}},
		{"square alone", []step{{"square", 5}}, []got{{"square", 7}}},
		{"chord", []step{{"square", 3}, {"square 5", 3}, {"square", 3}},
			[]got{{"square+5", 8}}},
		{"chord, key pressed before square", []step{{"0", 3}, {"0 square", 3}, {"square", 3}},
			[]got{{"square+0", 8}}},
		{"chord held long: no long", []step{{"square", 3}, {"square 5", 80}},
			[]got{{"square+5", 85}}},
		{"two keys at once", []step{{"5 6", 4}, {"6", 4}},
			[]got{{"5", 6}, {"6", 10}}},
		{"two keys, both long", []step{{"5 6", 70}}, []got{{"5/long", 63}, {"6/long", 63}}},
		// Up held: first Repeat 61 scans after the debounced press, then
		// every 4 scans; nothing at release.
		{"repeat", []step{{"up", 72}}, []got{{"up/repeat", 63}, {"up/repeat", 67}, {"up/repeat", 71}}},
		{"short down", []step{{"down", 3}}, []got{{"down", 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := runScript(t, tt.steps)
			if diff := cmp.Diff(tt.want, g); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatrixPinError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fm, cfg := newFakeMatrix()
		m, err := NewMatrix(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		fm.mu.Lock()
		fm.fail = true
		fm.mu.Unlock()
		for range m.Events() {
		}
		if err := m.Close(); err == nil || !strings.Contains(err.Error(), "drive row 0 (GPIO19(19)): pin broke") {
			t.Errorf("Close = %v, want the row's error", err)
		}
	})
}

func TestMatrixContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, cfg := newFakeMatrix()
		ctx, cancel := context.WithCancel(context.Background())
		m, err := NewMatrix(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		for range m.Events() {
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
}

func TestNewMatrixErrors(t *testing.T) {
	_, cfg := newFakeMatrix()
	bad := cfg
	bad.Keymap = bad.Keymap[:3]
	for name, c := range map[string]MatrixConfig{"no rows": {Cols: cfg.Cols}, "short keymap": bad} {
		if _, err := NewMatrix(t.Context(), c); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
