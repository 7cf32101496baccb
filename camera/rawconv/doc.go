// Package rawconv owns the pixel work of the camera path: the sensor
// profiles of the Raspberry Pi cameras (crop, rotation, bias, digital gain,
// bit depth), the raw → 8-bit solve-image conversion of PiFinder's Pi
// backend, a Pillow-style antialiased resampler and quarter-turn rotations.
//
// Everything reuses caller-owned or cached buffers, so converting a frame
// does not allocate once the first frame has sized the buffers.
package rawconv
