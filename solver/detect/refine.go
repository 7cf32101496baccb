package detect

// Stage 5: refinement of each candidate at full resolution. refineAt runs
// the stages in order; each may reject the candidate:
//
//	findSeed      the brightest unclaimed pixel of the box (seed.go)
//	boxPreTest    a cheap 3×3 significance test (seed.go)
//	localSky      background and noise from the ring around it, and the
//	              pre-test again when the ring's noise replaced the frame's
//	              (seed.go; the three in one arm64 kernel: seedfast.go)
//	hotPixel      a spike or small cluster without PSF wings (hotpixel.go)
//	centroid      the Gaussian-windowed centroid and the matched-filter
//	              statistic, compared with Sigma (centroid.go)
//	lineThrough   a fragment of a faint trail (trail.go, trailedge.go),
//	              before the fill, which on a trail costs more
//	fillBlob      the connected blob: flank of a brighter star, extended
//	              object (blob.go, flood.go)
//	elongated     a bright trail (blob.go)
//	apertureSum   the brightness (aperture.go)
//
// The stages are methods of frame, share the seed (the pixel, its
// background and noise) and the centroid's window, and claim pixels in
// d.claimBits as they go (claims.go).

// frame is what the refinement stages read: the detector and the frame's
// pixels with their row stride (one pointer to pass instead of five words:
// the stages run once per candidate), and the current candidate's seed and
// window, kept here rather than in refineAt so that they are not zeroed
// for every candidate (loadWindow clears a window clipped by the edge).
type frame[T uint8 | uint16] struct {
	d      *Detector
	pix    []T
	stride int
	seed   seed
	win    window
}

// scan walks the candidate image and refines each candidate.
func scan[T uint8 | uint16](d *Detector, pix []T, stride int) {
	d.findCands()
	scanRefine(d, pix, stride)
}

// scanRefine refines the candidates found by findCands.
func scanRefine[T uint8 | uint16](d *Detector, pix []T, stride int) {
	// Brightest first, so a bright star claims its pixels before the flood
	// fill of a faint neighbour can reach them.
	// Keys order by box sum, descending, then in scan order.
	d.sortCands()
	f := &frame[T]{d: d, pix: pix, stride: stride}
	for _, c := range d.candidates {
		f.refine(int(c>>15&0x7FFF), int(c>>30&0x7FFF))
	}
}

// refine examines a candidate at full resolution and appends a star.
func (f *frame[T]) refine(cx, cy int) {
	// A hot pixel next to a star can be the brightest pixel of the box:
	// reject it and look again.
	for try := 0; try < 3; try++ {
		if !f.refineAt(cx, cy) {
			return
		}
	}
}

// refineAt examines the brightest unclaimed pixel of box (cx, cy) and
// appends a star when it passes every stage; it returns true when that
// pixel was a hot pixel and the box should be examined again.
func (f *frame[T]) refineAt(cx, cy int) (again bool) {
	d, s, win := f.d, &f.seed, &f.win
	// The seed chain, up to the second boxPreTest: one kernel where it
	// applies (seedfast.go), else the Go stages.
	if st := f.seedFast(cx, cy); st == seedPortable {
		if !f.findSeed(cx, cy, s) || !f.boxPreTest(s) {
			return false
		}
		n0 := s.noise
		if !f.localSky(s) {
			return false
		}
		// With the ring's noise (glare, lit foliage) the pre-test is
		// taken again, as the significance test will see the seed: most
		// bumps on a lit tree end here rather than in the centroid.
		if s.noise != n0 && !f.boxPreTest(s) {
			return false
		}
	} else if st != seedPass {
		if traceReject != nil {
			seedRejected(s, st)
		}
		return false
	}
	if f.hotPixel(s) {
		return true // its pixels are claimed now; the box's next brightest may be a star
	}
	x, y, weighted, ok := f.centroid(s, win)
	if !ok {
		return false
	}
	// Only faint candidates can be fragments of a trail: a trail bright
	// enough (cross-section above ~8σ) stays connected above the blob
	// level and fails the elongation test instead. The test comes before
	// the blob's fill, which on a trail or lit foliage costs more.
	if s.excess < 10*s.noise {
		if lineThrough(d, f.pix, f.stride, s.x, s.y, s.excess) {
			// Only the core is claimed: the fragment's blob would be as
			// long as the trail (or the lit branch), and filling it cost
			// more than the test that rejected it.
			trace(s.x, s.y, "line")
			d.claimCore(s.x, s.y)
			return false // a fragment of a satellite or aircraft trail
		}
	}
	var b blob
	if !f.fillBlob(s, win, &b) {
		return false
	}
	// Stamp the 3×3 core too, so faint stars are not found twice.
	d.claimCore(s.x, s.y)
	if b.elongated(d.opts.MaxElongation) {
		trace(s.x, s.y, "elongated")
		return false // a trail
	}
	saturated := b.peak >= d.saturation
	if m0 := b.mom.m0; (saturated || b.area > 25) && m0 > 0 {
		// A flat or wide top: the blob's first moment is the better centre.
		// (A square aperture around it was tried: neighbours and noise make
		// it worse.)
		x, y = b.mom.mx/m0, b.mom.my/m0
	}
	brightness := f.apertureSum(x, y, b.area, s.bg)
	// A faint star's aperture sum is noisy and can even be negative; the
	// weighted sum passed the significance test, so it is positive. The
	// larger keeps every brightness positive, which finish's sort keys need.
	d.stars = append(d.stars, Star{X: x, Y: y, Brightness: max(brightness, weighted), Peak: b.peak, Saturated: saturated})
	return false
}

// pixelValue is pixel (x, y), or bg for a hot pixel found earlier in this
// frame: a hot pixel carries no light from the sky, so the stages that sum
// light see the background there instead.
func pixelValue[T uint8 | uint16](d *Detector, pix []T, stride, x, y int, bg float64) float64 {
	if d.hotCount > 0 && d.hotRowMark[y] == d.frameGen && d.isHot(y*d.width+x) {
		return bg
	}
	return float64(pix[y*stride+x])
}

// traceReject, when set by this package's tests, is told why a candidate
// was dropped. It is never set in production code.
var traceReject func(x, y int, why string)

func trace(x, y int, why string) {
	if traceReject != nil {
		traceReject(x, y, why)
	}
}
