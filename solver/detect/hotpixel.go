package detect

import (
	"fmt"
	"math"
)

// Hot pixels: a spike with no PSF wings. A star's edge neighbours carry
// ≥ 30% of its peak even at FWHM 1.5 px. The reference level is the ring
// two pixels out, so a hot pixel on glare or on a gradient is still
// recognised. Hot pixels found are claimed and marked in d.hotBits, and
// pixelValue reads them as background from then on.

// hotPixel reports whether the seed is a hot pixel (a lone spike) or the
// top of a cluster of up to three, and if so claims and marks them.
func (f *frame[T]) hotPixel(s *seed) bool {
	if d := f.d; !(s.x >= 2 && s.y >= 2 && s.x < d.width-2 && s.y < d.height-2) {
		return false
	}
	// The 5×5 pixels around the seed, as integers: their sums are exact, so
	// they equal the float sums in any order. Needed: the sum of the 16
	// border pixels, the inner 3×3's maximum, its centre (c4) and edge
	// cells (c1, c3, c5, c7; cell k of the 3×3 is row k/3, column k%3).
	var ring, inMax, c1, c3, c4, c5, c7 int
	i0 := (s.y-2)*f.stride + s.x - 2
	if h, ok := hotStatsSIMD(f.pix, i0, f.stride); ok {
		ring, inMax = int(h&0xFFFF), int(h>>16&0xFF)
		c1, c3, c4, c5, c7 = int(h>>24&0xFF), int(h>>32&0xFF), int(h>>40&0xFF), int(h>>48&0xFF), int(h>>56)
	} else {
		pix, stride := f.pix, f.stride
		var p [25]int
		for j := range 5 {
			r := (*[5]T)(pix[i0+j*stride:])
			p[5*j], p[5*j+1], p[5*j+2], p[5*j+3], p[5*j+4] = int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])
		}
		ring = p[0] + p[1] + p[2] + p[3] + p[4] + p[20] + p[21] + p[22] + p[23] + p[24] +
			p[5] + p[10] + p[15] + p[9] + p[14] + p[19]
		inMax = max(p[6], p[7], p[8], p[11], p[12], p[13], p[16], p[17], p[18])
		c1, c3, c4, c5, c7 = p[7], p[11], p[12], p[13], p[17]
	}
	// Read only now: kept across the call above, they would be spilled to
	// the stack and back on every seed, most of which leave just below.
	d, pix, stride := f.d, f.pix, f.stride
	px, py := s.x, s.y
	sig := s.noise
	r2 := float64(ring) / 16
	// Excess of the 3×3 over the ring; x − r2 is monotonic in x, so the
	// largest excess is the largest pixel's.
	emax := float64(inMax) - r2
	e4 := float64(c4) - r2
	// The cluster test needs a bright top pixel to be decisive, and a
	// spike too faint to pass the matched filter on its own (Sigma·1.5σ
	// for a lone pixel) needs no test: testing it would risk a faint
	// star. Most seeds fail both, so these come first, and those seeds
	// are rejected before anything else is computed.
	bright := emax > 15*sig
	strong := e4 > 1.35*d.opts.Sigma*sig
	if !bright && !strong {
		return false
	}
	// Lone spike: the edge neighbours average under 15% of the peak
	// (a star gives ≥ 30% even at FWHM 1.5 px) and none reaches 45%
	// (so a noise-boosted pixel of a faint star is not taken for one).
	single := false
	if strong {
		e1, e3, e5, e7 := float64(c1)-r2, float64(c3)-r2, float64(c5)-r2, float64(c7)-r2
		n4 := (e1 + e3 + e5 + e7) / 4
		m4 := float64(max(c1, c3, c5, c7)) - r2
		single = n4 < 0.15*e4 && m4 < 0.45*e4
	}
	if !bright && !single {
		return false
	}
	// A star spreads ≥ 30% of its 3×3 light outside its three
	// brightest pixels, even at FWHM 1.5 px; one to three hot pixels
	// (a cluster) leave only noise there.
	var e [9]float64 // the 3×3 excesses, cell k at row k/3, column k%3
	tot := 0.0
	// The three largest excesses, m1 ≥ m2 ≥ m3, by a min/max network
	// (no data-dependent branches), row by row (cell k in order).
	m1, m2, m3 := math.Inf(-1), math.Inf(-1), math.Inf(-1)
	for j := range 3 {
		r := (*[3]T)(pix[(py-1+j)*stride+px-1:])
		for c := range r {
			x := float64(r[c]) - r2
			e[3*j+c] = x
			tot += x
			x, m1 = min(x, m1), max(x, m1)
			x, m2 = min(x, m2), max(x, m2)
			m3 = max(x, m3)
		}
	}
	// Only a bright top pixel can make a cluster.
	t3 := m1 + m2 + m3
	cluster := bright && tot-t3 < 0.2*t3
	if !single && !cluster {
		return false
	}
	d.markHot(px, py, &e)
	if traceReject != nil {
		trace(px, py, fmt.Sprintf("hot %v %v e=%.0f r2=%.1f", single, cluster, e, r2))
	}
	return true
}

// markHot claims and marks as hot the pixels of the 3×3 around (px, py)
// among its three largest excesses e that reach 30% of the largest: the
// spike, or the cluster's pixels.
func (d *Detector) markHot(px, py int, e *[9]float64) {
	w := d.width
	top := top3(e)
	for _, k := range top {
		if e[k] > 0.3*e[top[0]] {
			j := (py+k/3-1)*w + px + k%3 - 1
			d.claim(j)
			d.hotBits[j>>6] |= 1 << (j & 63)
			d.hotRowMark[j/w] = d.frameGen
			d.hotCount++
		}
	}
}

// top3 returns the indices of the three largest values of e, largest
// first (ties to the lower index).
func top3(e *[9]float64) (top [3]int) {
	for t := range top {
		best := -1
		for k := range e {
			if (t < 1 || k != top[0]) && (t < 2 || k != top[1]) && (best < 0 || e[k] > e[best]) {
				best = k
			}
		}
		top[t] = best
	}
	return top
}
