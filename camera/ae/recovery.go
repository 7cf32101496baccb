package ae

// Recovery is the zero-match recovery ladder (PiFinder ADR-0010): after
// Trigger consecutive zero-match attempts it walks Ladder, returning each
// rung for Repeats attempts, and wraps forever.
type Recovery struct {
	Trigger int
	Repeats int
	Ladder  []int64

	active bool
	index  int
	repeat int
}

// DefaultLadder is PiFinder's recovery ladder in microseconds.
var DefaultLadder = []int64{400000, 800000, 1000000, 200000}

// NewRecovery returns a recovery with the given trigger and repeats and the
// default ladder. Non-positive values are replaced by the defaults (2, 2).
func NewRecovery(trigger, repeats int) *Recovery {
	if trigger <= 0 {
		trigger = 2
	}
	if repeats <= 0 {
		repeats = 2
	}
	return &Recovery{Trigger: trigger, Repeats: repeats, Ladder: append([]int64(nil), DefaultLadder...)}
}

// Active reports whether the ladder is being walked.
func (r *Recovery) Active() bool { return r.active }

// Position returns the ladder index and how often the current rung was returned.
func (r *Recovery) Position() (index, repeat int) { return r.index, r.repeat }

// Handle is called for a zero-match attempt; zeroCount is the number of
// consecutive zero-match attempts including this one. It returns the
// exposure to use, or ok false for "no change" (before the trigger).
func (r *Recovery) Handle(currentUS int64, zeroCount int) (exposureUS int64, ok bool) {
	if zeroCount < r.Trigger || len(r.Ladder) == 0 {
		return 0, false
	}
	r.active = true
	if r.index >= len(r.Ladder) {
		r.index = 0
	}
	exp := r.Ladder[r.index]
	r.repeat++
	if r.repeat >= r.Repeats {
		r.repeat = 0
		r.index = (r.index + 1) % len(r.Ladder)
	}
	return exp, true
}

// Reset makes the recovery inactive at the bottom of the ladder.
func (r *Recovery) Reset() {
	r.active, r.index, r.repeat = false, 0, 0
}
