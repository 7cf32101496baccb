package detect

import (
	"fmt"
	"testing"

	"github.com/pifinder-go/pifinder/solver/render"
)

func TestDbgLine(t *testing.T) {
	o := render.DefaultOptions()
	for seed := uint64(0); seed < 3; seed++ {
		o.Seed = seed
		o.Streaks = []render.Streak{{X0: 50, Y0: 100, X1: 400, Y1: 100 + float64(seed)*120, ADUPerPx: 25 + float64(seed)*20}}
		f, _ := render.Noise(o)
		d := New(Options{Sigma: 5})
		traceReject = func(x, y int, why string) {
			if why != "weak" && why != "hot" {
				fmt.Println(x, y, why)
			}
		}
		res, _ := d.Detect(f.Gray)
		traceReject = nil
		t.Logf("%+v noise %v", res.Stars, res.Noise)
		if len(res.Stars) > 0 {
			s := res.Stars[0]
			var sb []byte
			for y := int(s.Y) - 8; y <= int(s.Y)+8; y++ {
				for x := int(s.X) - 8; x <= int(s.X)+8; x++ {
					sb = fmt.Appendf(sb, "%4d", f.Gray.Pix[y*512+x])
				}
				sb = append(sb, '\n')
			}
			t.Logf("\n%s", sb)
		}
	}
}
