package pidisplay

import (
	"strings"
	"testing"
)

func TestOpenErrors(t *testing.T) {
	if _, err := Open("st7789"); err == nil || !strings.Contains(err.Error(), "--display st7789") {
		t.Errorf("Open(st7789) = %v", err)
	}
	// Off a Pi (or without SPI enabled) the error names the flag and the fix.
	_, err := Open("ssd1351")
	if err == nil {
		t.Skip("an SPI port is present: this is a Pi")
	}
	if !strings.Contains(err.Error(), "--display ssd1351") {
		t.Errorf("Open(ssd1351) = %v, want the flag named", err)
	}
	t.Log(err)
}
