package pipeline

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/pifinder-go/pifinder/camera/rawconv"
)

// Effective focal lengths of PiFinder's lenses (mm), reference §4.2.
var lenses = map[string]float64{"12mm": 12.0, "16mm": 15.61, "25mm": 26.0}

// Optics is a sensor and lens pair and the field it gives.
type Optics struct {
	Sensor, Lens string
	FOV          float64 // horizontal, degrees, edge to edge across the crop
}

// Gate is the solver's field hint: the FOV and 15% of it.
func (o Optics) Gate() (fov, maxErr float64) { return o.FOV, 0.15 * o.FOV }

// ResolveOptics returns the optics of a sensor and lens. An unknown sensor
// falls back to imx296 and an unknown or empty lens to the sensor's shipped
// lens, as PiFinder does; warn says what was substituted.
func ResolveOptics(sensor, lens string) (o Optics, warn string) {
	p, err := rawconv.Lookup(sensor)
	if err != nil {
		p = rawconv.Profiles["imx296"]
		warn = fmt.Sprintf("unknown sensor %q, using imx296 optics", sensor)
	}
	f, ok := lenses[lens]
	if !ok {
		if lens != "" {
			warn = fmt.Sprintf("unknown lens %q, using the shipped %s", lens, p.Lens)
		}
		lens = p.Lens
		f = lenses[lens]
	}
	w, _ := p.CroppedSize()
	half := float64(w) * p.PixelPitchUM / 1000 / 2
	return Optics{Sensor: p.Name, Lens: lens, FOV: 2 * math.Atan(half/f) * 180 / math.Pi}, warn
}

// SensorNames lists the sensor profiles --sensor accepts, sorted.
func SensorNames() []string { return slices.Sorted(maps.Keys(rawconv.Profiles)) }

// LensNames lists the lenses --lens accepts, sorted.
func LensNames() []string { return slices.Sorted(maps.Keys(lenses)) }
