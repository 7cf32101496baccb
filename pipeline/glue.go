package pipeline

import "github.com/pifinder-go/pifinder/integrator/deadreck"

var deadreckImageRotation = deadreck.ImageRotation
