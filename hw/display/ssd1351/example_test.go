package ssd1351_test

import (
	"fmt"
	"image"

	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"

	"github.com/pifinder-go/pifinder/hw/display/ssd1351"
)

// On a Pi the port and pins come from hw/display/pidisplay; here periph's
// recorder stands in for /dev/spidev0.0.
func Example() {
	port := &spitest.Record{}
	c, _ := port.Connect(ssd1351.Speed, spi.Mode0, 8)
	dev, err := ssd1351.New(c, &gpiotest.Pin{N: "GPIO24"}, nil, ssd1351.DefaultOpts(ssd1351.SSD1351))
	if err != nil {
		fmt.Println(err)
		return
	}
	frame := image.NewRGBA(dev.Bounds())
	_ = dev.Draw(frame)
	_ = dev.SetBrightness(64)
	_ = dev.Close()
	fmt.Println(dev.Bounds().Dx(), len(port.Ops) > 0)
	// Output: 128 true
}
