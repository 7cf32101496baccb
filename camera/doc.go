// Package camera owns frame capture: the Frame value (pixels and metadata
// together), the Source implementations (simulated sky, replayed files, the
// Raspberry Pi camera through rpicam, none), the capture Worker with its
// power-aware cadence, typed commands and auto-exposure, and the
// latest-wins Handoff that feeds the solver.
//
// Frame ownership: a *Frame obtained from Source.Capture or Handoff.Next
// belongs to the caller until it calls Release (or hands it on with
// Handoff.Put, which transfers ownership). After Release the frame and its
// pixel buffers may be reused for a later capture at any moment, so nothing
// may keep a reference to f.Gray or f.Raw past Release. Copy what you need
// to keep (the metadata is a value and may be copied freely).
package camera
