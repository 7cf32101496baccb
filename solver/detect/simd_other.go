//go:build (!amd64 && !arm64) || purego

package detect

// useSIMD is false where there are no vector kernels.
var useSIMD = false

// simdKernels: none.
const simdKernels kernelSet = 0

// kernelBuffers holds the buffers that only the vector kernels use: none
// here. (The stubs that stand for kernels with a buffer are its methods.)
type kernelBuffers struct{}

// pairRowsSIMD does no words: pairRows does them all.
func pairRowsSIMD(r0, r1 []uint8, out, acc []uint64) int { return 0 }

// candMaskSIMD does no groups: candWords does them all.
func (d *Detector) candMaskSIMD(cy int, masks []uint32) (n int, nz uint64) { return 0, 0 }

// lineInnerSIMD does nothing: lineInner sums the samples itself.
func lineInnerSIMD[T uint8 | uint16](pix []T, c int, lin *lineTable, l int32, sums *[lineDirsN * 2]int32) (uint64, bool) {
	return 0, false
}

// lineEdgeSIMD does nothing: lineThrough sums the samples itself.
func lineEdgeSIMD[T uint8 | uint16](pix []T, stride int, lin *lineTable, px, py, w, h int, sums, cnt *[lineDirsN * 2]int32) bool {
	return false
}

// winLoadSIMD does nothing: loadWindow loads the window itself.
func winLoadSIMD[T uint8 | uint16](pix []T, i0, stride int, b float64, win *window) (ssPos, ssAll float64, ok bool) {
	return 0, 0, false
}

// blockLimitsSIMD does no blocks: setBlockLimits does them all.
func blockLimitsSIMD(r0, r1 []float64, ay1, ay, lt float64, bg []float32, thr []uint64) int {
	return 0
}

// tileStatsSIMD does no tiles: estimateTileBackground does them all.
func (d *Detector) tileStatsSIMD(ty int) (k int, sum, lo, hi []uint32) { return 0, nil, nil, nil }

// bin8SIMD does nothing: bin8 does every word.
func (d *Detector) bin8SIMD(pix []uint8, stride int) (words, rows int) { return 0, 0 }

// boxSumSIMD does nothing: boxSum sums the pixels itself.
func boxSumSIMD[T uint8 | uint16](pix []T, i0, stride, n, rows int) (int, bool) { return 0, false }

// noiseMedianSIMD does nothing: noiseHist histograms the differences.
func (kernelBuffers) noiseMedianSIMD(step int) (float64, bool) { return 0, false }

// tileMeansSIMD does no tiles: estimateTileBackground does them all.
func (d *Detector) tileMeansSIMD(ty, k int, sig float64, sum, lo, hi []uint32, means []float64) int {
	return 0
}

// centroidLoopSIMD does nothing: centroidLoop iterates the centroid itself.
func centroidLoopSIMD(win *[56]float64, tab []wEntry, x0, y0, px, py int, cx, cy float64) (s, cxo, cyo float64, ix, iy int, ok, ran bool) {
	return 0, 0, 0, 0, 0, false, false
}

// ringSumsSIMD does nothing: ringStats sums the ring itself.
func ringSumsSIMD[T uint8 | uint16](pix []T, i0, stride int, l int32) (s, s2, k, hi int, ok bool) {
	return 0, 0, 0, 0, false
}

// peak4x4SIMD does nothing: findSeed searches the block itself.
func peak4x4SIMD[T uint8 | uint16](d *Detector, pix []T, stride, x0, y0 int) (k, v int, ran bool) {
	return 0, 0, false
}

// hotStatsSIMD does nothing: hotPixel reads the 5×5 pixels itself.
func hotStatsSIMD[T uint8 | uint16](pix []T, i0, stride int) (packed uint64, ok bool) {
	return 0, false
}

// centroidSumsSIMD does nothing: centroidSums sums the window itself.
func centroidSumsSIMD(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64, ok bool) {
	return 0, 0, 0, false
}

// tileStats4SIMD does nothing: tileMeanFull sums the blocks itself.
func tileStats4SIMD(sb []uint32, i0, sbw, nx, ny int) (sum, lo, hi int64, ok bool) {
	return 0, 0, 0, false
}

// tileClip4SIMD does nothing: tileMeanStats clips the blocks itself.
func tileClip4SIMD(sb []uint32, i0, sbw, nx, ny int, l int64) (s, k int64, ok bool) {
	return 0, 0, false
}

// aboveMaskSIMD does nothing: aboveMask compares the pixels itself.
func aboveMaskSIMD[T uint8 | uint16](p []T, lv int) (m uint64, ok bool) { return 0, false }

// floodMasks (a variable for the tests) selects fillBlobMask for the blob's flood fill (with the pixels compared one at a time, the run-by-run fill is faster);
// fillBlobSpans finds the same blob and sums.
var floodMasks = false
