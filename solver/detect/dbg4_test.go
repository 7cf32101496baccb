package detect

import (
	"testing"
)

func TestDbgCount(t *testing.T) {
	img := benchFrame(&testing.B{})
	for _, sg := range []float64{8, 5} {
		d := New(Options{Sigma: sg})
		counts := map[string]int{}
		traceReject = func(x, y int, why string) {
			if len(why) > 4 {
				why = why[:4]
			}
			counts[why]++
		}
		res, _ := d.Detect(img)
		traceReject = nil
		t.Logf("sigma %v stars %d rejects %v", sg, len(res.Stars), counts)
	}
}
