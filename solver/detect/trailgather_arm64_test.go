//go:build arm64 && !purego

package detect

import "testing"

// TestLineGatherTable checks that lineSumsTBL's table holds every one of
// lineOff's pixels once and that its size is the passes lineOff needs.
func TestLineGatherTable(t *testing.T) {
	n := 0
	for _, p := range lineGatherTable.passes {
		n += int(p)
	}
	if n != lineGatherPasses {
		t.Fatalf("table has %d passes, want lineGatherPasses = %d", n, lineGatherPasses)
	}
	var perSide [2 * lineDirsN]int
	for i, ix := range lineGatherTable.idx {
		if ix != 0xFF {
			perSide[i%(2*lineDirsN)]++
		}
	}
	for s, c := range perSide {
		if c != 2*lineNR {
			t.Errorf("side %d has %d pixels in the table, want %d", s, c, 2*lineNR)
		}
	}
}
