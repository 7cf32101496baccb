package lx200

import (
	"testing"
	"time"
)

// BenchmarkPoll is one SkySafari poll (":GR#:GD#"): scan, convert, format.
func BenchmarkPoll(b *testing.B) {
	in := Input{State: withPointing(83.6331, 22.0145), Now: time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC),
		ToDate: DefaultToDate, FromDate: DefaultFromDate}
	msg := []byte(":GR#:GD#")
	var sc Scanner
	var sess Session
	var cmds []Command
	b.ReportAllocs()
	for b.Loop() {
		cmds = sc.Feed(msg, cmds[:0])
		for _, c := range cmds {
			_ = sess.Handle(c, in)
		}
	}
}
