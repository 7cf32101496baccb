package api

import (
	"encoding/json"
	"io"
	"testing"
)

// BenchmarkStateJSON is the work of one GET /api/state: view and encode.
func BenchmarkStateJSON(b *testing.B) {
	st := solvedState(83.6331, 22.0145, 30, 10.2)
	b.ReportAllocs()
	for b.Loop() {
		if err := json.NewEncoder(io.Discard).Encode(View(st)); err != nil {
			b.Fatal(err)
		}
	}
}
