//go:build !arm64

package rawconv

// Without assembly the portable kernels do the whole row.

const uPad = 0

type htab struct{}

func newHTab(*axis, int) *htab { return nil }

func rawRow(dst, src []byte, n int, shift uint, rev bool) uint16 {
	return rawRowGo(dst, src, n, shift, rev, 0)
}

func vsum(dst []uint16, rows [][]byte, w []uint16, inShift, outShift uint) {
	vsumGo(dst, rows, w, inShift, outShift, 0)
}

func hsum(dst []uint8, u []uint16, a *axis, _ *htab, sc scale8) {
	hsumGo(dst, u, a, sc, 0)
}

func turnTiles(dst []byte, d0, dstep int, src []byte, s0, ss, tiles int, rev bool) {
	turnTilesGo(dst, d0, dstep, src, s0, ss, tiles, rev)
}
