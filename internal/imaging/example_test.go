package imaging_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/pifinder-go/pifinder/internal/imaging"
)

func ExampleDecode() {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray16(image.Rect(0, 0, 64, 48)))
	img, err := imaging.Decode(&buf, "frame.png")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%T %v\n", img, img.Bounds().Size())
	fmt.Printf("%T\n", imaging.ToGray8(img))
	// Output:
	// *image.Gray16 (64,48)
	// *image.Gray
}
