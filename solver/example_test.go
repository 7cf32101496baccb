package solver_test

import (
	"context"
	"fmt"
	"math"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/solver"
)

// Solving centroids with the embedded database. The centroids here are
// made from the database's own stars at a known attitude; in the pipeline
// they come from package detect.
func Example() {
	s, err := solver.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	att := geom.Attitude{RA: 83.8, Dec: -1.2, Roll: 20} // Orion's belt
	cam := geom.Camera{W: 512, H: 512, FOV: 10.2}
	var cents []solver.Centroid
	for _, st := range s.DB().Stars { // brightest first
		ra := math.Atan2(st.Vec[1], st.Vec[0]) * 180 / math.Pi
		dec := math.Asin(st.Vec[2]) * 180 / math.Pi
		if x, y, ok := geom.Project(att, cam, ra, dec); ok && cam.Inside(x, y) && st.Vmag < 7 {
			cents = append(cents, solver.Centroid{X: x, Y: y, Brightness: math.Pow(10, -0.4*st.Vmag)})
		}
	}
	r := s.Solve(context.Background(), solver.Request{Centroids: cents, Width: 512, Height: 512})
	fmt.Printf("%v: RA %.2f Dec %.2f Roll %.2f FOV %.2f\n", r.Status, r.RA, r.Dec, r.Roll, r.FOV)
	// Output: match: RA 83.80 Dec -1.20 Roll 20.00 FOV 10.20
}

// Tracking: the previous attitude, moved by the IMU, as a prior.
func ExampleSolver_Solve_tracking() {
	s, _ := solver.Default()
	att := geom.Attitude{RA: 279.2, Dec: 38.8, Roll: 100} // Vega
	cam := geom.Camera{W: 512, H: 512, FOV: 13.7}
	var cents []solver.Centroid
	for _, st := range s.DB().Stars[:4000] {
		ra := math.Atan2(st.Vec[1], st.Vec[0]) * 180 / math.Pi
		dec := math.Asin(st.Vec[2]) * 180 / math.Pi
		if x, y, ok := geom.Project(att, cam, ra, dec); ok && cam.Inside(x, y) {
			cents = append(cents, solver.Centroid{X: x, Y: y, Brightness: -st.Vmag})
		}
	}
	prior := &solver.Prior{Attitude: geom.Attitude{RA: 279.5, Dec: 38.6, Roll: 100.5}, FOV: 13.7}
	r := s.Solve(context.Background(), solver.Request{Centroids: cents, Width: 512, Height: 512, Prior: prior})
	fmt.Printf("%s %v: RA %.2f Dec %.2f\n", r.Mode, r.Status, r.RA, r.Dec)
	// Output: tracking match: RA 279.20 Dec 38.80
}
