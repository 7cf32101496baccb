// Package pipeline assembles PiFinder's acquisition core for the binary and
// for embedding programs: it opens the camera, IMU, solver database and
// settings from a Config, and runs the state owner and every worker
// (camera, solver, integrator, IMU, power, summary log, LX200 and HTTP
// servers) as goroutines under one errgroup and one shared context.
//
// The shared context is cancelled with a cause when the state owner ends
// for any reason (error, panic, or the caller's stop) or when a worker fails
// for good; every worker then logs one line and returns. Run reports nil for
// a stop the caller asked for (exit status 0) and the cause otherwise
// (ExitCode maps it to 1, so a service manager restarts the process).
package pipeline
