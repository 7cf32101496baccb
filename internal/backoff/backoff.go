// Package backoff is the pipeline's one retry delay: it doubles per
// consecutive failure from Min up to Max and starts again at Min after a
// success. The camera worker, the camera helper's restarts, the IMU worker
// and the LX200 accept loop all use it, so their retries look alike in the
// logs and are tested once.
package backoff

import "time"

// Backoff is a capped exponential delay. The zero value with Min and Max
// set is ready; it is not safe for concurrent use (one loop owns one).
type Backoff struct {
	Min, Max time.Duration
	cur      time.Duration
}

// Next records one more failure and returns the delay before the retry:
// Min, 2·Min, 4·Min, … capped at Max.
func (b *Backoff) Next() time.Duration {
	b.cur = min(max(2*b.cur, b.Min), max(b.Max, b.Min))
	return b.cur
}

// Current is the delay Next last returned (0 after Reset).
func (b *Backoff) Current() time.Duration { return b.cur }

// Reset records a success: the next failure waits Min again.
func (b *Backoff) Reset() { b.cur = 0 }
