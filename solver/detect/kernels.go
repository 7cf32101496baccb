package detect

// kernelSet names the vector kernels a build has (simdKernels in
// simd_amd64.go, simd_arm64.go and simd_other.go), so that the per-kernel
// tests run exactly where a kernel exists: on arm64 only some stages have
// NEON kernels, and the others keep the portable code.
type kernelSet uint32

const (
	kernelBin8         kernelSet = 1 << iota // bin8SIMD
	kernelPairRows                           // pairRowsSIMD
	kernelCandMask                           // candMaskSIMD
	kernelLineInner                          // lineInnerSIMD
	kernelLineEdge                           // lineEdgeSIMD
	kernelWindow                             // winLoadSIMD
	kernelBlockLimits                        // blockLimitsSIMD
	kernelTileStats                          // tileStatsSIMD, tileMeansSIMD
	kernelBoxSum                             // boxSumSIMD
	kernelNoise                              // noiseMedianSIMD
	kernelCentroidLoop                       // centroidLoopSIMD
	kernelRing                               // ringSumsSIMD
	kernelPeak                               // peak4x4SIMD
	kernelHot                                // hotStatsSIMD
	kernelCentroidSums                       // centroidSumsSIMD
	kernelTile4                              // tileStats4SIMD, tileClip4SIMD

	kernelAll = kernelTile4<<1 - 1
)

// hasKernel reports whether the kernels of k are in this build and on.
func hasKernel(k kernelSet) bool { return useSIMD && simdKernels&k == k }
