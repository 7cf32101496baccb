package simdisplay

import (
	"image"
	"image/color"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/hw/display"
)

var _ display.Display = (*Display)(nil)

func TestDrawCopiesAndPublishes(t *testing.T) {
	d, err := New(4, 4)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 2, color.RGBA{200, 0, 0, 255})
	if err := d.Draw(img); err != nil {
		t.Fatal(err)
	}
	img.Set(1, 2, color.RGBA{0, 0, 0, 255}) // the caller reuses its image
	if got := d.Latest().At(1, 2); got != (color.RGBA{200, 0, 0, 255}) {
		t.Errorf("Latest().At(1,2) = %v, want the drawn red", got)
	}
	if d.Frames() != 1 {
		t.Errorf("Frames = %d, want 1", d.Frames())
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func(d *Display) error
	}{
		{"nil image", func(d *Display) error { return d.Draw(nil) }},
		{"brightness -1", func(d *Display) error { return d.SetBrightness(-1) }},
		{"brightness 256", func(d *Display) error { return d.SetBrightness(256) }},
		{"draw after close", func(d *Display) error { d.Close(); return d.Draw(image.NewRGBA(image.Rect(0, 0, 1, 1))) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := New(2, 2)
			if err := tt.run(d); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, err := New(0, 3); err == nil {
		t.Error("New(0, 3): no error")
	}
}

func TestConcurrentReaders(t *testing.T) {
	d, _ := New(8, 8)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			img := image.NewRGBA(image.Rect(0, 0, 8, 8))
			img.Set(0, 0, color.RGBA{uint8(i), 0, 0, 255})
			if err := d.Draw(img); err != nil {
				t.Error(err)
				return
			}
			_ = d.SetBrightness(i)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			_ = d.Latest().At(0, 0)
			_ = d.Brightness()
		}
	}()
	wg.Wait()
}
