package detect

import (
	"math"
	"math/bits"
)

// Stage 2, the noise: the median absolute difference of box sums two
// pixels apart on a subset of rows. Differences cancel the background and
// its gradients, the median ignores the few pairs on a star, and rows 24
// apart give about 2,800 pairs at 512×512 (a 3% estimate). See estimate in
// background.go for the conversion to the noise of a box sum.

// estimateNoise sets the noise of a box sum and of a pixel.
func (d *Detector) estimateNoise() {
	// Box sums two pixels apart: neighbours at Binning 2, every other box
	// at Binning 1 (neighbouring boxes there share pixels).
	step := 1
	if d.boxStride == 1 {
		step = 2
	}
	med := d.noiseHist(step)
	// |d| of two independent box sums: median 0.6745·√2·σbox. The floor
	// keeps a noiseless (flat or synthetic) frame from making every box
	// significant.
	d.noiseBox = max(med/(0.6745*math.Sqrt2), 0.5)
	d.noisePixel = d.noiseBox / 2
}

// noiseHist histograms |difference| of box sums step boxes apart on every
// 24th row and returns their interpolated median (0 without pairs).
func (d *Detector) noiseHist(step int) float64 {
	if med, ok := d.noiseMedianSIMD(step); ok {
		return med
	}
	// Two histograms, filled alternately, keep consecutive increments of
	// the same bin from waiting on each other; they are summed below.
	hist := d.diffHist[:8192]
	satBox := int(4 * d.saturation)
	n := 0
	maxDiff := 0
	rb := d.rowScratch[:d.boxesW] // the row's box sums, unpacked
	ww := d.wordsPerRow
	full := d.boxesW / 4
	for cy := 1; cy < d.boxesH; cy += 24 {
		row := d.boxWords[cy*ww : (cy+1)*ww]
		for i, wv := range row[:full] {
			r := rb[4*i : 4*i+4]
			r[0] = int32(wv & 0xFFFF)
			r[1] = int32(wv >> 16 & 0xFFFF)
			r[2] = int32(wv >> 32 & 0xFFFF)
			r[3] = int32(wv >> 48)
		}
		for cx := 4 * full; cx < len(rb); cx++ {
			rb[cx] = int32(row[cx>>2] >> (16 * (cx & 3)) & 0xFFFF)
		}
		a := rb[:len(rb)-step]
		b := rb[step:]
		b = b[:len(a)]
		for k := range a {
			x, y := int(a[k]), int(b[k])
			// Saturated or black pairs carry no noise information.
			if (x >= satBox && y >= satBox) || (x == 0 && y == 0) {
				continue
			}
			// |x − y| without a branch (mispredicted on noise): sign is −1
			// for a negative difference, else 0. The shift is by the width
			// of int less one, so that it is the sign bit on 32-bit
			// platforms too (box sums are below 2^15: no overflow).
			diff := x - y
			sign := diff >> (bits.UintSize - 1)
			diff = (diff ^ sign) - sign
			diff = min(diff, 4095)
			maxDiff = max(maxDiff, diff)
			hist[(n&1)<<12|diff]++
			n++
		}
	}
	hist2 := hist[4096:]
	hist = hist[:4096]
	med := 0.0
	if n > 0 {
		half := float64(n) / 2
		cum := 0.0
		for k := 0; k <= maxDiff; k++ {
			c := hist[k] + hist2[k]
			if c == 0 {
				continue
			}
			if cum+float64(c) >= half {
				med = medianAt(k, cum, float64(c), half)
				break
			}
			cum += float64(c)
		}
	}
	clear(hist[:maxDiff+1])
	clear(hist2[:maxDiff+1])
	return med
}

// medianAt interpolates the median in bin k of a histogram of integer
// values, which holds c values with cum below it: bin k spans
// [k − 0.5, k + 0.5), except bin 0, [0, 0.5).
func medianAt(k int, cum, c, half float64) float64 {
	lo, wd := float64(k)-0.5, 1.0
	if k == 0 {
		lo, wd = 0, 0.5
	}
	return lo + (half-cum)/c*wd
}
