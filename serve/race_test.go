//go:build race

package serve_test

// raceEnabled: the race detector is on. Its shadow memory is never handed
// back and its slowdown makes the solve rate CPU-bound, so TestSoak does not
// compare RSS or the solve rate then (errors and goroutines still count).
const raceEnabled = true
