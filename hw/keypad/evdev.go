package keypad

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Linux input event codes (include/uapi/linux/input-event-codes.h).
const (
	evKey = 0x01
)

// EvdevKeymap maps Linux key codes (KEY_*) to PiFinder keys: the digit row
// and the keypad's digits, minus and plus (KEY_MINUS, KEY_KPMINUS; KEY_EQUAL
// unshifted "=/+", KEY_KPPLUS), the arrows, and Enter (KEY_ENTER,
// KEY_KPENTER) or Space as SQUARE. PiFinder's libinput keyboard support
// (keyboard_pi.py get_keyboard_key) maps the arrows, Enter (28) as SQUARE
// and the keypad's 74/78 (it swaps them: 74 is KEY_KPMINUS in Linux; here
// minus is minus), and no digits.
var EvdevKeymap = map[uint16]Key{
	2: Key1, 3: Key2, 4: Key3, 5: Key4, 6: Key5, 7: Key6, 8: Key7, 9: Key8, 10: Key9, 11: Key0,
	12: KeyMinus, 13: KeyPlus, // KEY_MINUS, KEY_EQUAL
	28: KeySquare, 57: KeySquare, 96: KeySquare, // KEY_ENTER, KEY_SPACE, KEY_KPENTER
	71: Key7, 72: Key8, 73: Key9, 74: KeyMinus, // KEY_KP7..9, KEY_KPMINUS
	75: Key4, 76: Key5, 77: Key6, 78: KeyPlus, // KEY_KP4..6, KEY_KPPLUS
	79: Key1, 80: Key2, 81: Key3, 82: Key0, // KEY_KP1..3, KEY_KP0
	103: KeyUp, 105: KeyLeft, 106: KeyRight, 108: KeyDown,
}

// RawEvent is one struct input_event.
type RawEvent struct {
	Time  time.Time
	Type  uint16
	Code  uint16
	Value int32
}

// EventSize is the size of struct input_event for this process: a struct
// timeval of two C longs, then type, code (u16) and value (s32). A 32-bit
// process on a 64-bit kernel gets the 16-byte layout through the compat
// layer too.
const EventSize = 2*strconv.IntSize/8 + 8

// ParseEvent decodes one little-endian struct input_event of size 16 (32-bit
// longs) or 24 (64-bit longs).
func ParseEvent(b []byte) (RawEvent, error) {
	var sec, usec int64
	var rest []byte
	switch len(b) {
	case 24:
		sec, usec = int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
		rest = b[16:]
	case 16:
		sec, usec = int64(int32(binary.LittleEndian.Uint32(b))), int64(int32(binary.LittleEndian.Uint32(b[4:])))
		rest = b[8:]
	default:
		return RawEvent{}, fmt.Errorf("keypad: input event of %d bytes, want 16 or 24", len(b))
	}
	if usec < 0 || usec >= 1e6 {
		return RawEvent{}, fmt.Errorf("keypad: input event with %d µs", usec)
	}
	return RawEvent{
		Time:  time.Unix(sec, usec*1000),
		Type:  binary.LittleEndian.Uint16(rest),
		Code:  binary.LittleEndian.Uint16(rest[2:]),
		Value: int32(binary.LittleEndian.Uint32(rest[4:])),
	}, nil
}

// Evdev reads a keyboard's /dev/input/event* device (or any stream of
// input events) and reports PiFinder key events, with the same rules as the
// matrix (release reports, Long, chords with Enter/Space as SQUARE, up/down
// repeat). Times are the events' own timestamps, and Long and Repeat are
// decided when the next event arrives, which for a held key is the
// kernel's auto-repeat (every ~33 ms by default).
type Evdev struct {
	r      io.ReadCloser
	size   int
	events chan Event
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
	log    zerolog.Logger
}

// OpenEvdev opens path (e.g. /dev/input/by-id/usb-…-event-kbd).
func OpenEvdev(ctx context.Context, path string, log zerolog.Logger) (*Evdev, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keypad: keyboard: %w", err)
	}
	return NewEvdev(ctx, f, EventSize, log), nil
}

// NewEvdev reads events of size bytes (EventSize for a device) from r until
// ctx ends, Close, or r fails or ends; then Events is closed.
func NewEvdev(ctx context.Context, r io.ReadCloser, size int, log zerolog.Logger) *Evdev {
	ctx, cancel := context.WithCancel(ctx)
	e := &Evdev{r: r, size: size, events: make(chan Event, 16), cancel: cancel, done: make(chan struct{}), log: log}
	go e.run(ctx)
	// Close r when ctx ends, to unblock the reader goroutine's Read.
	context.AfterFunc(ctx, func() { e.once.Do(func() { r.Close() }) })
	return e
}

// Events implements Input.
func (e *Evdev) Events() <-chan Event { return e.events }

// Close implements Input; it returns the read error that ended the stream
// early, if any (not io.EOF).
func (e *Evdev) Close() error {
	e.cancel()
	<-e.done
	return e.err
}

func (e *Evdev) run(ctx context.Context) {
	defer close(e.done)
	defer close(e.events)
	buf := make([]byte, e.size)
	var tr tracker
	for {
		if _, err := io.ReadFull(e.r, buf); err != nil {
			if ctx.Err() == nil && !errors.Is(err, io.EOF) {
				e.err = fmt.Errorf("keypad: keyboard: %w", err)
				e.log.Error().Err(err).Msg("keyboard read stopped")
			}
			return
		}
		ev, err := ParseEvent(buf)
		if err != nil {
			e.err = err
			return
		}
		tr.tick(ev.Time)
		if k, ok := EvdevKeymap[ev.Code]; ok && ev.Type == evKey {
			switch ev.Value {
			case 1:
				tr.press(k, ev.Time)
			case 0:
				tr.release(k, ev.Time)
			}
		}
		for _, out := range tr.take() {
			select {
			case e.events <- out:
			case <-ctx.Done():
				return
			}
		}
	}
}
