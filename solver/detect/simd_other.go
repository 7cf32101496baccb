//go:build !amd64 || purego

package detect

// useSIMD is false where there are no vector kernels.
var useSIMD = false

// pairRowsSIMD does no words: pairRows does them all.
func pairRowsSIMD(r0, r1 []uint8, out, acc []uint64) int { return 0 }

// candMaskSIMD does no groups: candWords does them all.
func (d *Detector) candMaskSIMD(cy int, masks []uint32) int { return 0 }
