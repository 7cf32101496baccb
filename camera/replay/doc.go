// Package replay is the camera that shows image files (PNG, JPEG, TIFF,
// FITS) in turn, each for an interval, like PiFinder's debug camera: a way
// to run the whole pipeline on recorded frames. Frames are converted to
// 8-bit grey, centre-cropped to a square and resized to the solve size.
// The folder is listed again every few seconds and unreadable files are
// retried with backoff, so frames resume when files come back; while none
// can be shown, Capture fails with camera.ErrNoFrames.
package replay
