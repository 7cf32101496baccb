// Package pikeypad opens the PiFinder's key matrix and keypad backlight on a
// Raspberry Pi through periph.io's host drivers, with the pins of
// keypad.PiFinderRows / PiFinderCols (BCM numbers, from PiFinder's
// keyboard_pi.py) and the backlight on sysfs PWM chip 0 channel 1 (GPIO13).
package pikeypad

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"github.com/pifinder-go/pifinder/hw/keypad"
)

// Open starts scanning the matrix (the --keypad gpio value) until ctx ends
// or Close.
func Open(ctx context.Context, log zerolog.Logger) (*keypad.Matrix, error) {
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("--keypad gpio: periph host drivers: %w", err)
	}
	cfg := keypad.MatrixConfig{Keymap: keypad.PiFinderKeymap, Log: log}
	pin := func(n int) (gpio.PinIO, error) {
		p := gpioreg.ByName(fmt.Sprintf("GPIO%d", n))
		if p == nil {
			return nil, fmt.Errorf("--keypad gpio: no pin GPIO%d (is this a Raspberry Pi with /dev/gpiochip0?)", n)
		}
		return p, nil
	}
	for _, n := range keypad.PiFinderRows {
		p, err := pin(n)
		if err != nil {
			return nil, err
		}
		cfg.Rows = append(cfg.Rows, p)
	}
	for _, n := range keypad.PiFinderCols {
		p, err := pin(n)
		if err != nil {
			return nil, err
		}
		cfg.Cols = append(cfg.Cols, p)
	}
	// RPi.GPIO's Python call overhead gave the lines microseconds to settle
	// between driving a row and reading its columns; memory-mapped GPIO
	// reads within nanoseconds, before the pulled-up line has fallen.
	cfg.Settle = 10 * time.Microsecond
	m, err := keypad.NewMatrix(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("--keypad gpio: %w", err)
	}
	return m, nil
}

// OpenBacklight opens the keypad backlight PWM as PiFinder configures it.
func OpenBacklight() (*keypad.Backlight, error) {
	b, err := keypad.OpenBacklight("/", keypad.BacklightChip, keypad.BacklightChannel, keypad.BacklightFreq)
	if err != nil {
		return nil, fmt.Errorf("--keypad gpio: %w", err)
	}
	return b, nil
}
