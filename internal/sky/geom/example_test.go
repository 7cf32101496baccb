package geom_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// Where do Alnitak and Betelgeuse land on a 512×512, 10.2° frame centred on
// Orion's belt with north up? East is on the left, as the sky looks from the
// ground; Betelgeuse is above the frame.
func ExampleProject() {
	att := geom.Attitude{RA: 84.0, Dec: 0.0, Roll: 0}
	cam := geom.Camera{W: 512, H: 512, FOV: 10.2}
	for _, star := range [][2]float64{{85.1897, -1.9426}, {88.7929, 7.4071}} {
		x, y, ok := geom.Project(att, cam, star[0], star[1])
		ra, dec := geom.Unproject(att, cam, x, y)
		fmt.Printf("(%.1f, %.1f) in front: %v, inside: %v, back: %.4f %.4f\n", x, y, ok, cam.Inside(x, y), ra, dec)
	}
	// Output:
	// (196.4, 353.3) in front: true, inside: true, back: 85.1897 -1.9426
	// (15.5, -118.2) in front: true, inside: false, back: 88.7929 7.4071
}
