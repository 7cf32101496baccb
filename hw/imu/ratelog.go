package imu

import "time"

// rateLog limits repeated log lines per kind: the first occurrence is
// logged, later ones are counted and summarised at most once per period.
type rateLog struct {
	every time.Duration
	kinds map[string]*rateKind
}

type rateKind struct {
	lastLog    time.Time
	suppressed int
}

func newRateLog(every time.Duration) *rateLog {
	return &rateLog{every: every, kinds: map[string]*rateKind{}}
}

// note records one occurrence of kind at now. log says whether to write a
// line now; suppressed is how many occurrences since the previous line were
// not logged (0 for a first occurrence).
func (l *rateLog) note(kind string, now time.Time) (log bool, suppressed int) {
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
