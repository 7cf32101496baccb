// Package sim is the simulated camera: it renders the sky the simulated
// telescope (hw/simworld) points at, with the star catalogue the solver's
// database is built from, real noise, star trails from the motion during the
// exposure and flux linear in exposure and gain, so that detection, solving
// and auto-exposure run on it as on a real sensor. Each frame carries the
// true pointing in Meta.Truth, which the pipeline's simulations measure
// themselves against. It is what `go run .` uses.
package sim
