//go:build arm64 && !purego

package detect

import "unsafe"

// seedFastKernel reports whether this build has seedChainNEON.
const seedFastKernel = true

// frame[uint8]'s field offsets for seedChainNEON (go_asm.h gives the
// Detector's and the seed's, but not those of a generic type).
const (
	seedFrameD      = unsafe.Offsetof(frame[uint8]{}.d)
	seedFramePix    = unsafe.Offsetof(frame[uint8]{}.pix)
	seedFrameStride = unsafe.Offsetof(frame[uint8]{}.stride)
	seedFrameSeed   = unsafe.Offsetof(frame[uint8]{}.seed)
)

// The kernel reads the offsets through go_asm.h, which Go's tools do not
// see as a use.
var _ = [...]uintptr{seedFrameD, seedFramePix, seedFrameStride, seedFrameSeed}

//go:noescape
func seedChainNEON(f *frame[uint8], cx, cy int) (stage int)

// seedFast runs refineAt's seed chain for candidate box (cx, cy) in one
// kernel where it applies (8-bit frames; seedChainNEON checks the rest):
// seedPass with f.seed set, the stage that rejected the seed, or
// seedPortable when the Go stages must run.
func (f *frame[T]) seedFast(cx, cy int) int {
	if unsafe.Sizeof(f.pix[0]) != 1 || !useSIMD {
		return seedPortable
	}
	return seedChainNEON((*frame[uint8])(unsafe.Pointer(f)), cx, cy)
}
