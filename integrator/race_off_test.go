//go:build !race

package integrator

const raceEnabled = false
