package keypad

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// The keypad backlight is on hardware PWM channel 1 of the Pi's PWM chip 0,
// routed to GPIO13 (header pin 33) by "dtoverlay=pwm,pin=13,func=4" in
// config.txt (brickbots/PiFinder pi_config_files setup script), driven at
// 120 Hz through sysfs by rpi_hardware_pwm (brickbots/PiFinder
// python/PiFinder/main.py init_keypad_pwm: HardwarePWM(pwm_channel=1,
// hz=120)).
const (
	BacklightChip    = 0
	BacklightChannel = 1
	BacklightPin     = 13  // BCM
	BacklightFreq    = 120 // Hz
)

// Backlight is the keypad's backlight on a Linux sysfs PWM channel, as
// rpi_hardware_pwm drives it (export, period, duty_cycle, enable).
type Backlight struct {
	dir    string // .../pwmchipN/pwmM
	period time.Duration
	mu     sync.Mutex
}

// OpenBacklight exports channel ch of /sys/class/pwm/pwmchip<chip> under
// root ("/" on the Pi; a temporary directory in tests), sets the period for
// freq Hz and enables it dark.
func OpenBacklight(root string, chip, ch, freq int) (*Backlight, error) {
	if freq <= 0 {
		return nil, fmt.Errorf("keypad backlight: bad frequency %d Hz", freq)
	}
	chipDir := filepath.Join(root, "sys/class/pwm", fmt.Sprintf("pwmchip%d", chip))
	if _, err := os.Stat(chipDir); err != nil {
		return nil, fmt.Errorf("keypad backlight: %w (add dtoverlay=pwm,pin=13,func=4 to config.txt)", err)
	}
	dir := filepath.Join(chipDir, fmt.Sprintf("pwm%d", ch))
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(filepath.Join(chipDir, "export"), []byte(strconv.Itoa(ch)), 0); err != nil {
			return nil, fmt.Errorf("keypad backlight: export channel %d: %w", ch, err)
		}
		// udev makes the new files writable shortly after the export.
		for i := 0; i < 50; i++ {
			if f, err := os.OpenFile(filepath.Join(dir, "period"), os.O_WRONLY, 0); err == nil {
				f.Close()
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	b := &Backlight{dir: dir, period: time.Second / time.Duration(freq)}
	// duty must not exceed the period while the period is set, so 0 first.
	for _, w := range [][2]string{
		{"duty_cycle", "0"},
		{"period", strconv.FormatInt(b.period.Nanoseconds(), 10)},
		{"enable", "1"},
	} {
		if err := b.write(w[0], w[1]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *Backlight) write(name, v string) error {
	if err := os.WriteFile(filepath.Join(b.dir, name), []byte(v), 0); err != nil {
		return fmt.Errorf("keypad backlight: %w", err)
	}
	return nil
}

// BacklightDuty is PiFinder's duty cycle in percent for a screen brightness
// level 0..255 and a keypad offset factor (main.py set_brightness:
// level × 0.05 × keypad_offsets[...], "+3" 2 … "0" 1 … "-4" 0.13, "Off" 0),
// clamped to 0..100.
func BacklightDuty(level int, factor float64) float64 {
	d := float64(level) * 0.05 * factor
	return max(0, min(100, d))
}

// SetDuty sets the duty cycle in percent (0..100).
func (b *Backlight) SetDuty(percent float64) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("keypad backlight: duty %g%% out of range 0..100", percent)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ns := int64(float64(b.period.Nanoseconds()) * percent / 100)
	return b.write("duty_cycle", strconv.FormatInt(ns, 10))
}

// Close turns the backlight off and disables the channel.
func (b *Backlight) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return errors.Join(b.write("duty_cycle", "0"), b.write("enable", "0"))
}
