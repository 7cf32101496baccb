package rawconv

import (
	"errors"
	"fmt"
	"strings"
)

// Profile describes one sensor as PiFinder drives it (reference §3.1).
type Profile struct {
	Name         string // imx296, imx462, hq
	RawW, RawH   int    // raw mode size
	Bits         int    // bit depth of the raw samples
	AnalogueGain float64
	DigitalGain  float64
	Bias         float64 // black level, ADU
	// Crop margins removed from the raw frame before rotation.
	CropTop, CropBottom, CropLeft, CropRight int
	Rot90                                    int // counter-clockwise quarter turns after the crop
	PixelPitchUM                             float64
	Lens                                     string // shipped lens
}

// Profiles are the supported sensors.
var Profiles = map[string]Profile{
	"imx296": {Name: "imx296", RawW: 1456, RawH: 1088, Bits: 10, AnalogueGain: 15, DigitalGain: 1, Bias: 60,
		CropLeft: 184, CropRight: 184, Rot90: 2, PixelPitchUM: 3.45, Lens: "16mm"},
	"imx462": {Name: "imx462", RawW: 1920, RawH: 1080, Bits: 12, AnalogueGain: 30, DigitalGain: 1, Bias: 238,
		CropTop: 50, CropBottom: 50, CropLeft: 470, CropRight: 470, PixelPitchUM: 2.90, Lens: "16mm"},
	"hq": {Name: "hq", RawW: 2028, RawH: 1520, Bits: 12, AnalogueGain: 22, DigitalGain: 13, Bias: 256,
		CropLeft: 256, CropRight: 256, PixelPitchUM: 3.10, Lens: "25mm"},
}

// ErrUnknownSensor marks a sensor name or driver id no profile matches.
var ErrUnknownSensor = errors.New("imaging: unknown sensor")

// Lookup returns the profile of a sensor name (imx296, imx462, hq) or of a
// driver id ("imx296", "imx462"/"imx290", "imx477").
func Lookup(name string) (Profile, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case strings.Contains(n, "imx296"):
		return Profiles["imx296"], nil
	case strings.Contains(n, "imx462"), strings.Contains(n, "imx290"):
		return Profiles["imx462"], nil
	case n == "hq", strings.Contains(n, "imx477"):
		return Profiles["hq"], nil
	}
	return Profile{}, fmt.Errorf("%w: %q (want imx296, imx462 or hq)", ErrUnknownSensor, name)
}

// CroppedSize is the size (w, h) after crop and rotation.
func (p Profile) CroppedSize() (w, h int) {
	w = p.RawW - p.CropLeft - p.CropRight
	h = p.RawH - p.CropTop - p.CropBottom
	if p.Rot90%2 != 0 {
		w, h = h, w
	}
	return w, h
}

// Check validates the profile's numbers.
func (p Profile) Check() error {
	w, h := p.CroppedSize()
	switch {
	case p.RawW <= 0 || p.RawH <= 0 || w <= 0 || h <= 0:
		return fmt.Errorf("imaging: profile %s: bad size %dx%d crop to %dx%d", p.Name, p.RawW, p.RawH, w, h)
	case p.Bits < 8 || p.Bits > 16:
		return fmt.Errorf("imaging: profile %s: bit depth %d", p.Name, p.Bits)
	case p.Bias < 0 || p.Bias >= float64(int(1)<<p.Bits)-1:
		return fmt.Errorf("imaging: profile %s: bias %g", p.Name, p.Bias)
	case !(p.DigitalGain > 0):
		return fmt.Errorf("imaging: profile %s: digital gain %g", p.Name, p.DigitalGain)
	}
	return nil
}

// To8 is the raw → 8-bit formula of reference §3.2 step 4:
// (raw − bias) × digital gain × 255 / (2^bits − bias − 1), truncated and
// clipped to 0…255.
func (p Profile) To8(raw uint16) uint8 {
	v := (float64(raw) - p.Bias) * p.DigitalGain * 255 / (float64(int(1)<<p.Bits) - p.Bias - 1)
	iv := int(v) // truncation towards zero, like numpy astype(int)
	if iv < 0 {
		return 0
	}
	if iv > 255 {
		return 255
	}
	return uint8(iv)
}
