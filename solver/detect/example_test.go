package detect_test

import (
	"fmt"
	"image"
	"image/color"

	"github.com/pifinder-go/pifinder/solver/detect"
)

func Example() {
	// A dark frame with one star-like spot centred on pixel (40, 30).
	img := image.NewGray(image.Rect(0, 0, 128, 96))
	for i := range img.Pix {
		img.Pix[i] = uint8(10 + i*7%3) // a little texture so noise is non-zero
	}
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			v := uint8(60)
			if dx == 0 && dy == 0 {
				v = 200
			} else if dx == 0 || dy == 0 {
				v = 110
			}
			img.SetGray(40+dx, 30+dy, color.Gray{Y: v})
		}
	}
	d := detect.New(detect.DefaultOptions())
	res, err := d.Detect(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Stars {
		fmt.Printf("star at (%.1f, %.1f) peak %.0f\n", s.X, s.Y, s.Peak)
	}
	// Output:
	// star at (40.5, 30.5) peak 200
}
