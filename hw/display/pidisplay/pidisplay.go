// Package pidisplay opens the PiFinder's OLED on a Raspberry Pi through
// periph.io's host drivers: SPI0 CE0 (/dev/spidev0.0) at 40 MHz, D/C on
// GPIO24 and RES# on GPIO25 (brickbots/PiFinder: displays.py uses luma's
// spi(port=0, device=0, bus_speed_hz=40000000) whose default gpio_DC=24,
// gpio_RST=25; python/scripts/migration_progress.c GPIO_DC 24, GPIO_RST 25).
package pidisplay

import (
	"errors"
	"fmt"

	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
	"periph.io/x/host/v3"

	"github.com/pifinder-go/pifinder/hw/display/ssd1351"
)

// The wiring (BCM numbers; header pins 24 CE0, 19 MOSI, 23 SCLK, 18, 22).
const (
	Port   = "SPI0.0"
	PinDC  = "GPIO24"
	PinRST = "GPIO25"
)

// Panel is an open OLED and the SPI port under it.
type Panel struct {
	*ssd1351.Dev
	port spi.PortCloser
}

// Close turns the panel off and closes the SPI port.
func (p *Panel) Close() error {
	return errors.Join(p.Dev.Close(), p.port.Close())
}

// Open opens the panel named by the --display flag's value: "ssd1351"
// (128×128) or "ssd1333" (176×176), with PiFinder's options for it.
func Open(kind string) (*Panel, error) {
	var v ssd1351.Variant
	switch kind {
	case "ssd1351":
		v = ssd1351.SSD1351
	case "ssd1333":
		v = ssd1351.SSD1333
	default:
		return nil, fmt.Errorf("--display %s: unknown panel (want ssd1351, ssd1333 or none)", kind)
	}
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("--display %s: periph host drivers: %w", kind, err)
	}
	port, err := spireg.Open(Port)
	if err != nil {
		return nil, fmt.Errorf("--display %s: open %s (/dev/spidev0.0): %w (enable SPI: dtparam=spi=on in config.txt)", kind, Port, err)
	}
	c, err := port.Connect(ssd1351.Speed, spi.Mode0, 8)
	if err != nil {
		port.Close()
		return nil, fmt.Errorf("--display %s: %s at %s: %w", kind, Port, ssd1351.Speed, err)
	}
	dc, rst := gpioreg.ByName(PinDC), gpioreg.ByName(PinRST)
	if dc == nil || rst == nil {
		port.Close()
		return nil, fmt.Errorf("--display %s: no GPIO pins %s/%s (is this a Raspberry Pi with /dev/gpiochip0?)", kind, PinDC, PinRST)
	}
	d, err := ssd1351.New(c, dc, rst, ssd1351.DefaultOpts(v))
	if err != nil {
		port.Close()
		return nil, fmt.Errorf("--display %s: %w", kind, err)
	}
	return &Panel{Dev: d, port: port}, nil
}
