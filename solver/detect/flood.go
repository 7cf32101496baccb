package detect

import (
	"math"
	"math/bits"
)

// The blob's flood fill beyond the 7×7 core (fillBlobCore): the pixels
// 8-connected to the seed that are free (not claimed) and above the level.
// It runs on row bit masks of a 64-pixel-wide band of columns around the
// seed: each row's free pixels above the level are one word (aboveMask,
// a vector kernel where there is one), and the blob grows by whole runs
// of a row at once (fillRuns), sweeping down and up until it stops. A
// blob that reaches the side of the band (a trail, glare, a frame
// narrower than 64 px) is filled run by run instead (fillBlobSpans).
// Either way the blob's moments are summed as exact integers (blobSums),
// so they are the same bits whichever fill found the pixels, in whatever
// order.

// floodWidth is the width of fillBlobMask's band of columns, and
// floodBatch the rows it prepares at a time beyond those it has.
const (
	floodWidth = 64
	floodBatch = 6
)

// fillSpan is a segment of row y, columns l to r, that fillBlobSpans still
// has to scan for pixels of the blob.
type fillSpan struct{ y, l, r int32 }

// pixelRun is n claimed pixels from pixel index j (y·width + x) on.
type pixelRun struct{ j, n int32 }

// floodRow is fillBlobMask's state of one frame row: the free pixels
// above the level and the blob's pixels in the band.
type floodRow struct{ free, blob uint64 }

// blobSums are a blob's pixel count and sums over its pixels (x, y) of
// value v: Σx, Σy, Σx², Σy², Σxy and Σv, Σv·x, Σv·y, Σv·x², Σv·y², Σv·x·y,
// all exact in integers (values below 2^16, coordinates below 2^15, at
// most MaxBlobArea pixels), and the largest v.
type blobSums struct {
	n, sx, sy, sxx, syy, sxy      int
	v, vx, vy, vxx, vyy, vxy, top int
}

// addRow adds the pixels of one row y whose columns and values have sums
// n, Σx, Σx² and Σv, Σv·x, Σv·x² (and largest value top).
func (t *blobSums) addRow(y, n, sx, sxx, v, vx, vxx, top int) {
	t.n += n
	t.sx += sx
	t.sxx += sxx
	t.sy += y * n
	t.syy += y * y * n
	t.sxy += y * sx
	t.v += v
	t.vx += vx
	t.vxx += vxx
	t.vy += y * v
	t.vyy += y * y * v
	t.vxy += y * vx
	t.top = max(t.top, top)
}

// moments returns the moments of v − bg about the frame origin, with the
// pixel centres at (x + 0.5, y + 0.5): Σ(v − bg)·X = Σv·x + Σv/2 −
// bg·(Σx + n/2), Σ(v − bg)·X² = Σv·x² + Σv·x + Σv/4 − bg·(Σx² + Σx + n/4),
// Σ(v − bg)·X·Y = Σv·x·y + (Σv·x + Σv·y)/2 + Σv/4 − bg·(Σxy + (Σx + Σy)/2
// + n/4), and likewise for y.
func (t *blobSums) moments(bg float64) moments {
	f := func(i int) float64 { return float64(i) }
	n, v := f(t.n), f(t.v)
	return moments{
		m0:  v - bg*n,
		mx:  f(t.vx) + v/2 - bg*(f(t.sx)+n/2),
		my:  f(t.vy) + v/2 - bg*(f(t.sy)+n/2),
		mxx: f(t.vxx) + f(t.vx) + v/4 - bg*(f(t.sxx)+f(t.sx)+n/4),
		myy: f(t.vyy) + f(t.vy) + v/4 - bg*(f(t.syy)+f(t.sy)+n/4),
		mxy: f(t.vxy) + (f(t.vx)+f(t.vy))/2 + v/4 - bg*(f(t.sxy)+(f(t.sx)+f(t.sy))/2+n/4),
	}
}

// releaseRuns releases the pixels of d.blobRuns.
func (d *Detector) releaseRuns() {
	for _, r := range d.blobRuns {
		for j := r.j; j < r.j+r.n; j++ {
			d.release(int(j))
		}
	}
}

// fillBlobFlood grows the blob from the seed (claimed, and in the blob
// whatever its value) and claims it. It stops early when the blob has more
// than MaxBlobArea pixels (b.area is then above it), and reports brighter
// when it has a pixel above rise: either rejects the blob, and d.blobRuns
// then lists the pixels to release.
func (f *frame[T]) fillBlobFlood(s *seed, level, rise float64, b *blob) (brighter bool) {
	d := f.d
	// Pixels are integers (hot pixels are claimed, so never read here):
	// v > level exactly when v > ⌊level⌋.
	lv, rv := floorClamp(level), floorClamp(rise)
	var t blobSums
	status := floodEscaped
	if floodMasks && useSIMD && d.width >= floodWidth {
		status = f.fillBlobMask(s, lv, rv, &t)
	}
	if status == floodEscaped {
		t = blobSums{}
		status = f.fillBlobSpans(s, lv, rv, &t)
	}
	b.area = t.n
	if status != floodDone {
		return status == floodBrighter
	}
	b.peak = max(b.peak, float64(t.top))
	b.mom = t.moments(s.bg)
	return false
}

// floodStatus is how a fill ended.
type floodStatus int

const (
	floodDone     floodStatus = iota // the blob is whole, claimed and summed
	floodLarge                       // more than MaxBlobArea pixels
	floodBrighter                    // a pixel above rise
	floodEscaped                     // fillBlobMask: the blob reaches a side of the band
)

// fillBlobMask is the fill on row masks of the band of floodWidth columns
// centred on the seed as far as the frame allows. It claims nothing until
// the blob is known to pass (so d.blobRuns lists only the seed), and
// reports floodEscaped, with t undefined, when the blob reaches a side of
// the band inside the frame.
func (f *frame[T]) fillBlobMask(s *seed, lv, rv int, t *blobSums) floodStatus {
	d, pix, stride := f.d, f.pix, f.stride
	w, h := d.width, d.height
	x0 := min(max(s.x-floodWidth/2, 0), w-floodWidth)
	d.blobRuns = append(d.blobRuns[:0], pixelRun{int32(s.y*w + s.x), 1})
	// Columns where the blob leaves the band: bit 0 unless the band starts
	// at the frame's left edge, bit 63 unless it ends at the right.
	var sides uint64
	if x0 > 0 {
		sides |= 1
	}
	if x0+floodWidth < w {
		sides |= 1 << 63
	}
	rows := d.floodRows[:h]
	// Rows ra … rb have their free pixels (and blob pixels, none yet):
	// always the blob's rows and the one past each end, grown a batch at
	// a time out of the sweeps' loop.
	ra, rb := f.floodRowsInit(rows, x0, lv, max(s.y-floodBatch, 0), min(s.y+floodBatch, h-1))
	seedBit := uint64(1) << uint(s.x-x0)
	rows[s.y].free |= seedBit // claimed by fillBlob, but part of the blob
	rows[s.y].blob = seedBit
	ya, yb := s.y, s.y // the rows with blob pixels
	area, limit := 1, d.opts.MaxBlobArea
	for {
		upGrown := false
		// A row gains the free pixels of its runs that touch the blob in
		// it or in the rows next to it; down the rows, then up. The sweeps
		// reach one row past the blob's ends as they move them.
		for pass := 0; pass < 2; pass++ {
			y, step := max(ya-1, 0), 1
			if pass == 1 {
				y, step = min(yb+1, h-1), -1
			}
			for ; y >= 0 && y < h && y >= ya-1 && y <= yb+1; y += step {
				if y-1 < ra && ra > 0 {
					ra, _ = f.floodRowsInit(rows, x0, lv, max(ra-floodBatch, 0), ra-1)
				}
				if y+1 > rb && rb < h-1 {
					_, rb = f.floodRowsInit(rows, x0, lv, rb+1, min(rb+floodBatch, h-1))
				}
				r := &rows[y]
				near := r.blob
				if y > 0 {
					near |= rows[y-1].blob
				}
				if y+1 < h {
					near |= rows[y+1].blob
				}
				near = (near | near<<1 | near>>1) & r.free
				if nb := fillRuns(r.free, near); nb != r.blob {
					if nb&sides != 0 {
						return floodEscaped
					}
					area += bits.OnesCount64(nb) - bits.OnesCount64(r.blob)
					if area > limit {
						t.n = area
						return floodLarge
					}
					r.blob = nb
					upGrown = pass == 1
					ya, yb = min(ya, y), max(yb, y)
				}
			}
		}
		// An up sweep that changes nothing leaves every row as its
		// neighbours make it: the blob is whole.
		if !upGrown {
			break
		}
	}
	for y := ya; y <= yb; y++ {
		src := pix[y*stride+x0 : y*stride+x0+floodWidth]
		var n, sx, sxx, v, vx, vxx, top int
		for m := rows[y].blob; m != 0; m &= m - 1 {
			k := bits.TrailingZeros64(m)
			x, vi := x0+k, int(src[k])
			n++
			sx += x
			sxx += x * x
			v += vi
			vx += vi * x
			vxx += vi * x * x
			top = max(top, vi)
		}
		t.addRow(y, n, sx, sxx, v, vx, vxx, top)
	}
	if t.n > limit {
		return floodLarge
	}
	if t.top > rv {
		return floodBrighter
	}
	for y := ya; y <= yb; y++ {
		j := y*w + x0
		sh := uint(j & 63)
		m := rows[y].blob
		d.claimBits[j>>6] |= m << sh
		d.claimBits[j>>6+1] |= m >> 1 >> (63 - sh) // 0 when sh is 0
	}
	return floodDone
}

// floodRowsInit prepares rows y0 … y1 for fillBlobMask (free pixels of
// the band from column x0 above lv, no blob pixels) and returns them. Out
// of line, so that the sweeps keep their values in registers.
//
//go:noinline
func (f *frame[T]) floodRowsInit(rows []floodRow, x0, lv, y0, y1 int) (int, int) {
	d, pix, stride, w := f.d, f.pix, f.stride, f.d.width
	for y := y0; y <= y1; y++ {
		j := y*w + x0
		sh := uint(j & 63)
		cl := d.claimBits[j>>6]>>sh | d.claimBits[j>>6+1]<<(64-sh) // << 64 is 0
		rows[y] = floodRow{free: aboveMask(pix[y*stride+x0:y*stride+x0+floodWidth], lv) &^ cl}
	}
	return y0, y1
}

// fillRuns returns the runs of set bits of free that hold a bit of seeds
// (seeds ⊆ free): adding seeds to free carries each seed up to the top of
// its run, which clears the bits it passes (free + seeds) and marks them;
// the same on the reversed words carries them down.
func fillRuns(free, seeds uint64) uint64 {
	up := free&^(free+seeds) | seeds
	rf, rs := bits.Reverse64(free), bits.Reverse64(seeds)
	down := bits.Reverse64(rf&^(rf+rs) | rs)
	return up | down
}

// aboveMask returns bit k set for each of the floodWidth pixels of p above
// lv.
func aboveMask[T uint8 | uint16](p []T, lv int) uint64 {
	p = p[:floodWidth]
	if m, ok := aboveMaskSIMD(p, lv); ok {
		return m
	}
	var m uint64
	for k, v := range p {
		m |= uint64(b2i(int(v) > lv)) << uint(k)
	}
	return m
}

// fillBlobSpans fills the blob run by run: a run is extended left and
// right over the free pixels above the level, and the row segments above
// and below it, one pixel wider on each side (8-connected), are scanned
// for the next runs. It claims the pixels as it goes, lists them in
// d.blobRuns and sums them into t; it stops at more than MaxBlobArea
// pixels or at one above rv.
func (f *frame[T]) fillBlobSpans(s *seed, lv, rv int, t *blobSums) floodStatus {
	d, pix, stride := f.d, f.pix, f.stride
	w, h := d.width, d.height
	limit := d.opts.MaxBlobArea
	claims := d.claimBits
	spans, runs := d.fillSpans[:0], d.blobRuns[:0]
	x, y := s.x, s.y
	for {
		// Grow the run through (x, y), claimed already, to [a, b].
		row := pix[y*stride : y*stride+w]
		jr := y * w
		a, b := x, x
		for a > 0 {
			j := jr + a - 1
			if claims[j>>6]>>(j&63)&1 != 0 || int(row[a-1]) <= lv {
				break
			}
			claims[j>>6] |= 1 << (j & 63)
			a--
		}
		for b < w-1 {
			j := jr + b + 1
			if claims[j>>6]>>(j&63)&1 != 0 || int(row[b+1]) <= lv {
				break
			}
			claims[j>>6] |= 1 << (j & 63)
			b++
		}
		runs = append(runs, pixelRun{int32(jr + a), int32(b - a + 1)})
		var sx, sxx, v, vx, vxx, top int
		for k := a; k <= b; k++ {
			vi := int(row[k])
			sx += k
			sxx += k * k
			v += vi
			vx += vi * k
			vxx += vi * k * k
			top = max(top, vi)
		}
		t.addRow(y, b-a+1, sx, sxx, v, vx, vxx, top)
		if t.n > limit || top > rv {
			d.fillSpans, d.blobRuns = spans, runs
			if t.n > limit {
				return floodLarge
			}
			return floodBrighter
		}
		l, r := int32(max(a-1, 0)), int32(min(b+1, w-1))
		if y+1 < h {
			spans = append(spans, fillSpan{int32(y + 1), l, r})
		}
		if y > 0 {
			spans = append(spans, fillSpan{int32(y - 1), l, r})
		}
		// The next run: the first free pixel above the level in the
		// segments still to scan.
		found := false
		for len(spans) > 0 && !found {
			sp := &spans[len(spans)-1]
			sy := int(sp.y)
			srow := pix[sy*stride : sy*stride+w]
			js := sy * w
			for xs := int(sp.l); xs <= int(sp.r); xs++ {
				j := js + xs
				if claims[j>>6]>>(j&63)&1 != 0 || int(srow[xs]) <= lv {
					continue
				}
				claims[j>>6] |= 1 << (j & 63)
				x, y, found = xs, sy, true
				// The segment's rest is scanned later, from xs+1: the run
				// through xs is claimed by then, and skipped at once.
				sp.l = int32(xs + 1)
				break
			}
			if !found {
				spans = spans[:len(spans)-1]
			}
		}
		if !found {
			break
		}
	}
	d.fillSpans, d.blobRuns = spans, runs
	return floodDone
}

// floorClamp is ⌊v⌋ clamped to ±2^30, for comparing integer pixel values
// with a level.
func floorClamp(v float64) int {
	return int(math.Floor(max(min(v, 1<<30), -(1 << 30))))
}
