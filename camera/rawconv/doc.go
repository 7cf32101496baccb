// Package rawconv owns the pixel work of the camera path: the sensor
// profiles of the Raspberry Pi cameras (crop, rotation, bias, digital gain,
// bit depth), the raw → 8-bit solve-image conversion of PiFinder's Pi
// backend, a Pillow-style antialiased resampler and quarter-turn rotations.
//
// The conversion is an exact-area reduction in fixed point straight from
// the 16-bit samples, with the 8-bit scale applied once per output pixel,
// and only the small result is turned. On arm64 the row loops are NEON
// assembly (kernels_arm64.s); the portable Go kernels (kernels.go) are the
// fallback elsewhere and the bit-exact reference the assembly is tested
// against.
//
// Everything reuses caller-owned or cached buffers, so converting a frame
// does not allocate once the first frame has sized the buffers.
package rawconv
