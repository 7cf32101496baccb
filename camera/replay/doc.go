// Package replay is the camera that shows image files (PNG, JPEG, TIFF,
// FITS) in turn, each for an interval, like PiFinder's debug camera: a way
// to run the whole pipeline on recorded frames. Frames are converted to
// 8-bit grey, centre-cropped to a square and resized to the solve size.
package replay
