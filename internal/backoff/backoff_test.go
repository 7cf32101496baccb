package backoff

import (
	"slices"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name     string
		min, max time.Duration
		want     []time.Duration
	}{
		{"doubles to the cap", 100 * ms, 500 * ms, []time.Duration{100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms}},
		{"max below min waits min", 100 * ms, 10 * ms, []time.Duration{100 * ms, 100 * ms}},
	}
	for _, c := range cases {
		b := Backoff{Min: c.min, Max: c.max}
		var got []time.Duration
		for range c.want {
			got = append(got, b.Next())
		}
		if !slices.Equal(got, c.want) || b.Current() != c.want[len(c.want)-1] {
			t.Errorf("%s: delays %v (current %v), want %v", c.name, got, b.Current(), c.want)
		}
		b.Reset()
		if b.Current() != 0 || b.Next() != c.min {
			t.Errorf("%s: after Reset the next delay is not Min", c.name)
		}
	}
}
