package detect

import (
	"image"
	"math"
)

// Detector holds the reusable buffers of the pipeline.
type Detector struct {
	// Each field names the stage that uses it (1 box sums, 2 noise, 3
	// background, 4 candidates, 5 refinement, R result; see doc.go).
	// setup sizes the buffers for each frame; they only grow, so that
	// after the first frame of a size detection allocates nothing. The
	// order is the one the fields had before they were renamed: with the
	// fields grouped by stage the amd64 benchmarks ran 3-4% slower (a
	// memory-layout effect: arm64 instruction counts did not change), so
	// it is kept.

	opts Options

	boxWords        []uint64      // 1: the candidate image, four 16-bit box sums per word
	boxWordsPadded  []uint64      // 1: boxWords with a zero word on each side, for the vector loads that reach past a row
	candMasks       []uint32      // 4: candMaskSIMD's marks for one row, bit 2k for box k of each 16
	blockAcc        []uint64      // 1: bin8's SWAR block accumulators for one band of four box rows
	rowScratch      []int32       // 2, 4: one row of noiseHist's box sums, or candWords' indices of words with a hit
	blockSums       []uint32      // 1: per block (4×4 boxes), the sum of its box sums
	blockBackground []float32     // 3: per block, the background at its centre, in box-sum units
	blockThreshold  []uint64      // 3, 4: per block, 0x7FFF − the candidate threshold in all four lanes (blockLimits)
	preTestOffsets  [7][16]uint16 // 4: the vector search's integer stage-2 limits as offsets from a block's threshold, then 0x7FFF (setPreTestOffsets)
	tileBackground  []float32     // 3: per tile, the clipped mean of its block means, in box-sum units
	bgAlongRow      []float64     // 3: per tile row and block column, the tile background interpolated along x
	blockColInterp  []colInterp   // 3: per block column, its two tiles and weight in that interpolation
	diffHist        []uint32      // 2: noiseHist's two 4096-bin histograms of box-sum differences
	claimBits       []uint64      // 5: the pixels claimed in this frame, one bit each (claims.go)
	hotBits         []uint64      // 5: the hot pixels found in this frame, one bit each
	hotRowMark      []uint32      // 5: per row, frameGen when it holds a hot pixel of this frame
	frameGen        uint32        // 5: this frame's number, so that hotRowMark needs no clearing
	tileRowStats    []uint32      // 3: tileStatsSIMD's sums, minima and maxima of the block sums of one tile row
	tileRowMeans    []float64     // 3: tileMeansSIMD's means of one tile row
	hotCount        int           // 5: hot pixels found in this frame; while 0, no pixel read looks them up
	fillSpans       []fillSpan    // 5: fillBlobSpans' row segments still to scan
	candidates      []cand        // 4: in scan order, then (sortCands) brightest first
	candSortBuf     []cand        // 4: sortCands' second buffer
	candSortCounts  []uint32      // 4: sortCands' counts per box sum
	blobRuns        []pixelRun    // 5: the flood fill's claimed runs of pixels, released if the blob is rejected
	stars           []Star        // 5: the stars found, in the order found
	sortKeys        []uint64      // R: finish's sort keys
	kernelBuffers                 // 2: the vector kernels' own buffers (simd_amd64.go; none elsewhere)
	sortedStars     []Star        // R: finish's copy of the stars
	dedupHead       []int32       // R: dedup's first kept star per 2×2-pixel cell, −1 when none
	dedupNext       []int32       // R: dedup's next kept star in the same cell, per kept star
	dedupOcc        []uint64      // R: dedup's cells with a kept star, one bit each
	scaled16        []uint16      // detectGray16's copy of the frame, scaled to at most 13 bits
	converted       *image.Gray   // Detect's 8-bit luma copy of other image types
	floodRows       []floodRow    // 5: fillBlobMask's row masks, one per frame row

	trailOffsets lineTable // 5: lineThrough's sample offsets for the current stride (trail.go)

	// The frame's geometry (setup). The candidate image holds 2×2 box
	// sums: at Binning 2 one per 2×2 bin, at Binning 1 one at every pixel.
	// Blocks are 4×4 boxes; tiles are blocksPerTile×blocksPerTile blocks,
	// 32×32 pixels at either binning.
	width, height  int // the frame, in pixels
	boxStride      int // pixels from one box to the next: the Binning
	boxesW, boxesH int // the candidate image, in boxes
	wordsPerRow    int // packed words per row of the candidate image
	blocksW        int // blocks per row (one per word)
	blocksH        int // block rows
	blocksPerTile  int // blocks per tile side
	tilesW, tilesH int // tiles
	// backgroundAt's constants: 1/boxStride and 1/(boxes per tile side),
	// reciprocals of powers of two and so exact, and the last tile column
	// and row, where the interpolation is clamped.
	invBoxStride, invTileBoxes float64
	lastTileCol, lastTileRow   float64
	noiseBox                   float64  // 2: the noise of a box sum
	noisePixel                 float64  // 2: the noise of a pixel, noiseBox/2 (a box is four pixels)
	candSigma                  float64  // 3, 4: a candidate box's least excess over its block's background, in noiseBox
	stage2Sigma                float64  // 4: the significance stage2 requires, in units of the sum's noise
	saturation                 float64  // 5: a saturated pixel's value in working units (after detectGray16's scaling)
	windowSigma                float64  // 5: the centroid window's Gaussian σ in pixels, from FWHMPx
	windowWeights              []wEntry // 5: the centroid's weights per window phase (centroid.go)
	windowWeightsSigma         float64  // 5: the windowSigma windowWeights was built for
}

// setup sizes the buffers for a w×h frame.
func (d *Detector) setup(w, h int, sat float64) {
	d.width, d.height, d.boxStride = w, h, d.opts.Binning
	d.saturation = sat
	if d.boxStride == 2 {
		d.boxesW, d.boxesH = w/2, h/2
		d.blocksPerTile = 4 // tiles of 32×32 pixels
	} else {
		d.boxesW, d.boxesH = w-1, h-1
		d.blocksPerTile = 8 // tiles of 32×32 pixels
	}
	d.wordsPerRow = (d.boxesW + 3) / 4
	d.blocksW, d.blocksH = d.wordsPerRow, (d.boxesH+3)/4
	d.tilesW, d.tilesH = (d.blocksW+d.blocksPerTile-1)/d.blocksPerTile, (d.blocksH+d.blocksPerTile-1)/d.blocksPerTile
	// backgroundAt's constants.
	d.invBoxStride, d.invTileBoxes = 1/float64(d.boxStride), 1/float64(4*d.blocksPerTile)
	d.lastTileCol, d.lastTileRow = float64(d.tilesW-1), float64(d.tilesH-1)
	d.boxWordsPadded = grow(d.boxWordsPadded, d.wordsPerRow*d.boxesH+2)
	d.boxWordsPadded[0], d.boxWordsPadded[len(d.boxWordsPadded)-1] = 0, 0
	d.boxWords = d.boxWordsPadded[1 : 1+d.wordsPerRow*d.boxesH]
	d.candMasks = grow(d.candMasks, (d.wordsPerRow+3)/4)
	d.blockAcc = grow(d.blockAcc, d.wordsPerRow)
	d.rowScratch = grow(d.rowScratch, d.boxesW)
	d.diffHist = grow(d.diffHist, 8192)
	d.blockSums = grow(d.blockSums, d.blocksW*d.blocksH)
	d.blockBackground = grow(d.blockBackground, d.blocksW*d.blocksH)
	d.blockThreshold = grow(d.blockThreshold, d.blocksW*d.blocksH)
	d.tileBackground = grow(d.tileBackground, d.tilesW*d.tilesH)
	d.bgAlongRow = grow(d.bgAlongRow, d.tilesH*d.blocksW)
	d.tileRowStats = grow(d.tileRowStats, 3*d.tilesW)
	// Bitmaps (32 KiB each at 512×512) stay in cache during the refinement.
	nb := (w*h + 63) / 64
	// One word of padding: reads of a few bits at j may take the next
	// word whole, without a branch.
	d.claimBits = grow(d.claimBits, nb+1)
	clear(d.claimBits)
	if d.hotCount > 0 || len(d.hotBits) != nb {
		d.hotBits = grow(d.hotBits, nb)
		clear(d.hotBits)
	}
	d.hotRowMark = grow(d.hotRowMark, h)
	d.floodRows = grow(d.floodRows, h)
	d.frameGen++
	if d.frameGen == 0 { // wrapped: old row marks could collide
		clear(d.hotRowMark)
		d.frameGen = 1
	}
	d.stars = d.stars[:0]
	d.candidates = d.candidates[:0]
	d.hotCount = 0
	d.windowSigma = d.opts.FWHMPx / (2 * math.Sqrt(2*math.Ln2))
	d.buildWeights()
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// clampPM clamps v to [−a, a].
func clampPM(v, a float64) float64 {
	if v > a {
		return a
	}
	if v < -a {
		return -a
	}
	return v
}

func clampF(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
