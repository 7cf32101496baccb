package detect
import ("testing";"fmt")
func TestCnt(t *testing.T){
	for _, n := range []string{"pifinder_debug_01.png", "orion_belt.jpg", "tree.jpg"} {
		g := loadReal512(&testing.B{}, n)
		d := New(DefaultOptions())
		Cnt = [10]int{}
		r, _ := d.DetectGray(g.Pix, 512, 512, g.Stride)
		fmt.Println(n, Cnt, len(r.Stars), d.sigC)
		_ = r
	}
}
