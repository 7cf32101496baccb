// Package ae owns the camera's auto-exposure algorithms: the PID controller
// that aims at a matched-star count, the zero-match recovery ladder it falls
// back to when nothing matches, and the SNR controller that aims at a
// background level. The numbers are PiFinder's (auto_exposure.py).
//
// The controllers are plain values, not safe for concurrent use; the camera
// worker owns them. Time enters only through the now argument, so tests and
// synctest bubbles control the rate limit.
package ae
