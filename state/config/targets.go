package config

import (
	"fmt"
	"math"

	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
)

// fixTargets resets a mount type that is not one and drops recent targets
// that are out of range or beyond state.MaxRecent, listing what it changed.
// A known mount spelling ("eq", "dobsonian") is normalised without a
// complaint: it is what the user meant.
func (c *Config) fixTargets(def Config) []string {
	var p []string
	if m, err := targets.ParseMount(c.MountType); err == nil {
		c.MountType = m.String()
	} else {
		p = append(p, fmt.Sprintf("mount_type %q not altaz or equatorial", c.MountType))
		c.MountType = def.MountType
	}
	kept := c.RecentTargets[:0:0]
	for i, r := range c.RecentTargets {
		if !(r.RA >= 0 && r.RA < 360 && r.Dec >= -90 && r.Dec <= 90) || math.IsNaN(r.RA) {
			p = append(p, fmt.Sprintf("recent_targets[%d] %q: position (%g, %g) out of range, dropped", i, r.Name, r.RA, r.Dec))
			continue
		}
		if len(kept) == state.MaxRecent {
			p = append(p, fmt.Sprintf("recent_targets: more than %d, the oldest dropped", state.MaxRecent))
			break
		}
		kept = append(kept, r)
	}
	c.RecentTargets = kept
	return p
}
