package simdisplay_test

import (
	"fmt"
	"image"
	"image/color"

	"github.com/pifinder-go/pifinder/hw/display/simdisplay"
)

func Example() {
	d, _ := simdisplay.New(128, 128)
	frame := image.NewRGBA(d.Bounds())
	frame.Set(10, 10, color.RGBA{255, 0, 0, 255})
	_ = d.Draw(frame)
	r, _, _, _ := d.Latest().At(10, 10).RGBA()
	fmt.Println(d.Bounds().Dx(), r>>8)
	// Output: 128 255
}
