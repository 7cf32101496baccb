package obslog

import (
	"context"
	"testing"
	"time"
)

// BenchmarkAdd is one durable "Observed": an INSERT committed with the WAL
// fsynced (synchronous=FULL), so it measures the disk as much as the code.
func BenchmarkAdd(b *testing.B) {
	l := openTemp(b)
	ctx := context.Background()
	e := m31(t0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.Time = t0.Add(time.Duration(i) * time.Second)
		if _, err := l.Add(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList reads the 50 newest of 1000 entries, what the web page's
// log view asks for.
func BenchmarkList(b *testing.B) {
	l := openTemp(b)
	ctx := context.Background()
	for i := range 1000 {
		e := m31(t0.Add(time.Duration(i) * time.Minute))
		if _, err := l.Add(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		es, err := l.List(ctx, Filter{Newest: true, Limit: 50})
		if err != nil || len(es) != 50 {
			b.Fatal(len(es), err)
		}
	}
}

// BenchmarkParseCSVList parses a 1000-target CSV list.
func BenchmarkParseCSVList(b *testing.B) {
	var data []byte
	data = append(data, "name,ra,dec\n"...)
	for range 1000 {
		data = append(data, "NGC 7000,20:59:17.1,+44:31:44\n"...)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseCSVList(data); err != nil {
			b.Fatal(err)
		}
	}
}
