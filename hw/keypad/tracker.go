package keypad

import "time"

// tracker turns key-down and key-up transitions into Events, with PiFinder's
// rules (brickbots/PiFinder python/PiFinder/keyboard_pi.py run_keyboard):
//
//   - a key is reported when it is released (Press), unless it was held
//     longer than LongPress: then one Long is reported while it is held and
//     nothing at release;
//   - up and down do not long-press: held RepeatDelay they Repeat every
//     RepeatEvery until released (nothing more at release);
//   - a key pressed or released while SQUARE is held is a chord: one Press
//     with Square set at its release, no Long or Repeat; SQUARE's own Press
//     (at its release) is then not reported. SQUARE held alone longer than
//     LongPress is a Long of SQUARE;
//   - two keys held at once are tracked separately: each gets its own Press
//     (or Long) at its own time. PiFinder reports both too, but its single
//     hold counter long-presses an arbitrary one of them; here each key's
//     hold is timed from its own press.
//
// It is not safe for concurrent use; its owner serialises calls.
type tracker struct {
	keys      [numKeys]held
	squareUse bool // a chord happened during this SQUARE hold
	out       []Event
}

type held struct {
	down    bool
	since   time.Time
	chord   bool // pressed while SQUARE was down
	done    bool // Long or Repeat sent: nothing at release
	repeats int
}

func repeats(k Key) bool { return k == KeyUp || k == KeyDown }

func (t *tracker) emit(k Key, kind Kind, square bool, now time.Time) {
	t.out = append(t.out, Event{Key: k, Kind: kind, Square: square, Time: now})
}

// press records k going down at now.
func (t *tracker) press(k Key, now time.Time) {
	if k == KeyNone || k >= numKeys || t.keys[k].down {
		return
	}
	h := held{down: true, since: now}
	if k != KeySquare && t.keys[KeySquare].down {
		h.chord = true
		t.squareUse = true
	}
	if k == KeySquare {
		t.squareUse = false
	}
	t.keys[k] = h
}

// release records k going up at now.
func (t *tracker) release(k Key, now time.Time) {
	if k == KeyNone || k >= numKeys || !t.keys[k].down {
		return
	}
	t.tick(now) // a Long or Repeat due before the release comes first
	h := t.keys[k]
	t.keys[k] = held{}
	switch {
	case h.done:
	case k == KeySquare:
		if !t.squareUse {
			t.emit(k, Press, false, now)
		}
		t.squareUse = false
	case h.chord || t.keys[KeySquare].down:
		t.squareUse = true
		t.emit(k, Press, true, now)
	default:
		t.emit(k, Press, false, now)
	}
}

// tick emits the Long and Repeat events due at now.
func (t *tracker) tick(now time.Time) {
	for k := Key0; k < numKeys; k++ {
		h := &t.keys[k]
		if !h.down || h.chord {
			continue
		}
		d := now.Sub(h.since)
		switch {
		case repeats(k):
			// Repeat n is due at since + RepeatDelay + n·RepeatEvery, so a
			// late tick does not shift the later ones.
			for d >= RepeatDelay+time.Duration(h.repeats)*RepeatEvery {
				h.repeats++
				h.done = true
				t.emit(k, Repeat, false, now)
			}
		case h.done:
		case d > LongPress:
			if k == KeySquare && (t.squareUse || t.othersDown()) {
				continue
			}
			h.done = true
			t.emit(k, Long, false, now)
		}
	}
}

func (t *tracker) othersDown() bool {
	for k := Key0; k < numKeys; k++ {
		if k != KeySquare && t.keys[k].down {
			return true
		}
	}
	return false
}

// take returns the events emitted since the last take.
func (t *tracker) take() []Event {
	// The caller consumes them before its next call, so the buffer is reused.
	e := t.out
	t.out = t.out[:0]
	return e
}
