//go:build race

package integrator

// raceEnabled shortens the heaviest simulations under the race detector.
const raceEnabled = true
