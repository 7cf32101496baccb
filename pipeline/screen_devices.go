package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/display"
	"github.com/pifinder-go/pifinder/hw/display/pidisplay"
	"github.com/pifinder-go/pifinder/hw/display/simdisplay"
	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/hw/keypad/pikeypad"
)

// DisplayNames are the values of Config.Display (--display).
var DisplayNames = []string{"ssd1351", "ssd1333", "sim", "none"}

// KeypadNames are the values of Config.Keypad (--keypad).
var KeypadNames = []string{"gpio", "none"}

// displayName is the display to open: Config.Display, else the build's:
// on the Pi (--camera rpicam) the PiFinder's panel, the 176×176 SSD1333
// for the rev4 builds (--screen-direction rev4_*), the 128×128 SSD1351
// for the others; elsewhere none (the binary asks for "sim", the web
// page's remote view, so an embedder or a test does not draw screens
// nobody looks at).
func (c Config) displayName() string {
	switch {
	case c.Display != "":
		return c.Display
	case c.Source != nil || c.camera() != "rpicam":
		return "none"
	case strings.HasPrefix(c.ScreenDirection, "rev4"):
		return "ssd1333"
	}
	return "ssd1351"
}

// keypadName is the keypad to open: Config.Keypad, else the PiFinder's
// GPIO matrix on the Pi (--camera rpicam), none elsewhere.
func (c Config) keypadName() string {
	switch {
	case c.Keypad != "":
		return c.Keypad
	case c.Source == nil && c.camera() == "rpicam" && c.displayName() != "sim" && c.displayName() != "none":
		return "gpio"
	}
	return "none"
}

func (c *Config) checkScreen() error {
	if c.DisplayDevice == nil && c.Display != "" && !slices.Contains(DisplayNames, c.Display) {
		return badSetting("--display", c.Display, "unknown display (want %s)", strings.Join(DisplayNames, ", "))
	}
	if c.Keypad != "" && !slices.Contains(KeypadNames, c.Keypad) {
		return badSetting("--keypad", c.Keypad, "unknown keypad (want %s)", strings.Join(KeypadNames, ", "))
	}
	return nil
}

// screenDevices are the device screen's display and key inputs.
type screenDevices struct {
	disp   display.Display
	inputs []keypad.Input
	// backlight is the keypad's PWM backlight; nil without the GPIO keypad
	// or when the PWM overlay is missing.
	backlight *keypad.Backlight
}

// openScreenDevices opens the display and keypad of cfg. A panel or keypad
// the user named that cannot be opened is a start-up error naming its
// flag; the build's default failing (a Pi with a camera but no PiFinder
// board) is logged and the simulated screen is used instead, so the
// web page's remote view still works. ok is false for --display none.
func (p *Pipeline) openScreenDevices(cfg Config) (dev screenDevices, ok bool, err error) {
	log := workerLog(cfg.Log, "screen")
	dev.disp = cfg.DisplayDevice
	name := cfg.displayName()
	if dev.disp == nil {
		if name == "none" {
			if cfg.Keypad == "gpio" {
				log.Warn().Msg("--keypad gpio with --display none: the keypad is not read")
			}
			return dev, false, nil
		}
		dev.disp, err = openDisplay(name)
		if err != nil && cfg.Display == "" {
			log.Warn().Err(err).Str("display", name).Msg("the build's display did not open; using the simulated screen (web page remote view)")
			name = "sim"
			dev.disp, err = openDisplay(name)
		}
		if err != nil {
			return dev, false, &ConfigError{Flag: "--display", Value: name, Err: err}
		}
	}
	p.adopt(dev.disp.Close)
	if cfg.KeyInput != nil {
		dev.inputs = append(dev.inputs, cfg.KeyInput)
		p.adopt(cfg.KeyInput.Close)
	}
	switch cfg.keypadName() {
	case "gpio":
		// The matrix scans until Close; the pipeline closes it.
		m, err := pikeypad.Open(context.Background(), workerLog(cfg.Log, "keypad"))
		if err != nil {
			if cfg.Keypad == "" {
				log.Warn().Err(err).Msg("the build's GPIO keypad did not open; keys come from the web page only")
				break
			}
			return dev, false, &ConfigError{Flag: "--keypad", Value: "gpio", Err: err}
		}
		p.adopt(m.Close)
		dev.inputs = append(dev.inputs, m)
		if b, err := pikeypad.OpenBacklight(); err != nil {
			// Keys work without the light; PiFinder's setup enables the overlay.
			log.Warn().Err(err).Msg("keypad backlight unavailable (dtoverlay=pwm,pin=13,func=4 in /boot/firmware/config.txt)")
		} else {
			p.adopt(b.Close)
			dev.backlight = b
		}
	}
	log.Info().Str("display", name).Str("keypad", cfg.keypadName()).Stringer("size", dev.disp.Bounds().Size()).Msg("screen opened")
	return dev, true, nil
}

func openDisplay(name string) (display.Display, error) {
	switch name {
	case "sim":
		return simdisplay.New(128, 128)
	case "ssd1351", "ssd1333":
		return pidisplay.Open(name)
	}
	return nil, fmt.Errorf("unknown display %q", name)
}

// mergeKeys forwards the events of every input to out until ctx ends or
// all inputs have closed; each key first goes to press (the power
// manager), which swallows the key that woke the device.
func mergeKeys(ctx context.Context, inputs []keypad.Input, out chan<- keypad.Event, press func(context.Context, keypad.Event) (bool, error), log zerolog.Logger) error {
	merged := make(chan keypad.Event)
	done := make(chan struct{})
	var wg sync.WaitGroup
	// The forwarders end with mergeKeys, not with their inputs (which
	// the pipeline closes later).
	defer wg.Wait()
	defer close(done)
	for _, in := range inputs {
		wg.Go(func() {
			events := in.Events()
			for {
				select {
				case ev, ok := <-events:
					if !ok {
						return
					}
					select {
					case merged <- ev:
					case <-done:
						return
					}
				case <-done:
					return
				}
			}
		})
	}
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case ev := <-merged:
			act, err := press(ctx, ev)
			if err != nil {
				if errors.Is(err, context.Canceled) || ctx.Err() != nil {
					return context.Cause(ctx)
				}
				log.Warn().Err(err).Msg("key not passed to the power manager")
				act = true
			}
			if !act {
				log.Debug().Stringer("key", ev).Msg("key woke the device (swallowed)")
				continue
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
	}
}
