// Package ratelog keeps transient failures from flooding the log: the
// first occurrence of a kind is logged, later ones are counted and
// summarised at most once per period (a minute in the pipeline), the rule
// every worker follows for errors it retries.
package ratelog

import "time"

// Limiter limits repeated log lines per kind: the first occurrence is
// logged, later ones are counted and summarised at most once per period.
type Limiter struct {
	every time.Duration
	kinds map[string]*rateKind
}

type rateKind struct {
	lastLog    time.Time
	suppressed int
}

// New returns a limiter that logs each kind at most once per every.
func New(every time.Duration) *Limiter {
	return &Limiter{every: every, kinds: map[string]*rateKind{}}
}

// Note records one occurrence of kind at now. log says whether to write a
// line now; suppressed is how many occurrences since the previous line were
// not logged (0 for a first occurrence).
func (l *Limiter) Note(kind string, now time.Time) (log bool, suppressed int) {
	k, ok := l.kinds[kind]
	if !ok {
		l.kinds[kind] = &rateKind{lastLog: now}
		return true, 0
	}
	if now.Sub(k.lastLog) < l.every {
		k.suppressed++
		return false, 0
	}
	n := k.suppressed
	k.lastLog, k.suppressed = now, 0
	return true, n
}
