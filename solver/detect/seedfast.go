package detect

// The seed chain of refineAt (findSeed, boxPreTest, localSky and the second
// boxPreTest) is a handful of small stages per candidate: in Go most of its
// cost is call overhead, spills and bounds checks around their kernels. On
// arm64 one kernel (seedChainNEON, simd_arm64_seed.s) runs the whole chain
// for the common case, an 8-bit frame at Binning 2 with the candidate's
// neighbourhood inside the frame and no hot pixel next to the seed; every
// other case runs the Go stages. Both give the same seed, bit for bit: the
// Go stages round every product before they add it (so no multiply-add is
// fused on arm64), and the kernel does each step as they do.

// The results of seedFast: the seed passed (f.seed is set), the kernel
// does not apply here (nothing is set: run the Go stages), or the stage
// that rejected the seed.
const (
	seedPass     = iota // f.seed is set and passed every stage
	seedPortable        // the Go stages must run
	seedClaimed         // findSeed: every pixel of the block is claimed
	seedNotAbove        // findSeed: the seed is not above the tile background
	seedWeakBox         // boxPreTest
	seedSkyBelow        // localSky: not above the ring's background
	seedWeakBox2        // boxPreTest again, with the ring's noise
)

// seedRejected reports to the tests' trace (refineAt calls it only when
// traceReject is set) why the fused kernel rejected the seed, as the Go
// stages do.
func seedRejected(s *seed, stage int) {
	if stage == seedWeakBox || stage == seedWeakBox2 {
		trace(s.x, s.y, "weak-box")
	}
}
