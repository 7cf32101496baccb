// Package integrator owns the long-lived pointing estimate (state.Estimate).
//
// Successful plate solves reseed it (camera and aligned axes, and the IMU
// anchor at exposure end); failed solves keep the pointing, update the
// diagnostics and are published at once; between solves the IMU moves the
// estimate once the rotation since the anchor exceeds a 0.06° deadband.
// Alt/Az (from the shared location and datetime) and the constellation of
// the aligned axis are added at publication, and RA is normalised to
// [0, 360) there.
//
// The merge rules live in Core.Step, a pure function of the tick's inputs
// (at most one solve event, the latest IMU sample, the location and the
// shared datetime). Integrator.Run feeds it live from the state store and
// the solver's channel; integrator/record replays recorded ticks through the
// same Core, so a replay reproduces a session's estimates exactly.
package integrator
