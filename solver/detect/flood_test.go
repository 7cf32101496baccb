package detect

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFloodFillsAgree runs detection with the blob's fill on row masks and
// run by run, on real frames and a rendered one, and requires the same
// stars to the last bit: the two fills find the same pixels and sum them
// exactly (blobSums), whichever finds them and in whatever order.
func TestFloodFillsAgree(t *testing.T) {
	defer func(v bool) { floodMasks = v }(floodMasks)
	frames := map[string][]uint8{}
	sizes := map[string][3]int{}
	g := benchFrame(t)
	frames["rendered"], sizes["rendered"] = g.Pix, [3]int{g.Rect.Dx(), g.Rect.Dy(), g.Stride}
	for _, name := range benchFrameNames {
		if testing.Short() && name != "tree.jpg" && name != "random.png" {
			continue
		}
		img := loadReal512(t, name)
		frames[name], sizes[name] = img.Pix, [3]int{img.Rect.Dx(), img.Rect.Dy(), img.Stride}
	}
	masks := 0
	for name, pix := range frames {
		sz := sizes[name]
		for _, o := range []Options{DefaultOptions(), {Sigma: 5}, {MaxBlobArea: 40}} {
			var stars [2][]Star
			for i, m := range []bool{true, false} {
				floodMasks = m
				res, err := New(o).DetectGray(pix, sz[0], sz[1], sz[2])
				if err != nil {
					t.Fatal(err)
				}
				stars[i] = append([]Star(nil), res.Stars...)
			}
			if diff := cmp.Diff(stars[1], stars[0]); diff != "" {
				t.Errorf("%s %+v: row-mask fill differs from the run-by-run fill (-runs +masks):\n%s", name, o, diff)
			}
			masks += len(stars[0])
		}
	}
	if masks == 0 {
		t.Fatal("no stars to compare")
	}
}
