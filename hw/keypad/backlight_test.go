package keypad

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBacklight(t *testing.T) {
	root := t.TempDir()
	chip := filepath.Join(root, "sys/class/pwm/pwmchip0")
	if err := os.MkdirAll(filepath.Join(chip, "pwm1"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"export", "pwm1/period", "pwm1/duty_cycle", "pwm1/enable"} {
		os.WriteFile(filepath.Join(chip, f), nil, 0o644)
	}
	read := func(f string) string {
		b, _ := os.ReadFile(filepath.Join(chip, "pwm1", f))
		return strings.TrimSpace(string(b))
	}
	b, err := OpenBacklight(root, BacklightChip, BacklightChannel, BacklightFreq)
	if err != nil {
		t.Fatal(err)
	}
	if read("period") != "8333333" || read("enable") != "1" || read("duty_cycle") != "0" {
		t.Errorf("period %s enable %s duty %s, want 8333333 1 0", read("period"), read("enable"), read("duty_cycle"))
	}
	tests := []struct {
		level  int
		factor float64
		duty   string
	}{
		{255, 1, "1062499"}, // 12.75 % of 8333333 ns
		{100, 0.5, "208333"},
		{255, 0, "0"},
	}
	for _, tt := range tests {
		if err := b.SetDuty(BacklightDuty(tt.level, tt.factor)); err != nil {
			t.Fatal(err)
		}
		if got := read("duty_cycle"); got != tt.duty {
			t.Errorf("level %d × %g: duty %s ns, want %s", tt.level, tt.factor, got, tt.duty)
		}
	}
	if err := b.SetDuty(101); err == nil {
		t.Error("SetDuty(101): no error")
	}
	if err := b.Close(); err != nil || read("enable") != "0" {
		t.Errorf("Close: %v, enable %s", err, read("enable"))
	}
	if _, err := OpenBacklight(t.TempDir(), 0, 1, 120); err == nil || !strings.Contains(err.Error(), "dtoverlay=pwm") {
		t.Errorf("missing chip: %v", err)
	}
}
