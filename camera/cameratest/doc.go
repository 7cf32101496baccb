// Package cameratest runs the real capture worker against a camera.Source
// for tests, in the manner of net/http/httptest: a state owner, the worker,
// and a consumer that plays the solver, all stopped the one way the
// pipeline stops them (the context's cause). The source packages
// (camera/sim, camera/replay, camera/rpicam) test themselves with it, and
// an embedder can run its own Source through the same worker.
package cameratest
