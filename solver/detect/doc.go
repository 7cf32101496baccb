// Package detect finds stars in 8- and 16-bit grey frames: sub-pixel
// centroids (with (0.5, 0.5) the centre of the top-left pixel), background-
// subtracted brightness, peak value and saturation, sorted brightest first,
// and the frame's noise estimate.
//
// The algorithm follows cedar-detect's outline but thresholds on a matched
// filter rather than on single pixels:
//
//  1. 2×2 box sums (the "candidate image": at stride 2 for Binning 2,
//     stride 1 for Binning 1), packed four to a 64-bit word. The 8-bit
//     paths do this with SWAR arithmetic, one 8-byte load per row and word,
//     and gather 8×8-pixel block sums in the same pass.
//  2. Noise: the median absolute difference of neighbouring box sums on a
//     subset of rows (immune to gradients and to the few star pixels).
//  3. Background: a sigma-clipped mean of the block sums per 32×32-pixel
//     tile, interpolated bilinearly, so gradients and moonlight are followed.
//  4. Candidates: local maxima of the box sums above a low threshold (both
//     tested four at a time per word), then a phase-tolerant test on
//     neighbouring box sums, processed brightest first.
//  5. At full resolution around each candidate: a 3×3 pre-test; the local
//     background and noise from the ring 3 px out where the tile background
//     lags (glare); the hot-pixel test (a lone spike, or a bright cluster of
//     up to three pixels, without PSF wings); an iterative Gaussian-windowed
//     centroid whose weighted sum is the matched-filter statistic compared
//     with Sigma; for faint candidates, a line test that recognises
//     fragments of faint satellite trails broken up by noise (and lit
//     branches); a flood fill of the blob, on row bit masks 64 pixels
//     wide, that rejects extended objects (glare, lit trees: area >
//     MaxBlobArea) and trails (elongation > MaxElongation), and hands a
//     star's flank to a brighter neighbour. Saturated stars are kept,
//     flagged, and centroided on their blob.
//
// On amd64 with AVX2 the full-frame passes run as vector kernels
// (simd_amd64.s): the 2×2 and block sums; the noise median, found by
// counting differences at most k rather than by a histogram; the tile
// backgrounds' clipped means, four tiles per pass; the block thresholds;
// and the candidate search, which tests threshold, local maximum and an
// integer pre-test of the significance test on sixteen boxes at a time.
// Per candidate, the 4×4 peak search (PHMINPOSUW), the hot-pixel test's
// 5×5 figures, the ring statistics, the trail test's 576 samples
// (gathered), the centroid window and its whole iteration, and the
// aperture sum are vector code too. Every kernel computes exactly what
// the portable code does, bit for bit (TestSIMDMatchesPortable and the
// per-kernel tests in simd_test.go); build with -tags purego to leave
// them out.
//
// On arm64 (every Raspberry Pi that runs the 64-bit OS) the NEON kernels
// of simd_arm64*.s do the stages where the portable code spent most: the
// 2×2 and block sums, the candidate search with its stage-2 pre-test,
// the noise median (by counting, as above), the whole-tile statistics and
// clip passes, the block thresholds, and per candidate the whole seed
// chain (4×4 peak search, background, 3×3 pre-test, ring statistics and
// the local sky's decisions: simd_arm64_seed.s), the hot-pixel test's 5×5
// figures, the centroid window with its first moment and the whole
// centroid iteration (simd_arm64_centroid.s), the aperture sum, the
// trail test's 576 samples (picked out of the rows by table lookups) and
// bright sides, and the flood fill's row masks. The others run the
// portable code. The same tests hold them to
// the portable code's results (kernels.go lists which kernels a build
// has); the floating-point kernels match because the portable code they
// stand for rounds every product before adding it (float64(a*b)), which
// keeps the Go compiler from fusing multiply-adds on arm64. Elsewhere
// (tile statistics, blob moments) it may fuse them, so amd64 and arm64
// can differ in the last bits of a result.
//
// A Detector reuses its buffers between calls: Result.Stars is valid until
// the next call, and a Detector is not safe for concurrent use (use one per
// goroutine). After the first call on a given frame size, detection on
// 8-bit frames allocates nothing.
//
// # Where the code is
//
// One file per stage, in the order above:
//
//	detect.go      the API: Options, Star, Result, New, Detect, DetectGray,
//	               and the 16-bit path (scaling to 13 bits)
//	detector.go    the Detector's fields (each tagged with its stage), setup
//	boxsums.go     1: the candidate image of 2×2 box sums and the block sums
//	noise.go       2: the noise estimate
//	background.go  3: tile backgrounds, block thresholds, backgroundAt
//	candidates.go  4: the candidate search (threshold, local maximum,
//	               stage2) and the brightest-first sort
//	refine.go      5: refineAt, which runs the refinement stages in turn:
//	seed.go           the brightest unclaimed pixel, the 3×3 pre-test and
//	                  the ring's background and noise (seedfast*.go: the
//	                  arm64 kernel that does them at once)
//	hotpixel.go       the hot-pixel test
//	centroid.go       the window, the iterated Gaussian-windowed centroid
//	                  and the matched-filter significance
//	trail.go          the faint-trail (line) test; trailedge.go its form
//	                  near the frame's edge
//	blob.go           the blob (flank, extended object) within the 7×7
//	                  core and the elongation test; flood.go the fill
//	                  beyond it
//	aperture.go       the brightness: the aperture sum
//	claims.go         the per-pixel claim and hot-pixel bitmaps
//	result.go      sorting, duplicate removal and MaxStars
//	kernels.go     the names of the vector kernels, per build
//	simd_amd64.go  the AVX2 kernels' Go side (simd_amd64.s),
//	simd_arm64.go  the NEON kernels' Go side (simd_arm64*.s), and
//	simd_other.go  their stand-ins elsewhere (portable code only)
package detect
