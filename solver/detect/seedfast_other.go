//go:build !arm64 || purego

package detect

// seedFastKernel reports whether this build has the fused seed kernel.
const seedFastKernel = false

// seedFast has no kernel here: the Go stages run the seed chain.
func (f *frame[T]) seedFast(cx, cy int) int { return seedPortable }
