package detect

import (
	"image"
	"testing"

	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// benchFrame renders a default PiFinder frame (13.7°, 0.4 s) in Orion.
func benchFrame(b testing.TB) *image.Gray {
	sky := testSky(b)
	o := render.DefaultOptions()
	o.Attitude = geom.Attitude{RA: 84, Dec: -1, Roll: 30}
	o.HotPixels = 20
	f, err := sky.Render(o)
	if err != nil {
		b.Fatal(err)
	}
	return f.Gray
}

func benchDetect(b *testing.B, img *image.Gray, o Options) {
	d := New(o)
	res, err := d.DetectGray(img.Pix, img.Rect.Dx(), img.Rect.Dy(), img.Stride)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err = d.DetectGray(img.Pix, img.Rect.Dx(), img.Rect.Dy(), img.Stride)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Stars)), "stars")
}

func BenchmarkDetectRendered512(b *testing.B) {
	img := benchFrame(b)
	b.Run("sigma8", func(b *testing.B) { benchDetect(b, img, DefaultOptions()) })
	b.Run("sigma5", func(b *testing.B) { benchDetect(b, img, Options{Sigma: 5}) })
	b.Run("binning1", func(b *testing.B) { benchDetect(b, img, Options{Binning: 1}) })
}
