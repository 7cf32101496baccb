package camera

import (
	"image"

	"github.com/pifinder-go/pifinder/solver/imageio"
)

// loadGray reads an image file (PNG/JPEG/TIFF/FITS) as 8-bit grey.
func loadGray(name string) (*image.Gray, error) {
	img, err := imageio.Load(name)
	if err != nil {
		return nil, err
	}
	return imageio.ToGray8(img), nil
}
