package detect

// Claims: one bit per pixel (d.claimBits) for the pixels that a star, a
// rejected trail's core or a hot pixel has taken in this frame, so that a
// later (fainter) candidate neither starts from them nor grows its blob
// into them. Hot pixels also have a bit of their own (d.hotBits), with
// their rows marked in d.hotRowMark, so the common case of a row without
// any costs one compare.

// stampBits claims the pixels j, j+1, … for the set bits of m (at most 7).
func (d *Detector) stampBits(j int, m uint64) {
	sh := uint(j & 63)
	d.claimBits[j>>6] |= m << sh
	d.claimBits[j>>6+1] |= m >> (64 - sh) // 0 unless the bits cross the word
}

// unstampBits releases the pixels j, j+1, … for the set bits of m.
func (d *Detector) unstampBits(j int, m uint64) {
	sh := uint(j & 63)
	d.claimBits[j>>6] &^= m << sh
	d.claimBits[j>>6+1] &^= m >> (64 - sh)
}

// claimCore claims the 3×3 pixels around (px, py).
func (d *Detector) claimCore(px, py int) {
	for y := py - 1; y <= py+1; y++ {
		d.stampBits(y*d.width+px-1, 7)
	}
}

func (d *Detector) claimed(j int) bool { return d.claimBits[j>>6]>>(j&63)&1 != 0 }
func (d *Detector) claim(j int)        { d.claimBits[j>>6] |= 1 << (j & 63) }
func (d *Detector) release(j int)      { d.claimBits[j>>6] &^= 1 << (j & 63) }
func (d *Detector) isHot(j int) bool   { return d.hotBits[j>>6]>>(j&63)&1 != 0 }

// hotRows reports whether a row in [y0, y1] holds a hot pixel of this frame.
func (d *Detector) hotRows(y0, y1 int) bool {
	for _, g := range d.hotRowMark[y0 : y1+1] {
		if g == d.frameGen {
			return true
		}
	}
	return false
}
