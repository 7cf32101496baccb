package keypad

import (
	"fmt"
	"time"
)

// Key is one key of the PiFinder keypad (or its stand-in on another input:
// the simulated keypad, the web page's virtual keypad, a USB keyboard).
type Key uint8

// The keys, as printed on the PiFinder keypad.
const (
	KeyNone Key = iota
	Key0
	Key1
	Key2
	Key3
	Key4
	Key5
	Key6
	Key7
	Key8
	Key9
	KeyPlus
	KeyMinus
	KeySquare
	KeyLeft
	KeyUp
	KeyDown
	KeyRight
	numKeys
)

var keyNames = [numKeys]string{
	KeyNone: "none", Key0: "0", Key1: "1", Key2: "2", Key3: "3", Key4: "4",
	Key5: "5", Key6: "6", Key7: "7", Key8: "8", Key9: "9",
	KeyPlus: "plus", KeyMinus: "minus", KeySquare: "square",
	KeyLeft: "left", KeyUp: "up", KeyDown: "down", KeyRight: "right",
}

// String is the key's name: "0".."9", "plus", "minus", "square", "left",
// "up", "down", "right" (the names of the HTTP API's key events too).
func (k Key) String() string {
	if k < numKeys {
		return keyNames[k]
	}
	return fmt.Sprintf("key(%d)", uint8(k))
}

// ParseKey is the inverse of Key.String.
func ParseKey(s string) (Key, error) {
	for k := Key0; k < numKeys; k++ {
		if keyNames[k] == s {
			return k, nil
		}
	}
	return KeyNone, fmt.Errorf("unknown key %q (want 0-9, plus, minus, square, left, up, down or right)", s)
}

// Digit returns the key's digit and true for Key0..Key9.
func (k Key) Digit() (int, bool) {
	if k >= Key0 && k <= Key9 {
		return int(k - Key0), true
	}
	return 0, false
}

// Kind is how a key was pressed.
type Kind uint8

const (
	// Press is a short press, reported when the key is released before
	// LongPress (or, for up and down, before they start repeating).
	Press Kind = iota + 1
	// Long is a press held longer than LongPress, reported once while held.
	Long
	// Repeat is one auto-repeat of a held up/down key.
	Repeat
)

func (k Kind) String() string {
	switch k {
	case Press:
		return "press"
	case Long:
		return "long"
	case Repeat:
		return "repeat"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, error) {
	for k := Press; k <= Repeat; k++ {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown key press kind %q (want press, long or repeat)", s)
}

// Event is one key event.
type Event struct {
	Key  Key
	Kind Kind
	// Square is set when the key was pressed while SQUARE was held (a
	// chord, PiFinder's "ALT" keys); the SQUARE press itself is then not
	// reported.
	Square bool
	Time   time.Time
}

func (e Event) String() string {
	s := e.Key.String()
	if e.Square {
		s = "square+" + s
	}
	if e.Kind != Press {
		s += "/" + e.Kind.String()
	}
	return s
}

// Timing of the keys, as PiFinder's keyboard_pi.py (brickbots/PiFinder,
// python/PiFinder/keyboard_pi.py run_keyboard): it scans at 60 Hz and a
// key held more than scan_freq scans (1 s) long-presses; up and down then
// repeat instead, the hold counter reset to int(60/1.05) = 57 so that a
// Repeat follows every 4 scans (4/60 s).
const (
	LongPress   = time.Second            // held longer: a Long event
	RepeatDelay = time.Second            // up/down held this long start repeating
	RepeatEvery = 4 * (time.Second / 60) // then one Repeat each: 4 scans, 66.7 ms
)

// Input is a source of key events: the GPIO matrix, a USB keyboard, the
// simulated keypad. Events delivers them until Close; it is closed then.
type Input interface {
	Events() <-chan Event
	Close() error
}
