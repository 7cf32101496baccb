package replay

import (
	"image"

	"github.com/pifinder-go/pifinder/internal/imaging"
)

// loadGray reads an image file (PNG/JPEG/TIFF/FITS) as 8-bit grey.
func loadGray(name string) (*image.Gray, error) {
	img, err := imaging.Load(name)
	if err != nil {
		return nil, err
	}
	return imaging.ToGray8(img), nil
}
