// Package imaging is the one image loader every command uses: PNG, JPEG,
// TIFF (8- and 16-bit) and FITS (BITPIX 8, 16, 32, -32, -64) files become
// *image.Gray or *image.Gray16, colour converted to luma. ToGray8 reduces
// 16-bit frames to 8 bits for code that wants them. Headers are checked
// before pixels are decoded: an image that would decode to more than
// MaxDecodedBytes is refused with ErrTooLarge, so a small hostile file
// cannot exhaust a Pi's memory.
package imaging
