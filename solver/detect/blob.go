package detect

import (
	"math"
	"math/bits"
)

// blob is a star's connected region: the 8-connected pixels around the
// seed above max(2.5σ, 25% of the seed's excess) over the background.
type blob struct {
	area int
	peak float64 // the brightest raw value in it
	mom  moments
}

// fillBlob grows and claims the seed's blob. It rejects, releasing the
// pixels again, a blob that rises to a brighter star (the seed is on that
// star's flank, and the brighter one owns it) and one of more than
// MaxBlobArea pixels (glare, lit foliage, a street light).
func (f *frame[T]) fillBlob(s *seed, win *window, b *blob) bool {
	d, px, py, w := f.d, s.x, s.y, f.d.width
	level := s.bg + max(2.5*s.noise, 0.25*s.excess)
	rise := float64(s.value) + 3*s.noise // a brighter star's level
	b.peak = float64(s.value)
	d.blobRuns = d.blobRuns[:0]
	d.claim(py*w + px)
	// The core's blob has at most 25 pixels, so it needs no area limit
	// when MaxBlobArea allows 25.
	var brighter bool
	if win.covers7x7(px, py) && d.opts.MaxBlobArea >= 25 && borderBelow(&win.cells, level-s.bg) {
		brighter = fillBlobCore(d, s, win, level, rise, b)
	} else {
		brighter = f.fillBlobFlood(s, level, rise, b)
	}
	if brighter {
		d.releaseRuns()
		trace(px, py, "flank")
		return false
	}
	if b.area > d.opts.MaxBlobArea {
		// Release the pixels: with a misjudged background the fill can
		// spill into the sky, and stars there must stay findable.
		d.releaseRuns()
		trace(px, py, "extended")
		return false
	}
	return true
}

// fillBlobCore grows the blob when it cannot leave the 5×5 core of the
// window (the window's border is below the level): as a bit set over the
// 7×7 cells (cell j·7+k), from the window values and the claim bits of the
// window's rows. Cells of the core shift to neighbours in the same or the
// next row only, so no column masks are needed; the border cells are not
// free. It reports whether the blob rises to a brighter star (its pixels
// are then released already).
func fillBlobCore(d *Detector, s *seed, win *window, level, rise float64, b *blob) (brighter bool) {
	w, x0, y0, bg := d.width, win.x0, win.y0, s.bg
	var free uint64
	for j := 1; j < 6; j++ {
		r := (*[8]float64)(win.cells[8*j:])
		f := uint64(b2i(r[1]+bg > level)<<1 | b2i(r[2]+bg > level)<<2 | b2i(r[3]+bg > level)<<3 |
			b2i(r[4]+bg > level)<<4 | b2i(r[5]+bg > level)<<5)
		jj := (y0+j)*w + x0
		sh := uint(jj & 63)
		cl := d.claimBits[jj>>6]>>sh | d.claimBits[jj>>6+1]<<(64-sh) // << 64 is 0
		free |= (f &^ cl) << uint(7*j)
	}
	region := uint64(1) << 24 // the seed, already claimed
	for {
		g := region | region<<1 | region>>1 | region<<6 | region>>6 |
			region<<7 | region>>7 | region<<8 | region>>8
		g = g&free | region
		if g == region {
			break
		}
		region = g
	}
	// Walk the region row by row (cells in increasing order, as the
	// moments were always summed), claiming each row's cells at once;
	// the border rows hold none. On the flank of a brighter star they
	// are released below from the same bits, so d.blobPixels is not needed.
	area, peak := b.area, b.peak
	xf := float64(x0) + 0.5
	for j := 1; j < 6; j++ {
		rb := region >> uint(7*j) & 0x7F
		d.stampBits((y0+j)*w+x0, rb)
		yq := float64(y0+j) + 0.5
		wr := (*[8]float64)(win.cells[8*j:])
		for ; rb != 0; rb &= rb - 1 {
			k := bits.TrailingZeros64(rb)
			q := wr[k&7]
			v := q + bg
			area++
			if v > peak { // no NaN here: the same as max
				peak = v
			}
			b.mom.add(q, xf+float64(k), yq)
			if v > rise {
				brighter = true
			}
		}
	}
	b.area, b.peak = area, peak
	if brighter {
		for j := range 7 {
			d.unstampBits((y0+j)*w+x0, region>>uint(7*j)&0x7F)
		}
	}
	return brighter
}

// elongated reports whether the blob is a trail: the axis ratio of its
// second moments exceeds maxElong. Blobs under 6 pixels are too small for
// the moments to tell.
func (b *blob) elongated(maxElong float64) bool {
	mom := &b.mom
	m0 := mom.m0
	if !(b.area >= 6 && m0 > 0) {
		return false
	}
	ux, uy := mom.mx/m0, mom.my/m0
	vxx, vyy, vxy := mom.mxx/m0-ux*ux, mom.myy/m0-uy*uy, mom.mxy/m0-ux*uy
	tr, det := vxx+vyy, vxx*vyy-vxy*vxy
	disc := math.Sqrt(max(tr*tr/4-det, 0))
	l1, l2 := tr/2+disc, tr/2-disc
	e2 := maxElong * maxElong
	return l2 <= 1e-9 || l1/l2 > e2
}

// moments accumulates a blob's background-subtracted sum and its first and
// second moments about the frame origin.
type moments struct{ m0, mx, my, mxx, myy, mxy float64 }

func (m *moments) add(q, x, y float64) {
	m.m0 += q
	m.mx += q * x
	m.my += q * y
	m.mxx += q * x * x
	m.myy += q * y * y
	m.mxy += q * x * y
}

// borderBelow reports whether every cell on the edge of the 7×7 window is
// at most lvl.
func borderBelow(win *[56]float64, lvl float64) bool {
	for k := range 7 {
		if win[k] > lvl || win[48+k] > lvl || win[8*k] > lvl || win[8*k+6] > lvl {
			return false
		}
	}
	return true
}
