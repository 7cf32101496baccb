package detect

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"math"
	"math/bits"
	"slices"
)

// Options tune the detector.
type Options struct {
	// Sigma is the detection threshold on the matched-filter statistic: the
	// Gaussian-weighted (FWHMPx), background-subtracted sum around the
	// centroid divided by its noise. For a star of aperture SNR s (see
	// render.TrueStar) the statistic is about 1.1·s for FWHM 1.5-2.5 px.
	// 8 (PiFinder's cedar-detect setting) keeps the noise-only false-alarm
	// rate negligible; 5 reaches stars of SNR ≈ 5 at about one false
	// detection per hundred 512×512 frames.
	Sigma float64
	// Binning is 2 (candidate search on 2×2 bins, the fast default) or 1
	// (search on 2×2 box sums at every pixel: slower, slightly more sensitive).
	// Centroids are always computed at full resolution.
	Binning int
	// MaxStars caps the output (brightest kept); 0 means no cap.
	MaxStars int
	// FWHMPx is the expected PSF width, used for the matched filter and the
	// centroid window. 2 suits PiFinder frames; the result is not sensitive
	// to it within a factor of about 1.5.
	FWHMPx float64
	// MaxElongation rejects blobs whose major/minor axis ratio exceeds it
	// (satellite and aircraft trails). Stars trailed by a few pixels pass.
	MaxElongation float64
	// MaxBlobArea rejects connected blobs (above max(2.5σ, 25% of the peak)
	// over the background) with more pixels than this: glare, lit trees,
	// streetlights. Saturated stars are far smaller.
	MaxBlobArea int
	// SaturationLevel is the pixel value counted as saturated; 0 means the
	// type's maximum (255 or 65535).
	SaturationLevel float64
}

// DefaultOptions: Sigma 8, Binning 2, FWHM 2 px, MaxElongation 4,
// MaxBlobArea 300 px, no star cap.
func DefaultOptions() Options {
	return Options{Sigma: 8, Binning: 2, FWHMPx: 2, MaxElongation: 4, MaxBlobArea: 300}
}

// Star is one detection. X, Y are pixel coordinates with (0.5, 0.5) the
// centre of the top-left pixel. Brightness is the background-subtracted sum
// in an aperture around the star, Peak the brightest pixel value (raw, not
// background-subtracted), both in the input's units.
type Star struct {
	X, Y, Brightness, Peak float64
	Saturated              bool
}

// Result of one detection. Noise is the per-pixel noise estimate in the
// input's units. Stars are sorted brightest first.
type Result struct {
	Stars         []Star
	Noise         float64
	Width, Height int
}

// ErrInput marks an image the detector cannot read.
var ErrInput = errors.New("detect: bad input")

// Detector holds the reusable buffers of the pipeline.
type Detector struct {
	o Options

	words    []uint64      // candidate image, 4 box sums per word
	wordsBuf []uint64      // words with a word of padding on each side (for the vector loads)
	cmask    []uint32      // candidate lanes of one row, per 16 boxes: bit 2k for box k
	acc      []uint64      // SWAR block accumulators for one band of rows
	rowbuf   []int32       // one row of box sums (noise), word indices (candidates)
	sb       []uint32      // 4×4-box (8×8-pixel at Binning 2) block sums
	sbBG     []float32     // background per block, box-sum units
	thr      []uint64      // per block: 0x7FFF − the candidate threshold, broadcast to 4 lanes
	preK     [7][16]uint16 // the stage-2 pre-test's offsets from t (see setPreK), then 0x7FFF
	tileBG   []float32
	hint     []float64 // tile background interpolated along x, per tile row and block column
	hcol     []hcol    // per block column: the tiles and weight of that interpolation
	hist     []uint32  // two 4096-bin histograms of box-sum differences
	stamp    []uint64  // pixels claimed in this frame, one bit each
	hot      []uint64  // hot pixels found in this frame, one bit each
	hotRow   []uint32  // rows holding a hot pixel of this frame (== gen)
	gen      uint32
	tStat    []uint32  // per tile of a tile row: sums, minima, maxima of its block sums
	tMean    []float64 // per tile of a tile row: tileMeansSIMD's means
	nHot     int       // pixels marked hot in this frame
	stack    []int32
	cands    []cand
	candTmp  []cand   // sortCands' other buffer
	candCnt  []uint32 // sortCands' counts
	blob     []int32
	stars    []Star
	keys     []uint64 // finish's sort keys
	diffs    []uint16 // noiseMedianSIMD's box-sum differences
	sorted   []Star   // finish's copy of the stars
	grid     []int32  // dedup: first kept star per cell, −1 when none
	gnext    []int32  // dedup: next kept star in the same cell
	work16   []uint16
	gray     *image.Gray

	line lineTable // lineThrough's sample offsets for the current stride

	// geometry of the current frame
	w, h, s      int     // full-res size, box stride
	cw, ch, ww   int     // candidate image size and words per row
	sbw, sbh     int     // blocks
	tsb          int     // blocks per tile side
	tw, th       int     // tiles
	invS, invTB  float64 // bgPix: 1/s and 1/(4·tsb)
	twMax, thMax float64 // bgPix: the last tile column and row
	sigC         float64
	sigP         float64
	lowT, quad   float64
	satWork      float64
	wgtSig       float64
	wTab         []wEntry // centroid weights per window phase
	wTabSig      float64  // wgtSig the table was built for
}

// New returns a detector; zero or invalid fields of o take their defaults.
func New(o Options) *Detector {
	d := DefaultOptions()
	if o.Sigma > 0 {
		d.Sigma = o.Sigma
	}
	if o.Binning == 1 || o.Binning == 2 {
		d.Binning = o.Binning
	}
	if o.MaxStars > 0 {
		d.MaxStars = o.MaxStars
	}
	if o.FWHMPx > 0.5 && o.FWHMPx < 20 {
		d.FWHMPx = o.FWHMPx
	}
	if o.MaxElongation > 1 {
		d.MaxElongation = o.MaxElongation
	}
	if o.MaxBlobArea > 0 {
		d.MaxBlobArea = o.MaxBlobArea
	}
	if o.SaturationLevel > 0 {
		d.SaturationLevel = o.SaturationLevel
	}
	return &Detector{o: d, hist: make([]uint32, 8192)}
}

// Options returns the effective options.
func (d *Detector) Options() Options { return d.o }

// Detect finds stars in img. *image.Gray and *image.Gray16 are read
// directly; other image types are converted to 8-bit luma first (which
// allocates). A zero-sized or tiny (< 8 px) image gives an empty result.
func (d *Detector) Detect(img image.Image) (Result, error) {
	switch m := img.(type) {
	case nil:
		return Result{}, fmt.Errorf("%w: nil image", ErrInput)
	case *image.Gray:
		if m == nil {
			return Result{}, fmt.Errorf("%w: nil image", ErrInput)
		}
		r := m.Rect
		if r.Empty() {
			return Result{Width: max(r.Dx(), 0), Height: max(r.Dy(), 0)}, nil
		}
		off := m.PixOffset(r.Min.X, r.Min.Y)
		if off < 0 || off > len(m.Pix) {
			return Result{}, fmt.Errorf("%w: gray image with inconsistent pixel buffer", ErrInput)
		}
		return d.DetectGray(m.Pix[off:], r.Dx(), r.Dy(), m.Stride)
	case *image.Gray16:
		if m == nil {
			return Result{}, fmt.Errorf("%w: nil image", ErrInput)
		}
		return d.detectGray16(m)
	default:
		b := img.Bounds()
		if b.Empty() {
			return Result{Width: max(b.Dx(), 0), Height: max(b.Dy(), 0)}, nil
		}
		if b.Dx() > 1<<15 || b.Dy() > 1<<15 {
			return Result{}, fmt.Errorf("%w: image %dx%d too large", ErrInput, b.Dx(), b.Dy())
		}
		if d.gray == nil || d.gray.Rect != b {
			d.gray = image.NewGray(b)
		}
		draw.Draw(d.gray, b, img, b.Min, draw.Src)
		return d.DetectGray(d.gray.Pix, b.Dx(), b.Dy(), d.gray.Stride)
	}
}

func checkBuf(n, w, h, stride, bpp int) error {
	if w < 0 || h < 0 {
		return fmt.Errorf("%w: negative size %dx%d", ErrInput, w, h)
	}
	if w > 1<<15 || h > 1<<15 {
		return fmt.Errorf("%w: image %dx%d too large", ErrInput, w, h)
	}
	if w == 0 || h == 0 {
		return nil
	}
	if stride < w*bpp || stride > 1<<30 {
		return fmt.Errorf("%w: stride %d < width %d", ErrInput, stride, w*bpp)
	}
	if n < (h-1)*stride+w*bpp {
		return fmt.Errorf("%w: buffer of %d bytes too short for %dx%d stride %d", ErrInput, n, w, h, stride)
	}
	return nil
}

// DetectGray finds stars in an 8-bit frame without copying it: pixel (x, y)
// is pix[y*stride+x].
func (d *Detector) DetectGray(pix []uint8, w, h, stride int) (Result, error) {
	if err := checkBuf(len(pix), w, h, stride, 1); err != nil {
		return Result{}, err
	}
	res := Result{Width: w, Height: h}
	if w < 8 || h < 8 {
		return res, nil
	}
	sat := d.o.SaturationLevel
	if sat == 0 {
		sat = 255
	}
	d.setup(w, h, sat)
	if d.s == 2 {
		d.bin8(pix, stride)
	} else {
		d.box8(pix, stride)
	}
	d.estimate()
	scan(d, pix, stride)
	res.Stars = d.finish()
	res.Noise = d.sigP
	return res, nil
}

// detectGray16 scales the frame to at most 13 bits (so 2×2 sums fit the
// packed lanes) and runs the generic pipeline; outputs are scaled back.
func (d *Detector) detectGray16(m *image.Gray16) (Result, error) {
	r := m.Rect
	w, h := r.Dx(), r.Dy()
	if r.Empty() {
		return Result{Width: max(w, 0), Height: max(h, 0)}, nil
	}
	off := m.PixOffset(r.Min.X, r.Min.Y)
	if off < 0 || off > len(m.Pix) {
		return Result{}, fmt.Errorf("%w: gray16 image with inconsistent pixel buffer", ErrInput)
	}
	pix := m.Pix[off:]
	if err := checkBuf(len(pix), w, h, m.Stride, 2); err != nil {
		return Result{}, err
	}
	res := Result{Width: w, Height: h}
	if w < 8 || h < 8 {
		return res, nil
	}
	if cap(d.work16) < w*h {
		d.work16 = make([]uint16, w*h)
	}
	work := d.work16[:w*h]
	var mx uint16
	for y := 0; y < h; y++ {
		row := pix[y*m.Stride : y*m.Stride+2*w]
		for x := 0; x < w; x++ {
			v := binary.BigEndian.Uint16(row[2*x:])
			work[y*w+x] = v
			mx = max(mx, v)
		}
	}
	shift := max(bits.Len16(mx)-13, 0)
	if shift > 0 {
		for i, v := range work {
			work[i] = v >> shift
		}
	}
	sat := d.o.SaturationLevel
	if sat == 0 {
		sat = 65535
	}
	scale := float64(int(1) << shift)
	d.setup(w, h, math.Floor(sat/scale))
	boxSums(d, work, w)
	d.estimate()
	scan(d, work, w)
	res.Stars = d.finish()
	for i := range res.Stars {
		st := &res.Stars[i]
		st.Brightness *= scale
		st.Peak *= scale
	}
	res.Noise = d.sigP * scale
	return res, nil
}

// setup sizes the buffers for a w×h frame.
func (d *Detector) setup(w, h int, sat float64) {
	d.w, d.h, d.s = w, h, d.o.Binning
	d.satWork = sat
	if d.s == 2 {
		d.cw, d.ch = w/2, h/2
		d.tsb = 4 // tiles of 32×32 pixels
	} else {
		d.cw, d.ch = w-1, h-1
		d.tsb = 8 // tiles of 32×32 pixels
	}
	d.ww = (d.cw + 3) / 4
	d.sbw, d.sbh = d.ww, (d.ch+3)/4
	d.tw, d.th = (d.sbw+d.tsb-1)/d.tsb, (d.sbh+d.tsb-1)/d.tsb
	// bgPix's constants (reciprocals of powers of two: exact).
	d.invS, d.invTB = 1/float64(d.s), 1/float64(4*d.tsb)
	d.twMax, d.thMax = float64(d.tw-1), float64(d.th-1)
	d.wordsBuf = grow(d.wordsBuf, d.ww*d.ch+2)
	d.wordsBuf[0], d.wordsBuf[len(d.wordsBuf)-1] = 0, 0
	d.words = d.wordsBuf[1 : 1+d.ww*d.ch]
	d.cmask = grow(d.cmask, (d.ww+3)/4)
	d.acc = grow(d.acc, d.ww)
	d.rowbuf = grow(d.rowbuf, d.cw)
	d.hist = grow(d.hist, 8192)
	d.sb = grow(d.sb, d.sbw*d.sbh)
	d.sbBG = grow(d.sbBG, d.sbw*d.sbh)
	d.thr = grow(d.thr, d.sbw*d.sbh)
	d.tileBG = grow(d.tileBG, d.tw*d.th)
	d.hint = grow(d.hint, d.th*d.sbw)
	d.tStat = grow(d.tStat, 3*d.tw)
	// Bitmaps (32 KiB each at 512×512) stay in cache during the refinement.
	nb := (w*h + 63) / 64
	// One word of padding: reads of a few bits at j may take the next
	// word whole, without a branch.
	d.stamp = grow(d.stamp, nb+1)
	clear(d.stamp)
	if d.nHot > 0 || len(d.hot) != nb {
		d.hot = grow(d.hot, nb)
		clear(d.hot)
	}
	d.hotRow = grow(d.hotRow, h)
	d.gen++
	if d.gen == 0 { // wrapped: old row marks could collide
		clear(d.hotRow)
		d.gen = 1
	}
	d.stars = d.stars[:0]
	d.cands = d.cands[:0]
	d.nHot = 0
	d.wgtSig = d.o.FWHMPx / (2 * math.Sqrt(2*math.Ln2))
	d.buildWeights()
}

// hcol is a block column's horizontal interpolation between tiles x0 and
// x1 with weight ax on x1.
type hcol struct {
	x0, x1 int
	ax     float64
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

const (
	laneLo = 0x00FF00FF00FF00FF
	laneH  = 0x8000800080008000
	lane1  = 0x0001000100010001
)

// bin8 is the 8-bit Binning 2 fast path: 2×2 sums by SWAR, 8 pixels per
// load, with the 8×8-pixel block sums gathered on the way.
func (d *Detector) bin8(pix []uint8, stride int) {
	ww, ch, cw := d.ww, d.ch, d.cw
	full := cw / 4 // words made of 8 whole source pixels
	// The kernel does the leading words of the whole block rows, with
	// their block sums; the code below does the rest.
	k, kRows := d.bin8SIMD(pix, stride)
	acc := d.acc[:ww]
	clear(acc)
	for cy := 0; cy < ch; cy++ {
		i0 := 0
		if cy < kRows {
			if k == ww {
				continue
			}
			i0 = k
		}
		r0 := pix[2*cy*stride : 2*cy*stride+8*full]
		r1 := pix[(2*cy+1)*stride : (2*cy+1)*stride+8*full]
		out := d.words[cy*ww : (cy+1)*ww]
		pairRows(r0[8*i0:], r1[8*i0:], out[i0:full], acc[i0:full])
		r0 = pix[2*cy*stride:]
		r1 = pix[(2*cy+1)*stride:]
		for i := full; i < ww; i++ {
			var s uint64
			for l := 0; l < 4; l++ {
				cx := 4*i + l
				if cx >= cw {
					break
				}
				v := uint64(r0[2*cx]) + uint64(r0[2*cx+1]) + uint64(r1[2*cx]) + uint64(r1[2*cx+1])
				s |= v << (16 * l)
			}
			out[i] = s
			acc[i] += s
		}
		if cy&3 == 3 || cy == ch-1 {
			row := d.sb[(cy>>2)*d.sbw : (cy>>2+1)*d.sbw]
			row = row[i0:len(acc)]
			for i, a := range acc[i0:] {
				// The four lanes summed in the top one: each is at most
				// 4·1020, so no lane overflows.
				row[i] = uint32((a * lane1) >> 48)
			}
			clear(acc)
		}
	}
}

// box8 is the 8-bit Binning 1 path: 2×2 sums at every pixel by SWAR. One
// 8-byte load per row gives the vertical pair sums of pixels 4i … 4i+7 in
// even (E) and odd (O) lanes; boxes 4i … 4i+3 are E0+O0, O0+E1, E1+O1,
// O1+E2. Words whose load would pass the row end take the generic code.
func (d *Detector) box8(pix []uint8, stride int) {
	ww, ch, cw := d.ww, d.ch, d.cw
	clear(d.sb[:d.sbw*d.sbh])
	fast := min(max((d.w-8)/4+1, 0), ww) // words whose 8-byte load stays in the row
	for cy := 0; cy < ch; cy++ {
		r0 := pix[cy*stride : cy*stride+d.w]
		r1 := pix[(cy+1)*stride : (cy+1)*stride+d.w]
		out := d.words[cy*ww : (cy+1)*ww]
		sbRow := d.sb[(cy>>2)*d.sbw : (cy>>2)*d.sbw+ww]
		for i := 0; i < fast; i++ {
			a := binary.LittleEndian.Uint64(r0[4*i : 4*i+8])
			b := binary.LittleEndian.Uint64(r1[4*i : 4*i+8])
			e := (a & laneLo) + (b & laneLo)
			o := ((a >> 8) & laneLo) + ((b >> 8) & laneLo)
			se := e + o
			so := o + e>>16
			wv := se&0xFFFF | (so&0xFFFF)<<16 | (se>>16&0xFFFF)<<32 | (so>>16&0xFFFF)<<48
			if 4*i+3 >= cw {
				// Lanes past the last box stay zero.
				for l := 0; l < 4; l++ {
					if 4*i+l >= cw {
						wv &^= 0xFFFF << (16 * l)
					}
				}
			}
			out[i] = wv
			sbRow[i] += uint32((wv * lane1) >> 48)
		}
		for i := fast; i < ww; i++ {
			var wv uint64
			var sum uint32
			for l := 0; l < 4; l++ {
				x := 4*i + l
				if x >= cw {
					break
				}
				v := uint64(r0[x]) + uint64(r0[x+1]) + uint64(r1[x]) + uint64(r1[x+1])
				wv |= v << (16 * l)
				sum += uint32(v)
			}
			out[i] = wv
			sbRow[i] += sum
		}
	}
}

// pairRows sets out[i] to the four 2×2 sums of bytes 8i … 8i+7 of rows r0
// and r1 (lane k is box k: pixels 2k, 2k+1 of both rows) and adds them to
// acc[i]. It is a function of its own so that its loop keeps everything in
// registers.
//
//go:noinline
func pairRows(r0, r1 []uint8, out, acc []uint64) {
	if n := pairRowsSIMD(r0, r1, out, acc); n > 0 {
		r0, r1, out, acc = r0[8*n:], r1[8*n:], out[n:], acc[n:]
	}
	r0 = r0[:8*len(out)]
	r1 = r1[:len(r0)]
	acc = acc[:len(out)]
	for i := range out {
		a := binary.LittleEndian.Uint64(r0[8*i : 8*i+8])
		b := binary.LittleEndian.Uint64(r1[8*i : 8*i+8])
		s := (a & laneLo) + ((a >> 8) & laneLo) + (b & laneLo) + ((b >> 8) & laneLo)
		out[i] = s
		acc[i] += s
	}
}

// boxSums is the generic path: 2×2 sums at stride d.s.
func boxSums[T uint8 | uint16](d *Detector, pix []T, stride int) {
	ww, ch, cw, s := d.ww, d.ch, d.cw, d.s
	clear(d.sb[:d.sbw*d.sbh])
	for cy := 0; cy < ch; cy++ {
		r0 := pix[s*cy*stride:]
		r1 := pix[(s*cy+1)*stride:]
		out := d.words[cy*ww : (cy+1)*ww]
		sbRow := d.sb[(cy>>2)*d.sbw:]
		for i := range out {
			var wv uint64
			var sum uint32
			for l := 0; l < 4; l++ {
				cx := 4*i + l
				if cx >= cw {
					break
				}
				x := s * cx
				v := uint64(r0[x]) + uint64(r0[x+1]) + uint64(r1[x]) + uint64(r1[x+1])
				wv |= v << (16 * l)
				sum += uint32(v)
			}
			out[i] = wv
			sbRow[i] += sum
		}
	}
}

// estimate measures the noise and the background and sets the thresholds.
func (d *Detector) estimate() {
	// Noise: median |difference| of box sums two pixels apart, on every
	// 24th row (at 512×512 about 2,800 pairs: a 3% estimate). Saturated or black pairs carry no noise information.
	step := 1
	if d.s == 1 {
		step = 2
	}
	med := d.noiseHist(step)
	// |d| of two independent box sums: median 0.6745·√2·σbox.
	d.sigC = max(med/(0.6745*math.Sqrt2), 0.5)
	d.sigP = d.sigC / 2

	// Background per tile: clipped mean of its block means.
	sigSB := d.sigC / 4
	if d.s == 1 {
		sigSB *= 2 // overlapping boxes are correlated
	}
	for ty := 0; ty < d.th; ty++ {
		k, sum, lo, hi := d.tileStatsSIMD(ty)
		d.tMean = grow(d.tMean, d.tw)
		km := d.tileMeansSIMD(ty, k, sigSB, sum, lo, hi, d.tMean)
		for tx := 0; tx < d.tw; tx++ {
			var m float64
			if tx < km {
				m = d.tMean[tx]
			} else if tx < k {
				m = d.tileMeanStats(tx, ty, sigSB, int64(sum[tx]), int64(lo[tx]), int64(hi[tx]))
			} else {
				m = d.tileMean(tx, ty, sigSB)
			}
			d.tileBG[ty*d.tw+tx] = float32(m)
		}
	}
	// Per block: background and the packed threshold for the scan.
	d.lowT = max(0.3*d.o.Sigma, 1.5)
	d.quad = max(0.6*d.o.Sigma, 2.5)
	// Blocks are 4 boxes square, tiles tsb blocks: interpolate the tile
	// grid at block centres. The horizontal interpolation depends only on
	// the tile row and the block column, so it is done once per tile row.
	tsb := float64(d.tsb)
	lt := d.lowT * d.sigC
	d.setPreK(lt)
	sbw := d.sbw
	hint := d.hint[:d.th*sbw]
	// The interpolation weights depend on the block column alone.
	d.hcol = grow(d.hcol, sbw)
	for bx := range d.hcol {
		fx := (float64(bx)+0.5)/tsb - 0.5
		fx = clampF(fx, 0, float64(d.tw-1))
		x0 := int(fx)
		d.hcol[bx] = hcol{x0, min(x0+1, d.tw-1), fx - float64(x0)}
	}
	for ty := 0; ty < d.th; ty++ {
		r := d.tileBG[ty*d.tw : (ty+1)*d.tw]
		hr := hint[ty*sbw : (ty+1)*sbw]
		for bx, c := range d.hcol[:len(hr)] {
			hr[bx] = float64(r[c.x0])*(1-c.ax) + float64(r[c.x1])*c.ax
		}
	}
	for by := 0; by < d.sbh; by++ {
		fy := (float64(by)+0.5)/tsb - 0.5
		fy = clampF(fy, 0, float64(d.th-1))
		y0 := int(fy)
		y1 := min(y0+1, d.th-1)
		ay := fy - float64(y0)
		ay1 := 1 - ay
		r0, r1 := hint[y0*sbw:(y0+1)*sbw], hint[y1*sbw:(y1+1)*sbw]
		bgRow := d.sbBG[by*sbw : (by+1)*sbw]
		thrRow := d.thr[by*sbw : (by+1)*sbw]
		r0 = r0[:len(bgRow)]
		r1 = r1[:len(bgRow)]
		thrRow = thrRow[:len(bgRow)]
		done := blockLimitsSIMD(r0, r1, ay1, ay, lt, bgRow, thrRow)
		for bx := done; bx < len(bgRow); bx++ {
			bgRow[bx], thrRow[bx] = blockLimits(r0[bx]*ay1+r1[bx]*ay, lt)
		}
	}
}

// blockLimits returns a block's background as stored and its packed
// candidate threshold t = ⌊bg + lt⌋ (clamped to the lanes) as 0x7FFF − t,
// so that a box v is above it when v + (0x7FFF − t) sets the lane's top bit.
// t comes from the stored background, so that findCands and setPreK see the
// same one.
func blockLimits(bg, lt float64) (float32, uint64) {
	b := float32(bg)
	t := int(float64(b) + lt)
	t = min(max(t, 0), 0x7FFE)
	return b, (0x7FFF - uint64(t)) * lane1
}

// noiseHist histograms |difference| of box sums step boxes apart on every
// 24th row and returns their interpolated median (0 without pairs).
func (d *Detector) noiseHist(step int) float64 {
	if med, ok := d.noiseMedianSIMD(step); ok {
		return med
	}
	// Two histograms, filled alternately, keep consecutive increments of
	// the same bin from waiting on each other; they are summed below.
	hist := d.hist[:8192]
	satBox := int(4 * d.satWork)
	n := 0
	mx := 0
	rb := d.rowbuf[:d.cw]
	ww := d.ww
	full := d.cw / 4
	for cy := 1; cy < d.ch; cy += 24 {
		row := d.words[cy*ww : (cy+1)*ww]
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
			if (x >= satBox && y >= satBox) || (x == 0 && y == 0) {
				continue
			}
			df := x - y
			sg := df >> 63
			df = (df ^ sg) - sg
			df = min(df, 4095)
			mx = max(mx, df)
			hist[(n&1)<<12|df]++
			n++
		}
	}
	hist2 := hist[4096:]
	hist = hist[:4096]
	med := 0.0
	if n > 0 {
		half := float64(n) / 2
		cum := 0.0
		for k := 0; k <= mx; k++ {
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
	clear(hist[:mx+1])
	clear(hist2[:mx+1])
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

// centroidLoop iterates the Gaussian-windowed centroid from (cxf, cyf) in
// the window at (x0, y0) around the peak (px, py), at most four steps. It
// returns the last weighted sum S, the estimate and the window phases of
// the last sums; ok is false when S is not positive (no star).
func (d *Detector) centroidLoop(win *[56]float64, x0, y0, px, py int, cxf, cyf float64) (S, cx, cy float64, lastX, lastY int, ok bool) {
	if S, cx, cy, ix, iy, ok, ran := centroidLoopSIMD(win, d.wTab, x0, y0, px, py, cxf, cyf); ran {
		return S, cx, cy, ix, iy, ok
	}
	lastX, lastY = -1, -1
	for it := 0; it < 4; it++ {
		ix := d.wIndex(cxf - float64(x0) - 0.5)
		iy := d.wIndex(cyf - float64(y0) - 0.5)
		if ix == lastX && iy == lastY {
			// Same phase as the last step: it would land where it did.
			break
		}
		lastX, lastY = ix, iy
		// Window cells outside the frame hold 0, so all 7×7 are summed.
		var sx, sy float64
		S, sx, sy = centroidSums(win, &d.wTab[ix], &d.wTab[iy])
		if S <= 0 {
			return S, cxf, cyf, ix, iy, false
		}
		qx := float64(x0) + 0.5 + float64(ix)/wPhases
		qy := float64(y0) + 0.5 + float64(iy)/wPhases
		// Clamped with compares, not min/max: the values are never NaN,
		// and the rarely taken branches cost less than NaN-aware min/max.
		dx := clampPM(qx+2*sx/S-cxf, 0.5)
		dy := clampPM(qy+2*sy/S-cyf, 0.5)
		cxf = clampF(cxf+dx, float64(px)-0.5, float64(px)+1.5)
		cyf = clampF(cyf+dy, float64(py)-0.5, float64(py)+1.5)
		if dx*dx+dy*dy < 4e-4 {
			// Moved under 0.02 px: the next step would move a fraction of
			// that (one step from a nearby centre lands on a Gaussian star).
			break
		}
	}
	return S, cxf, cyf, lastX, lastY, true
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

// blockCount is the number of boxes in block (bx, by).
func (d *Detector) blockCount(bx, by int) int {
	return min(4, d.cw-4*bx) * min(4, d.ch-4*by)
}

func (d *Detector) tileMean(tx, ty int, sig float64) float64 {
	if m, ok := d.tileMeanFull(tx, ty, sig); ok {
		return m
	}
	var vals [64]float64
	n := 0
	for by := ty * d.tsb; by < min((ty+1)*d.tsb, d.sbh); by++ {
		for bx := tx * d.tsb; bx < min((tx+1)*d.tsb, d.sbw); bx++ {
			c := d.blockCount(bx, by)
			if c <= 0 {
				continue
			}
			vals[n] = float64(d.sb[by*d.sbw+bx]) / float64(c)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	v := vals[:n]
	// Clipped mean: a star or glare raises a few blocks, and the first
	// pass already drops them.
	m, lo := 0.0, v[0]
	for _, x := range v {
		m += x
		lo = min(lo, x)
	}
	m /= float64(n)
	// Start from the lower of the mean and min+3σ, so one bright block
	// cannot drag the first clip level up.
	m = min(m, lo+3*sig)
	for it := 0; it < 3; it++ {
		lim := m + 2.5*sig
		s, k := 0.0, 0
		for _, x := range v {
			if x <= lim {
				s += x
				k++
			}
		}
		if k > 0 {
			m = s / float64(k)
		}
	}
	return m
}

// tileMeanFull is tileMean for a tile whose blocks all hold 16 boxes, in
// integers: each block mean is its sum/16, exact in float64, and so are all
// the partial sums of tileMean (multiples of 1/16 below 2^22), whatever the
// order. The clip x ≤ lim on x = sum/16 is sum ≤ lim·16, again exact. The
// result is therefore bit-identical to tileMean's float path.
func (d *Detector) tileMeanFull(tx, ty int, sig float64) (float64, bool) {
	bx0, bx1 := tx*d.tsb, min((tx+1)*d.tsb, d.sbw)
	by0, by1 := ty*d.tsb, min((ty+1)*d.tsb, d.sbh)
	if 4*bx1 > d.cw || 4*by1 > d.ch || bx1 <= bx0 || by1 <= by0 {
		return 0, false
	}
	var sum int64
	lo, hi := int64(math.MaxInt64), int64(0)
	for by := by0; by < by1; by++ {
		for _, v := range d.sb[by*d.sbw+bx0 : by*d.sbw+bx1] {
			x := int64(v)
			sum += x
			lo = min(lo, x)
			hi = max(hi, x)
		}
	}
	return d.tileMeanStats(tx, ty, sig, sum, lo, hi), true
}

// tileMeanStats finishes tileMeanFull from the sum, minimum and maximum of
// the tile's block sums.
func (d *Detector) tileMeanStats(tx, ty int, sig float64, sum, lo, hi int64) float64 {
	bx0, bx1 := tx*d.tsb, min((tx+1)*d.tsb, d.sbw)
	by0, by1 := ty*d.tsb, min((ty+1)*d.tsb, d.sbh)
	n := (bx1 - bx0) * (by1 - by0)
	// x/16/n is x/(16n): x/16 is exact, and so is 16n.
	m := float64(sum) / float64(16*n)
	if m <= float64(lo)/16+3*sig && float64(hi) <= (m+2.5*sig)*16 {
		// Nothing to clip (open sky): the plain mean is the fixed point.
		return m
	}
	m = min(m, float64(lo)/16+3*sig)
	ps, pk, pl := int64(-1), int64(-1), int64(-2)
	for it := 0; it < 3; it++ {
		lim := (m + 2.5*sig) * 16
		// x ≤ lim for integer x ≥ 0 is x ≤ floor(lim); block sums are
		// below 2^23, so clamping lim keeps the conversion in range.
		l := int64(-1)
		if lim >= 1<<40 {
			l = 1 << 40
		} else if lim >= 0 {
			l = int64(lim)
		}
		if l == pl {
			// Same limit, same (s, k): a fixed point.
			break
		}
		var s, k int64
		for by := by0; by < by1; by++ {
			row := d.sb[by*d.sbw+bx0 : by*d.sbw+bx1]
			for len(row) >= 4 {
				// Four at a time, in a tree: the loop is latency-bound.
				x0, x1, x2, x3 := int64(row[0]), int64(row[1]), int64(row[2]), int64(row[3])
				o0, o1, o2, o3 := (l-x0)>>63, (l-x1)>>63, (l-x2)>>63, (l-x3)>>63 // −1 when x > l
				s += (x0&^o0 + x1&^o1) + (x2&^o2 + x3&^o3)
				k += 4 + (o0 + o1) + (o2 + o3)
				row = row[4:]
			}
			for _, v := range row {
				x := int64(v)
				over := (l - x) >> 63
				s += x &^ over
				k += over + 1
			}
		}
		if s == ps && k == pk {
			// m is a function of (s, k) alone: a fixed point.
			break
		}
		ps, pk, pl = s, k, l
		if k > 0 {
			m = float64(s) / float64(16*k)
		}
	}
	return m
}

// bgPix is the background per pixel at full-resolution coordinates (x, y):
// the tile background interpolated at box coordinates
// u = (x−1)/s + 0.5 (box (cx, cy) has its centre at (cx+0.5, cy+0.5)),
// tiles being 4·tsb boxes wide. s, 4·tsb and 4 are powers of two, so the
// divisions are done as (exact) multiplications by their reciprocals.
func (d *Detector) bgPix(x, y float64) float64 {
	invS, invTB := d.invS, d.invTB
	u, v := (x-1)*invS+0.5, (y-1)*invS+0.5
	fx := u*invTB - 0.5
	fy := v*invTB - 0.5
	fx = clampF(fx, 0, d.twMax)
	fy = clampF(fy, 0, d.thMax)
	x0, y0 := int(fx), int(fy)
	x1, y1 := min(x0+1, d.tw-1), min(y0+1, d.th-1)
	ax, ay := fx-float64(x0), fy-float64(y0)
	t := d.tileBG
	a := float64(t[y0*d.tw+x0])*(1-ax) + float64(t[y0*d.tw+x1])*ax
	b := float64(t[y1*d.tw+x0])*(1-ax) + float64(t[y1*d.tw+x1])*ax
	return (a*(1-ay) + b*ay) * 0.25
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
	for _, c := range d.cands {
		refine(d, pix, stride, int(c>>15&0x7FFF), int(c>>30&0x7FFF))
	}
}

// sortCands sorts the candidates by key. findCands lists them in scan
// order, so a stable counting sort on the box sums alone gives the order
// of the whole keys, without the mispredicted compares of a comparison
// sort.
func (d *Detector) sortCands() {
	c := d.cands
	if len(c) < 32 {
		slices.Sort(c)
		return
	}
	lo, hi := c[0]>>45, c[0]>>45
	for _, k := range c {
		lo, hi = min(lo, k>>45), max(hi, k>>45)
	}
	cnt := grow(d.candCnt, int(hi-lo)+2)
	clear(cnt)
	for _, k := range c {
		cnt[k>>45-lo+1]++
	}
	for i := 1; i < len(cnt); i++ {
		cnt[i] += cnt[i-1]
	}
	out := grow(d.candTmp, len(c))
	for _, k := range c {
		i := k>>45 - lo
		out[cnt[i]] = k
		cnt[i]++
	}
	d.cands, d.candTmp, d.candCnt = out, c, cnt
}

// cand is a candidate box (cx, cy) with box sum v as a sort key:
// (0x7FFF−v)<<45 | cy<<30 | cx<<15. Sums, cx and cy are below 2^15.
type cand uint64

func newCand(cx, cy, v int) cand {
	return cand(uint64(0x7FFF-v)<<45 | uint64(cy)<<30 | uint64(cx)<<15)
}

// geMask returns laneH bits for the lanes where a ≥ b. Lanes hold at most
// 0x7FFF, so setting the top bit of a keeps every lane's difference
// non-negative and no borrow crosses lanes.
func geMask(a, b uint64) uint64 { return ((a | laneH) - b) & laneH }

// gtMask returns laneH bits for the lanes where a > b.
func gtMask(a, b uint64) uint64 { return ((a | laneH) - b - lane1) & laneH }

// stage2Limits returns the limits of the stage-2 numerators (the box, the
// box with its brightest edge neighbour, the brightest 2×2 of boxes holding
// it): a numerator below quad·divisor·(1−1e-9) cannot round up to quad, so
// most boxes are rejected without dividing.
func (d *Detector) stage2Limits() (tA, tB, tC float64) {
	const margin = 1 - 1e-9
	q := d.quad * d.sigC * margin
	return q, math.Sqrt2 * q, 2 * q
}

// setPreK sets the offsets that give the vector kernel integer limits for
// the stage-2 pre-test from a block's threshold t = ⌊bg + lt⌋ (before
// clamping): bg < t − lt + 1, so tA + bg > t + (tA − lt) and
// ⌊tA − lt⌋ + t is a limit no higher than the exact one (likewise 2t and
// 4t for tB + 2·bg and tC + 4·bg). Lower limits only let more boxes on to
// the exact test. Without Binning 2 only the first test applies.
func (d *Detector) setPreK(lt float64) {
	tA, tB, tC := d.stage2Limits()
	off := [3]float64{tA - lt, tB - 2*lt, tC - 4*lt}
	if d.s != 2 {
		off[1], off[2] = 0x10000, 0x10000
	}
	for i, o := range off {
		o = math.Floor(o)
		add, sub := uint16(0), uint16(0)
		if o >= 0 {
			add = uint16(min(o, 0xFFFF))
		} else {
			sub = uint16(min(-o, 0xFFFF))
		}
		for l := range 16 {
			d.preK[2*i][l], d.preK[2*i+1][l] = add, sub
		}
	}
	for l := range 16 {
		d.preK[6][l] = 0x7FFF
	}
}

// boxAt is box x of a row of the candidate image.
func boxAt(row []uint64, x int) int { return int(row[x>>2] >> (16 * uint(x&3)) & 0xFFFF) }

// findCands collects, in scan order, the boxes above the low threshold that
// are local maxima (ties go to the first in scan order) and pass the
// phase-tolerant significance test (stage2). Per row, the vector kernel,
// where there is one, marks the boxes that may pass sixteen at a time, and
// candWords tests the rest four at a time on the packed words.
func (d *Detector) findCands() {
	ww, cw, sbw := d.ww, d.cw, d.sbw
	words := d.words
	st := d.newStage2()
	masks := d.cmask[:(ww+3)/4]
	// Only boxes 1 ≤ cx ≤ cw−2 have all their neighbours.
	lastG := (cw - 2) >> 4
	keepLast := uint32(1)<<(2*((cw-2)&15)+1) - 1
	for cy := 1; cy < d.ch-1; cy++ {
		ng, nz := d.candMaskSIMD(cy, masks)
		if nz != 0 {
			// Box 0 and boxes past cw−2 lack neighbours.
			masks[0] &^= 1
			if lastG < ng {
				masks[lastG] &= keepLast
				nz &= 1<<(lastG+1) - 1
			}
			up := words[(cy-1)*ww : cy*ww]
			row := words[cy*ww : (cy+1)*ww]
			dn := words[(cy+1)*ww : (cy+2)*ww]
			bgRow := d.sbBG[(cy>>2)*sbw : (cy>>2)*sbw+ww]
			for ; nz != 0; nz &= nz - 1 {
				g := bits.TrailingZeros64(nz)
				m := masks[g]
				for m != 0 {
					cx := 16*g + bits.TrailingZeros32(m)>>1
					m &= m - 1
					li, ri := boxAt(row, cx-1), boxAt(row, cx+1)
					ui, di := boxAt(up, cx), boxAt(dn, cx)
					// The diagonal next to the brighter horizontal and
					// vertical neighbours (right/down on ties).
					dx, drow := 1, dn
					if li > ri {
						dx = -1
					}
					if ui > di {
						drow = up
					}
					v := boxAt(row, cx)
					if st.pass(v, li, ri, ui, di, boxAt(drow, cx+dx), float64(bgRow[cx>>2])) {
						d.cands = append(d.cands, newCand(cx, cy, v))
					}
				}
			}
		}
		if 4*ng < ww {
			d.candWords(cy, 4*ng, st)
		}
	}
}

// stage2 is the significance test of a candidate box with value v (the
// box alone, with its brightest edge neighbour, and the brightest 2×2 of
// boxes containing it, so that a star split across bins is not lost),
// given its neighbours: left, right, up, down and the diagonal next to
// the brighter of left/right and of up/down.
type stage2 struct {
	sig, sig2, sig4, quad float64
	tA, tB, tC            float64 // see stage2Limits
	bin2                  bool
}

func (d *Detector) newStage2() stage2 {
	tA, tB, tC := d.stage2Limits()
	return stage2{sig: d.sigC, sig2: math.Sqrt2 * d.sigC, sig4: 2 * d.sigC, quad: d.quad,
		tA: tA, tB: tB, tC: tC, bin2: d.s == 2}
}

// pass is the exact test: max(a/σ, b/σ√2, c/2σ) ≥ quad for the box alone
// (a), with its brightest edge neighbour (b) and in its brightest 2×2 of
// boxes (c). Each quotient is taken only when its numerator reaches its
// limit tA, tB or tC, which lie just below quad times the divisor, so
// that a passing quotient implies it: the same decision with few
// divisions.
func (st *stage2) pass(v, l, r, u, dn, g int, bg float64) bool {
	fv := float64(v) - bg
	if !st.bin2 {
		return fv >= st.tA && fv/st.sig >= st.quad
	}
	h, vv := float64(max(l, r))-bg, float64(max(u, dn))-bg
	a, b, c := fv, fv+max(h, vv), fv+h+vv+float64(g)-bg
	return (a >= st.tA && a/st.sig >= st.quad) ||
		(b >= st.tB && b/st.sig2 >= st.quad) ||
		(c >= st.tC && c/st.sig4 >= st.quad)
}

// candWords appends the candidates of row cy (1 ≤ cy ≤ ch−2) from word i0
// on: the boxes above their threshold that are local maxima, tested four
// at a time on the packed words, then stage2, box by box.
func (d *Detector) candWords(cy, i0 int, st stage2) {
	ww, cw := d.ww, d.cw
	if i0 >= ww {
		return
	}
	up := d.words[(cy-1)*ww : cy*ww]
	row := d.words[cy*ww : (cy+1)*ww]
	dn := d.words[(cy+1)*ww : (cy+2)*ww]
	thr := d.thr[(cy>>2)*d.sbw : (cy>>2)*d.sbw+ww]
	bgRow := d.sbBG[(cy>>2)*d.sbw : (cy>>2)*d.sbw+ww]
	up, dn, thr, bgRow = up[:len(row)], dn[:len(row)], thr[:len(row)], bgRow[:len(row)]
	hits := d.rowbuf[:ww]
	// Words with a box above the threshold, listed without branches
	// (which would be mispredicted on noise).
	nh := listHits(row[i0:], thr[i0:], hits)
	for _, hi := range hits[:nh] {
		i := i0 + int(hi)
		wv := row[i]
		m := (wv + thr[i]) & laneH
		if i == 0 || 4*i+4 > cw-1 {
			// Only boxes 1 ≤ cx < cw−1 have all their neighbours.
			for l := 0; l < 4; l++ {
				if cx := 4*i + l; cx < 1 || cx >= cw-1 {
					m &^= 0x8000 << (16 * l)
				}
			}
			if m == 0 {
				continue
			}
		}
		var pu, pr, pd, nu, nr, nd uint64
		if i > 0 {
			pu, pr, pd = up[i-1], row[i-1], dn[i-1]
		}
		if i+1 < len(row) {
			nu, nr, nd = up[i+1], row[i+1], dn[i+1]
		}
		// Neighbour words: lane l holds the box left of (right of) lane l.
		lw, rw := wv<<16|pr>>48, wv>>16|nr<<48
		// The row neighbours first: they remove most noise peaks.
		if m &= gtMask(wv, lw) & geMask(wv, rw); m == 0 {
			continue
		}
		u, dw := up[i], dn[i]
		ul, ur := u<<16|pu>>48, u>>16|nu<<48
		dl, dr := dw<<16|pd>>48, dw>>16|nd<<48
		m &= gtMask(wv, ul) & gtMask(wv, u) & gtMask(wv, ur) &
			geMask(wv, dl) & geMask(wv, dw) & geMask(wv, dr)
		if m == 0 {
			continue
		}
		bg := float64(bgRow[i])
		diag := [4]uint64{dr, dl, ur, ul}
		for m != 0 {
			sh := uint(bits.TrailingZeros64(m) &^ 15)
			m &= m - 1
			v := int(wv >> sh & 0xFFFF)
			li, ri := int(lw>>sh&0xFFFF), int(rw>>sh&0xFFFF)
			ui, di := int(u>>sh&0xFFFF), int(dw>>sh&0xFFFF)
			gi := int(diag[(b2i(li > ri)|b2i(ui > di)<<1)&3] >> sh & 0xFFFF)
			if st.pass(v, li, ri, ui, di, gi, bg) {
				d.cands = append(d.cands, newCand(4*i+int(sh/16), cy, v))
			}
		}
	}
}

// listHits writes to hits the indices of the words of row with a box above
// its threshold and returns their number. It is kept out of findCands so
// that its loop gets registers of its own.
//
//go:noinline
func listHits(row, thr []uint64, hits []int32) int {
	thr = thr[:len(row)]
	hits = hits[:len(row)]
	nh := 0
	for i, wv := range row {
		c := (wv + thr[i]) & laneH
		hits[nh] = int32(i)
		nh += int((c | -c) >> 63)
	}
	return nh
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refine examines a candidate at full resolution and appends a star.
func refine[T uint8 | uint16](d *Detector, pix []T, stride int, cx, cy int) {
	// A hot pixel next to a star can be the brightest pixel of the box:
	// reject it and look again.
	for try := 0; try < 3; try++ {
		if !refineAt(d, pix, stride, cx, cy) {
			return
		}
	}
}

// refineAt examines the brightest unclaimed pixel of box (cx, cy); it
// returns true when that pixel was a hot pixel and the box should be
// examined again.
func refineAt[T uint8 | uint16](d *Detector, pix []T, stride int, cx, cy int) (again bool) {
	w, h, s := d.w, d.h, d.s
	// Brightest pixel in the box and its ring.
	px, py, pv := -1, -1, -1
	inside := s == 2 && cx > 0 && cy > 0 && 2*cx+2 < w && 2*cy+2 < h
	vecDone := false
	if inside {
		if k, v, ran := peak4x4SIMD(d, pix, stride, 2*cx-1, 2*cy-1); ran {
			if v >= 0 {
				px, py, pv = 2*cx-1+k&3, 2*cy-1+k>>2, v
			}
			vecDone = true
		}
	}
	if inside && !vecDone {
		// The 4×4 pixels lie inside the frame: one row and its claim bits
		// at a time. Ties go to the first in scan order, as below.
		x0 := 2*cx - 1
		for y := 2*cy - 1; y <= 2*cy+2; y++ {
			row := (*[4]T)(pix[y*stride+x0:])
			j := y*w + x0
			sh := uint(j & 63)
			cl := d.stamp[j>>6]>>sh | d.stamp[j>>6+1]<<(64-sh) // << 64 is 0
			k0 := int(row[0]) | -int(cl&1)
			k1 := int(row[1]) | -int(cl>>1&1)
			k2 := int(row[2]) | -int(cl>>2&1)
			k3 := int(row[3]) | -int(cl>>3&1)
			// The row's first maximum, then against the rows before.
			kx, km := 0, k0
			if k1 > km {
				kx, km = 1, k1
			}
			if k2 > km {
				kx, km = 2, k2
			}
			if k3 > km {
				kx, km = 3, k3
			}
			if km > pv {
				px, py, pv = x0+kx, y, km
			}
		}
	}
	for y := max(s*cy-1, 0); y <= min(s*cy+2, h-1) && !inside; y++ {
		for x := max(s*cx-1, 0); x <= min(s*cx+2, w-1); x++ {
			// A claimed pixel gets key −1 and is never taken; written
			// without && so the compiler can use conditional moves.
			j := y*w + x
			key := int(pix[y*stride+x]) | -int(d.stamp[j>>6]>>(j&63)&1)
			if key > pv {
				px, py, pv = x, y, key
			}
		}
	}
	if px < 1 || py < 1 || px >= w-1 || py >= h-1 {
		return
	}
	tb := d.bgPix(float64(px)+0.5, float64(py)+0.5)
	b := tb
	sig := d.sigP
	pk := float64(pv) - b
	if pk <= 0 {
		return
	}
	// val is the pixel value, with known hot pixels replaced by the
	// background.
	nHot := d.nHot
	val := func(x, y int) float64 {
		if nHot > 0 && d.hotRow[y] == d.gen && d.isHot(y*w+x) {
			return b
		}
		return float64(pix[y*stride+x])
	}
	// Cheap early exit for noise peaks: the 3×3 box sum carries 80-95% of
	// the matched-filter significance of a star (FWHM 1.5-2.5 px).
	{
		q := 0.0
		if nHot == 0 || (d.hotRow[py-1] != d.gen && d.hotRow[py] != d.gen && d.hotRow[py+1] != d.gen) {
			// No hot pixel here: an integer sum, equal to the float one.
			r0 := pix[(py-1)*stride+px-1 : (py-1)*stride+px+2]
			r1 := pix[py*stride+px-1 : py*stride+px+2]
			r2 := pix[(py+1)*stride+px-1 : (py+1)*stride+px+2]
			q = float64(int(r0[0]) + int(r0[1]) + int(r0[2]) + int(r1[0]) + int(r1[1]) + int(r1[2]) + int(r2[0]) + int(r2[1]) + int(r2[2]))
		} else {
			for y := py - 1; y <= py+1; y++ {
				for x := px - 1; x <= px+1; x++ {
					q += val(x, y)
				}
			}
		}
		if (q-9*b)/(3*sig) < 0.7*d.o.Sigma {
			trace(px, py, "weak-box")
			return
		}
	}
	// For all but bright stars take background and noise from the ring
	// three pixels out: on glare or a steep gradient the tile background
	// lags and the photon noise is higher than the frame's.
	if pk < 20*sig && px >= 3 && py >= 3 && px < w-3 && py < h-3 {
		rb, rs := ringStats(pix, stride, px, py)
		// The ring mean is noisy (24 pixels): only trust it when it is
		// significantly above the tile background.
		if rb-b > 3*sig/math.Sqrt(24) {
			b = rb
		}
		if rs > 1.5*sig {
			sig = rs
		}
		pk = float64(pv) - b
		if pk <= 0 {
			return
		}
	}
	// Hot pixel: a spike with no PSF wings. A star's edge neighbours carry
	// ≥ 30% of its peak even at FWHM 1.5 px.
	// The reference is the ring two pixels out, so a hot pixel on glare or
	// on a gradient is still recognised.
	if px >= 2 && py >= 2 && px < w-2 && py < h-2 {
		// The 5×5 pixels around the peak, as integers: their sums are
		// exact, so they equal the float sums in any order. Needed: the
		// border's sum, the inner 3×3's maximum, its centre (c4) and edge
		// cells (c1, c3, c5, c7; cell k of the 3×3 is row k/3, column k%3).
		var ring, inMax, c1, c3, c4, c5, c7 int
		i0 := (py-2)*stride + px - 2
		if h, ok := hotStatsSIMD(pix, i0, stride); ok {
			ring, inMax = int(h&0xFFFF), int(h>>16&0xFF)
			c1, c3, c4, c5, c7 = int(h>>24&0xFF), int(h>>32&0xFF), int(h>>40&0xFF), int(h>>48&0xFF), int(h>>56)
		} else {
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
		r2 := float64(ring) / 16
		// Excess of the 3×3 over the ring; x − r2 is monotonic in x, so the
		// largest excess is the largest pixel's.
		emax := float64(inMax) - r2
		e1, e3, e4, e5, e7 := float64(c1)-r2, float64(c3)-r2, float64(c4)-r2, float64(c5)-r2, float64(c7)-r2
		// A star spreads ≥ 30% of its 3×3 light outside its three
		// brightest pixels, even at FWHM 1.5 px; one to three hot pixels
		// (a cluster) leave only noise there.
		// The cluster test needs a bright top pixel to be decisive.
		// Lone spike: the edge neighbours average under 15% of the peak
		// (a star gives ≥ 30% even at FWHM 1.5 px) and none reaches 45%
		// (so a noise-boosted pixel of a faint star is not taken for one).
		n4 := (e1 + e3 + e5 + e7) / 4
		m4 := float64(max(c1, c3, c5, c7)) - r2
		// A spike too faint to pass the matched filter on its own
		// (Sigma·1.5σ for a lone pixel) needs no test, and testing it
		// would risk a faint star.
		single := n4 < 0.15*e4 && m4 < 0.45*e4 && e4 > 1.35*d.o.Sigma*sig
		var e [9]float64
		cluster := false
		if emax > 15*sig || single {
			tot := 0.0
			// The three largest excesses, m1 ≥ m2 ≥ m3, by a min/max
			// network (no data-dependent branches).
			m1, m2, m3 := math.Inf(-1), math.Inf(-1), math.Inf(-1)
			for k := range e {
				x := float64(pix[(py-1+k/3)*stride+px-1+k%3]) - r2
				e[k] = x
				tot += x
				x, m1 = min(x, m1), max(x, m1)
				x, m2 = min(x, m2), max(x, m2)
				m3 = max(x, m3)
			}
			// Only a bright top pixel can make a cluster.
			t3 := m1 + m2 + m3
			cluster = emax > 15*sig && tot-t3 < 0.2*t3
		}
		if single || cluster {
			top := top3(&e)
			for _, k := range top {
				if e[k] > 0.3*e[top[0]] {
					j := (py+k/3-1)*w + px + k%3 - 1
					d.claim(j)
					d.hot[j>>6] |= 1 << (j & 63)
					d.hotRow[j/w] = d.gen
					d.nHot++
				}
			}
			if traceReject != nil {
				trace(px, py, fmt.Sprintf("hot %v %v e=%.0f r2=%.1f", single, cluster, e, r2))
			}
			return true
		}
	}

	// Iterative Gaussian-windowed centroid on a 7×7 window.
	x0, y0 := max(px-3, 0), max(py-3, 0)
	x1, y1 := min(px+3, w-1), min(py+3, h-1)
	// The window's background-subtracted values, read once for all
	// iterations; row stride 8, column 7 zero.
	nx, ny := x1-x0+1, y1-y0+1
	var win [56]float64
	var ssPos, ssAll float64
	fullWin := nx == 7 && ny == 7 && (nHot == 0 || !d.hotRows(y0, y1))
	simdWin := false
	if fullWin {
		ssPos, ssAll, simdWin = winLoadSIMD(pix, y0*stride+x0, stride, b, &win)
	}
	if fullWin && !simdWin {
		for j := range 7 {
			src := (*[7]T)(pix[(y0+j)*stride+x0:])
			wr := (*[7]float64)(win[j*8:])
			v0, v1, v2, v3 := float64(src[0])-b, float64(src[1])-b, float64(src[2])-b, float64(src[3])-b
			v4, v5, v6 := float64(src[4])-b, float64(src[5])-b, float64(src[6])-b
			wr[0], wr[1], wr[2], wr[3], wr[4], wr[5], wr[6] = v0, v1, v2, v3, v4, v5, v6
			ssAll += v0*v0 + v1*v1 + v2*v2 + v3*v3 + v4*v4 + v5*v5 + v6*v6
			// 2·max(v, 0) = v + |v|, without branches.
			v0, v1, v2, v3 = v0+math.Abs(v0), v1+math.Abs(v1), v2+math.Abs(v2), v3+math.Abs(v3)
			v4, v5, v6 = v4+math.Abs(v4), v5+math.Abs(v5), v6+math.Abs(v6)
			ssPos += 0.25 * (v0*v0 + v1*v1 + v2*v2 + v3*v3 + v4*v4 + v5*v5 + v6*v6)
		}
	}
	for y := y0; y <= y1 && !fullWin; y++ {
		wr := win[(y-y0)*8 : (y-y0)*8+nx]
		src := pix[y*stride+x0 : y*stride+x0+len(wr)]
		plain := nHot == 0 || d.hotRow[y] != d.gen
		for k := range wr {
			v := float64(src[k]) - b
			if !plain {
				v = val(x0+k, y) - b
			}
			wr[k] = v
			p := (v + math.Abs(v)) * 0.5 // max(v, 0) without a branch
			ssPos += p * p
			ssAll += v * v
		}
	}
	// The weighted sum S below is at most sqrt(Σw²·Σ(v⁺)²) (Cauchy-Schwarz,
	// all weights ≥ 0), so when sqrt(Σ(v⁺)²) is clearly under Sigma·σ the
	// candidate fails the significance test whatever the centroid: skip
	// the iterations. The margins cover the rounding of S (at most ~1e-14
	// of sqrt(Σw²·Σv²)) and of the final division.
	if traceReject == nil && math.Sqrt(ssPos)+1e-9*math.Sqrt(ssAll) < d.o.Sigma*sig*(1-1e-9) {
		return
	}
	// Start from the first moment of the 3×3 excess: for faint stars the
	// brightest pixel is often a noise-displaced one.
	cxf, cyf := float64(px)+0.5, float64(py)+0.5
	{
		var m, mx, my float64
		c := (py-y0)*8 + px - x0 // the peak's window cell
		for j := -1; j <= 1; j++ {
			r := (*[3]float64)(win[c+8*j-1:])
			// max(q, 0) adds exactly what skipping q ≤ 0 did.
			q0, q1, q2 := max(r[0], 0), max(r[1], 0), max(r[2], 0)
			m += q0
			m += q1
			m += q2
			mx += q0 * -1
			mx += q2
			my += q0 * float64(j)
			my += q1 * float64(j)
			my += q2 * float64(j)
		}
		if m > 0 {
			cxf += mx / m
			cyf += my / m
		}
	}
	// Gaussian-weighted centroid, iterated. The weights come from a table
	// of window phases 1/wPhases px apart; each step restarts from the
	// tabulated centre next to the estimate. For a Gaussian star one step
	// from any nearby centre lands on the star (the factor 2), so the phase
	// rounding does not bias the result.
	S, cxf, cyf, phx, phy, ok := d.centroidLoop(&win, x0, y0, px, py, cxf, cyf)
	if !ok {
		return
	}
	wxe, wye := &d.wTab[phx], &d.wTab[phy]
	swx, swy := wxe.ss, wye.ss
	if nx < 7 {
		swx = 0
		for k := range nx {
			swx += wxe.w[k] * wxe.w[k]
		}
	}
	if ny < 7 {
		swy = 0
		for k := range ny {
			swy += wye.w[k] * wye.w[k]
		}
	}
	sw2 := swx * swy
	if S/(sig*math.Sqrt(sw2)) < d.o.Sigma {
		if traceReject != nil {
			trace(px, py, fmt.Sprintf("weak %.2f", S/(sig*math.Sqrt(sw2))))
		}
		return
	}

	// Blob: 8-connected pixels above max(2.5σ, 25% of the peak).
	level := b + max(2.5*sig, 0.25*pk)
	area, peak := 0, float64(pv)
	var mom moments
	limit := d.o.MaxBlobArea + 1
	brighter := false
	// The fill's stack holds pixels as y<<15 | x (both below 2^15), so
	// that popping one needs no division.
	d.stack = append(d.stack[:0], int32(py<<15|px))
	d.blob = append(d.blob[:0], int32(py*w+px))
	d.claim(py*w + px)
	rise := float64(pv) + 3*sig // a brighter star's level
	if x0 == px-3 && y0 == py-3 && x1 == px+3 && y1 == py+3 && limit > 25 && borderBelow(&win, level-b) {
		// The blob cannot leave the 5×5 core of the window: grow it there
		// as a bit set over the 7×7 cells (cell j·7+k), from the window
		// values and the claim bits of the window's rows. Cells of the core
		// shift to neighbours in the same or the next row only, so no
		// column masks are needed; the border cells are not free.
		d.stack = d.stack[:0]
		var free uint64
		for j := 1; j < 6; j++ {
			r := (*[8]float64)(win[8*j:])
			f := uint64(b2i(r[1]+b > level)<<1 | b2i(r[2]+b > level)<<2 | b2i(r[3]+b > level)<<3 |
				b2i(r[4]+b > level)<<4 | b2i(r[5]+b > level)<<5)
			jj := (y0+j)*w + x0
			sh := uint(jj & 63)
			cl := d.stamp[jj>>6]>>sh | d.stamp[jj>>6+1]<<(64-sh) // << 64 is 0
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
		// are released below from the same bits, so d.blob is not needed.
		xf := float64(x0) + 0.5
		for j := 1; j < 6; j++ {
			rb := region >> uint(7*j) & 0x7F
			d.stampBits((y0+j)*w+x0, rb)
			yq := float64(y0+j) + 0.5
			wr := (*[8]float64)(win[8*j:])
			for ; rb != 0; rb &= rb - 1 {
				k := bits.TrailingZeros64(rb)
				q := wr[k&7]
				v := q + b
				area++
				if v > peak { // no NaN here: the same as max
					peak = v
				}
				mom.add(q, xf+float64(k), yq)
				if v > rise {
					brighter = true
				}
			}
		}
		if brighter {
			for j := range 7 {
				d.unstampBits((y0+j)*w+x0, region>>uint(7*j)&0x7F)
			}
			d.blob = d.blob[:0]
		}
	}
	for len(d.stack) > 0 && area < limit {
		e := int(d.stack[len(d.stack)-1])
		d.stack = d.stack[:len(d.stack)-1]
		x, y := e&0x7FFF, e>>15
		v := val(x, y)
		area++
		if v > peak { // no NaN here: the same as max
			peak = v
		}
		q := v - b
		mom.add(q, float64(x)+0.5, float64(y)+0.5)
		if v > rise && area <= d.o.MaxBlobArea {
			// The blob rises to a brighter star: this candidate is on its
			// flank and the brighter one owns it.
			brighter = true
			break
		}
		xa, xb := max(x-1, 0), min(x+1, w-1)
		for ny := max(y-1, 0); ny <= min(y+1, h-1); ny++ {
			for nx := xa; nx <= xb; nx++ {
				j := ny*w + nx
				if !d.claimed(j) && val(nx, ny) > level {
					d.claim(j)
					d.stack = append(d.stack, int32(ny<<15|nx))
					d.blob = append(d.blob, int32(j))
				}
			}
		}
	}
	if brighter {
		for _, j := range d.blob {
			d.release(int(j))
		}
		trace(px, py, "flank")
		return
	}
	if area > d.o.MaxBlobArea {
		// Release the pixels: with a misjudged background the fill can
		// spill into the sky, and stars there must stay findable.
		for _, j := range d.blob {
			d.release(int(j))
		}
		trace(px, py, "extended")
		return // extended: glare, lit foliage, a street light
	}
	// Only faint candidates can be fragments of a trail: a trail bright
	// enough (cross-section above ~8σ) stays connected above the blob level
	// and fails the elongation test instead.
	if float64(pv)-b < 10*sig && lineThrough(d, pix, stride, px, py, float64(pv)-b) {
		trace(px, py, "line")
		return // a fragment of a satellite or aircraft trail
	}
	// Stamp the 3×3 core too, so faint stars are not found twice.
	for y := py - 1; y <= py+1; y++ {
		d.stampBits(y*w+px-1, 7)
	}
	m0 := mom.m0
	if area >= 6 && m0 > 0 {
		ux, uy := mom.mx/m0, mom.my/m0
		vxx, vyy, vxy := mom.mxx/m0-ux*ux, mom.myy/m0-uy*uy, mom.mxy/m0-ux*uy
		tr, det := vxx+vyy, vxx*vyy-vxy*vxy
		disc := math.Sqrt(max(tr*tr/4-det, 0))
		l1, l2 := tr/2+disc, tr/2-disc
		e2 := d.o.MaxElongation * d.o.MaxElongation
		if l2 <= 1e-9 || l1/l2 > e2 {
			trace(px, py, "elongated")
			return // a trail
		}
	}
	saturated := peak >= d.satWork
	if (saturated || area > 25) && m0 > 0 {
		// A flat or wide top: the blob's first moment is the better centre.
		// (A square aperture around it was tried: neighbours and noise make
		// it worse.)
		cxf, cyf = mom.mx/m0, mom.my/m0
	}
	// Aperture sum for the brightness.
	ra := max(3, int(math.Ceil(math.Sqrt(float64(area)/math.Pi)))+2)
	ix, iy := int(cxf), int(cyf)
	bsum := 0.0
	xa, xb := max(ix-ra, 0), min(ix+ra, w-1)
	ya, yb := max(iy-ra, 0), min(iy+ra, h-1)
	if nHot == 0 || !d.hotRows(ya, yb) {
		// No hot pixel in the aperture: val is the pixel value.
		n := (xb - xa + 1) * (yb - ya + 1)
		bsum = float64(boxSum(pix, ya*stride+xa, stride, xb-xa+1, yb-ya+1)) - float64(n)*b
	} else {
		for y := ya; y <= yb; y++ {
			for x := xa; x <= xb; x++ {
				bsum += val(x, y) - b
			}
		}
	}
	d.stars = append(d.stars, Star{X: cxf, Y: cyf, Brightness: max(bsum, S), Peak: peak, Saturated: saturated})
	return false
}

// boxSum is the sum of the n×rows pixels from index i0 on. 8-bit rows
// of 8 or more pixels are summed eight pixels per load in 16-bit lanes; a
// row's last partial load is taken from the 8 bytes ending the row.
func boxSum[T uint8 | uint16](pix []T, i0, stride, n, rows int) int {
	if n <= 0 || rows <= 0 {
		return 0
	}
	if s, ok := boxSumSIMD(pix, i0, stride, n, rows); ok {
		return s
	}
	b, ok := any(pix).([]uint8)
	if !ok || n < 8 {
		s := 0
		for r := range rows {
			for _, p := range pix[i0+r*stride : i0+r*stride+n] {
				s += int(p)
			}
		}
		return s
	}
	full, rem := n&^7, n&7
	keep := ^uint64(0) << (8 * uint(8-rem)) // the last rem bytes of a load
	if rem == 0 {
		full, keep = n-8, ^uint64(0) // the last whole load is the "partial" one
	}
	// A row adds at most full/8+1 loads of 510 per lane; flush before 16
	// loads so that the four lanes' total stays below 2^16.
	perRow := full/8 + 1
	s, loads := 0, 0
	var acc uint64
	for r := range rows {
		row := b[i0+r*stride : i0+r*stride+n]
		if loads+perRow > 16 {
			s += int((acc * lane1) >> 48)
			acc, loads = 0, 0
		}
		for k := 0; k < full; k += 8 {
			v := binary.LittleEndian.Uint64(row[k:])
			acc += v&laneLo + v>>8&laneLo
			if loads++; loads == 16 {
				s += int((acc * lane1) >> 48)
				acc, loads = 0, 0
			}
		}
		v := binary.LittleEndian.Uint64(row[n-8:]) & keep
		acc += v&laneLo + v>>8&laneLo
		loads++
	}
	return s + int((acc*lane1)>>48)
}

// stampBits claims the pixels j, j+1, … for the set bits of m (at most 7).
func (d *Detector) stampBits(j int, m uint64) {
	sh := uint(j & 63)
	d.stamp[j>>6] |= m << sh
	d.stamp[j>>6+1] |= m >> (64 - sh) // 0 unless the bits cross the word
}

// unstampBits releases the pixels j, j+1, … for the set bits of m.
func (d *Detector) unstampBits(j int, m uint64) {
	sh := uint(j & 63)
	d.stamp[j>>6] &^= m << sh
	d.stamp[j>>6+1] &^= m >> (64 - sh)
}

func (d *Detector) claimed(j int) bool { return d.stamp[j>>6]>>(j&63)&1 != 0 }
func (d *Detector) claim(j int)        { d.stamp[j>>6] |= 1 << (j & 63) }
func (d *Detector) release(j int)      { d.stamp[j>>6] &^= 1 << (j & 63) }
func (d *Detector) isHot(j int) bool   { return d.hot[j>>6]>>(j&63)&1 != 0 }

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

// hotRows reports whether a row in [y0, y1] holds a hot pixel of this frame.
func (d *Detector) hotRows(y0, y1 int) bool {
	for _, g := range d.hotRow[y0 : y1+1] {
		if g == d.gen {
			return true
		}
	}
	return false
}

// dedup drops, in order, every star closer than 1.5 px to an earlier kept
// one. Kept stars are filed in a grid of 2×2-pixel cells, so only the 3×3
// cells around a star are searched: any star within 1.5 px lies there.
func (d *Detector) dedup(st []Star) []Star {
	gw, gh := d.w/2+3, d.h/2+3
	if len(d.grid) != gw*gh {
		d.grid = grow(d.grid, gw*gh)
		for i := range d.grid {
			d.grid[i] = -1
		}
	}
	// Centroids lie in the frame, so int(x/2) is floor(x/2); the clamp
	// (to the grid's padding ring) only guards against the impossible.
	cell := func(x, y float64) (int, int) {
		cx, cy := int(x*0.5)+1, int(y*0.5)+1
		if !(x >= 0) {
			cx = 1
		}
		if !(y >= 0) {
			cy = 1
		}
		return min(max(cx, 1), gw-2), min(max(cy, 1), gh-2)
	}
	d.gnext = d.gnext[:0]
	out := st[:0]
	for _, s := range st {
		gx, gy := cell(s.X, s.Y)
		dup := false
	search:
		for yy := gy - 1; yy <= gy+1; yy++ {
			for xx := gx - 1; xx <= gx+1; xx++ {
				for k := d.grid[yy*gw+xx]; k >= 0; k = d.gnext[k] {
					if dx, dy := s.X-out[k].X, s.Y-out[k].Y; dx*dx+dy*dy < 2.25 {
						dup = true
						break search
					}
				}
			}
		}
		if !dup {
			c := gy*gw + gx
			d.gnext = append(d.gnext, d.grid[c])
			d.grid[c] = int32(len(out))
			out = append(out, s)
		}
	}
	for _, s := range out {
		gx, gy := cell(s.X, s.Y)
		d.grid[gy*gw+gx] = -1
	}
	return out
}

// finish sorts, removes duplicates and applies MaxStars.
func (d *Detector) finish() []Star {
	st := d.stars
	if len(st) <= 1<<16 {
		// Sort keys: brightness (positive, so its bits order as integers)
		// complemented for descending order, its last 16 bits replaced by
		// the index. Stars within 2^-36 of each other in brightness keep
		// their scan order.
		keys := d.keys[:0]
		for i, s := range st {
			keys = append(keys, ^math.Float64bits(s.Brightness)&^0xFFFF|uint64(i))
		}
		slices.Sort(keys)
		d.sorted = append(d.sorted[:0], st...)
		for i, k := range keys {
			st[i] = d.sorted[k&0xFFFF]
		}
		d.keys = keys
	} else {
		slices.SortStableFunc(st, func(a, b Star) int { return cmp.Compare(b.Brightness, a.Brightness) })
	}
	if len(st) < 4000 {
		st = d.dedup(st)
	}
	if d.o.MaxStars > 0 && len(st) > d.o.MaxStars {
		st = st[:d.o.MaxStars]
	}
	d.stars = st
	return st
}

const (
	lineDirsN = 24 // directions over a half turn (7.5° apart)
	lineRmin  = 5
	lineRmax  = 15
	lineNR    = (lineRmax-lineRmin)/2 + 1 // radii 5, 7, … 15
)

// The sample loop of lineThrough is written out for six radii.
var _ = [1]struct{}{}[lineNR-6]

// lineOff holds, per direction, side and radius, the two pixel offsets of a
// sample straddling ±0.5 px across the ray: at radius 15 a line through the
// centre passes within 1 px of one of the 24 directions.
var lineOff = func() (o [lineDirsN][2][lineNR][2][2]int) {
	for k := range o {
		a := float64(k) * math.Pi / lineDirsN
		u := [2]float64{math.Cos(a), math.Sin(a)}
		for side := 0; side < 2; side++ {
			sg := float64(1 - 2*side)
			for i := 0; i < lineNR; i++ {
				r := float64(lineRmin + 2*i)
				for st := 0; st < 2; st++ {
					sv := float64(2*st-1) * 0.5
					// Offsets from the pixel centre, rounded to the pixel hit.
					x := sg*u[0]*r - u[1]*sv
					y := sg*u[1]*r + u[0]*sv
					o[k][side][i][st] = [2]int{int(math.Floor(x + 0.5)), int(math.Floor(y + 0.5))}
				}
			}
		}
	}
	return
}()

func lineThrough[T uint8 | uint16](d *Detector, pix []T, stride int, px, py int, pk float64) bool {
	sigS := d.sigP / math.Sqrt2 // noise of one straddled sample
	if px > lineRmax+1 && py > lineRmax+1 && px < d.w-lineRmax-2 && py < d.h-lineRmax-2 {
		return lineInner(d, pix, stride, px, py, pk, sigS)
	}
	// Near the frame edge a ray keeps its samples up to the first one
	// that leaves the frame. Samples are pixel pairs (twice the value).
	const nd = lineDirsN
	var sums, cnt [2 * nd]int32
	w, h := d.w, d.h
	if !lineEdgeSIMD(pix, stride, d.lineLinear(stride), px, py, w, h, &sums, &cnt) {
		for ks := range sums {
			offs := &lineOff[ks>>1][ks&1]
			a, n := int32(0), int32(0)
			for i := range offs {
				o := &offs[i]
				x0, y0, x1, y1 := px+o[0][0], py+o[0][1], px+o[1][0], py+o[1][1]
				if uint(x0) >= uint(w) || uint(x1) >= uint(w) || uint(y0) >= uint(h) || uint(y1) >= uint(h) {
					break
				}
				a += int32(pix[y0*stride+x0]) + int32(pix[y1*stride+x1])
				n++
			}
			sums[ks], cnt[ks] = a, n
		}
	}
	mean := func(ks int) float64 { return float64(sums[ks]) / float64(2*cnt[ks]) }
	// A side's mean against the reference has a noise of about
	// σs·sqrt(1.5/n); 3.5 of those on both sides at once is rare even
	// over 24 directions.
	var limN [lineNR + 1]float64
	for n := 1; n <= lineNR; n++ {
		limN[n] = max(3.5*sigS*math.Sqrt(1.5/float64(n)), 0.05*pk)
	}
	for k := range nd {
		q := (k + nd/2) % nd
		var ref float64
		switch pa, pb := cnt[2*q], cnt[2*q+1]; {
		case pa > 0 && pb > 0:
			ref = (mean(2*q) + mean(2*q+1)) / 2
		case pa > 0:
			ref = mean(2 * q)
		case pb > 0:
			ref = mean(2*q + 1)
		default:
			continue
		}
		na, nc := cnt[2*k], cnt[2*k+1]
		if na >= 2 && nc >= 2 && mean(2*k)-ref > limN[na] && mean(2*k+1)-ref > limN[nc] {
			trace(px, py, "line-2")
			return true
		}
		// A trail's end (or a trail leaving the frame): one side bright at
		// nearly every radius.
		for side := 0; side < 2; side++ {
			n := cnt[2*k+side]
			if n < 4 || mean(2*k+side)-ref <= limN[n] {
				continue
			}
			t := ref + max(1.5*sigS, 0.05*pk)
			c := int32(0)
			for _, o := range lineOff[k][side][:n] {
				v := int32(pix[(py+o[0][1])*stride+px+o[0][0]]) + int32(pix[(py+o[1][1])*stride+px+o[1][0]])
				if float64(v)/2 > t {
					c++
				}
			}
			if c*4 >= n*3 {
				trace(px, py, "line-1")
				return true
			}
		}
	}
	return false
}

// lineInner is lineThrough for a candidate whose rays lie wholly in the
// frame: every side has all lineNR samples, so the tests compare integer
// sums. With S the sum of a side's 2·lineNR pixels and R that of both
// sides of the perpendicular direction (the reference), a side's mean
// exceeds the reference by more than lim when 2S − R > 4·lineNR·lim.
func lineInner[T uint8 | uint16](d *Detector, pix []T, stride int, px, py int, pk, sigS float64) bool {
	const nd = lineDirsN
	lin := d.lineLinear(stride)
	lim := max(3.5*sigS*math.Sqrt(1.5/lineNR), 0.05*pk)
	// 2S − R is an integer: it exceeds x ≥ 0 exactly when it exceeds ⌊x⌋.
	l := int32(min(4*lineNR*lim, 1<<30))
	var sums [2 * nd]int32 // side sums, index 2k+side
	c := py*stride + px
	bright, ok := lineInnerSIMD(pix, c, lin, l, &sums)
	if !ok {
		r := (lineRmax + 1) * (stride + 1)
		p := pix[c-r : c+r+1]
		for ks := range sums {
			o := (*[lineNR * 2]int)(lin.pairs[ks*lineNR*2:])
			// Offsets may be negative: p is indexed from its middle, r.
			// Written out for the six radii (lineNR; checked above).
			sums[ks] = int32(p[r+o[0]]) + int32(p[r+o[1]]) + int32(p[r+o[2]]) + int32(p[r+o[3]]) +
				int32(p[r+o[4]]) + int32(p[r+o[5]]) + int32(p[r+o[6]]) + int32(p[r+o[7]]) +
				int32(p[r+o[8]]) + int32(p[r+o[9]]) + int32(p[r+o[10]]) + int32(p[r+o[11]])
		}
		for k := range nd {
			q := (k + nd/2) % nd
			ref := sums[2*q] + sums[2*q+1]
			bright |= uint64(b2i(2*sums[2*k]-ref > l)|b2i(2*sums[2*k+1]-ref > l)<<1) << (2 * k)
		}
	}
	// bright has bit 2k+side for each side whose mean exceeds the reference.
	for bright != 0 {
		k := bits.TrailingZeros64(bright) >> 1
		pair := bright >> (2 * k) & 3
		bright &^= 3 << (2 * k)
		if pair == 3 {
			trace(px, py, "line-2")
			return true
		}
		// A trail's end: one side bright at nearly every radius. Samples
		// are pixel pairs, twice the value; the reference mean is R/(4·lineNR).
		q := (k + nd/2) % nd
		ref := sums[2*q] + sums[2*q+1]
		side := int(pair >> 1)
		t := 2 * (float64(ref)/(4*lineNR) + max(1.5*sigS, 0.05*pk))
		o := (*[lineNR * 2]int)(lin.pairs[(2*k+side)*lineNR*2:])
		n := 0
		for i := 0; i < lineNR; i++ {
			v := int(pix[c+o[2*i]]) + int(pix[c+o[2*i+1]])
			n += b2i(float64(v) > t)
		}
		if n*4 >= lineNR*3 {
			trace(px, py, "line-1")
			return true
		}
	}
	return false
}

// lineDX and lineDY are the pixel offsets of lineOff laid out as
// lineTable.byRad (radius and straddle, then side 2k+side), for the
// vector kernel's frame-edge test.
var lineDX, lineDY = func() (dx, dy [lineNR * 2][lineDirsN * 2]int32) {
	for k := range lineOff {
		for side := range lineOff[k] {
			for i := range lineOff[k][side] {
				for st := 0; st < 2; st++ {
					o := lineOff[k][side][i][st]
					dx[2*i+st][2*k+side] = int32(o[0])
					dy[2*i+st][2*k+side] = int32(o[1])
				}
			}
		}
	}
	return
}()

// lineTable holds lineOff as offsets in a buffer of one stride
// (dy·stride+dx): pairs in the order of lineOff (direction, side, radius,
// straddle) and, for the vector kernel, int32 offsets by radius and
// straddle, then side index 2k+side.
type lineTable struct {
	stride int // 0: not yet computed
	pairs  [lineDirsN * 2 * lineNR * 2]int
	byRad  [lineNR * 2][lineDirsN * 2]int32
}

// lineLinear returns the offset table for the given stride, cached.
func (d *Detector) lineLinear(stride int) *lineTable {
	t := &d.line
	if t.stride != stride {
		j := 0
		for k := range lineOff {
			for side := range lineOff[k] {
				for i := range lineOff[k][side] {
					for st := 0; st < 2; st++ {
						o := lineOff[k][side][i][st]
						t.pairs[j] = o[1]*stride + o[0]
						t.byRad[2*i+st][2*k+side] = int32(t.pairs[j])
						j++
					}
				}
			}
		}
		t.stride = stride
	}
	return t
}

// ringStats returns the clipped mean and standard deviation of the 24
// pixels at Chebyshev distance 3 from (px, py).
func ringStats[T uint8 | uint16](pix []T, stride, px, py int) (mean, sd float64) {
	// Pixels are integers below 2^16, so their sums and sums of squares
	// over 24 pixels are exact in integers and equal the float sums.
	i0 := (py-3)*stride + px - 3
	if s, s2, _, hi, ok := ringSumsSIMD(pix, i0, stride, math.MaxInt32); ok {
		mean = float64(s) / 24
		sd = math.Sqrt(max(float64(s2)/24-mean*mean, 0))
		l := int64(math.Floor(mean + 2.5*sd))
		if int64(hi) <= l {
			return mean, sd
		}
		s, s2, k, _, _ := ringSumsSIMD(pix, i0, stride, int32(l))
		if k >= 4 {
			mean = float64(s) / float64(k)
			sd = math.Sqrt(max(float64(s2)/float64(k)-mean*mean, 0))
		}
		return mean, sd
	}
	var v [24]int64
	top := (*[7]T)(pix[(py-3)*stride+px-3:])
	bot := (*[7]T)(pix[(py+3)*stride+px-3:])
	for k := range 7 {
		v[2*k], v[2*k+1] = int64(top[k]), int64(bot[k])
	}
	r := (py-2)*stride + px
	for k := range 5 {
		c := pix[r-3 : r+4]
		v[14+2*k], v[15+2*k] = int64(c[0]), int64(c[6])
		r += stride
	}
	// First pass: every pixel (the limit is +Inf). Two sets of sums keep
	// the dependency chains short.
	var s, s2, hi, sb, s2b, hib int64
	for k := 0; k < len(v); k += 2 {
		x, y := v[k], v[k+1]
		s, sb = s+x, sb+y
		s2, s2b = s2+x*x, s2b+y*y
		hi, hib = max(hi, x), max(hib, y)
	}
	s, s2, hi = s+sb, s2+s2b, max(hi, hib)
	mean = float64(s) / 24
	sd = math.Sqrt(max(float64(s2)/24-mean*mean, 0))
	// Second pass, clipped at mean+2.5·sd: for integers x ≤ lim is
	// x ≤ ⌊lim⌋. With nothing above it, the pass would repeat the first.
	l := int64(math.Floor(mean + 2.5*sd))
	if hi <= l {
		return mean, sd
	}
	s, s2 = 0, 0
	k := int64(0)
	for _, x := range v[:] {
		in := ^((l - x) >> 63) & 1 // 1 when x ≤ l
		x *= in
		s += x
		s2 += x * x
		k += in
	}
	if k >= 4 {
		mean = float64(s) / float64(k)
		sd = math.Sqrt(max(float64(s2)/float64(k)-mean*mean, 0))
	}
	return mean, sd
}

// traceReject, when set by this package's tests, is told why a candidate
// was dropped. It is never set in production code.
var traceReject func(x, y int, why string)

func trace(x, y int, why string) {
	if traceReject != nil {
		traceReject(x, y, why)
	}
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

// wPhases is the number of tabulated window phases per pixel.
const wPhases = 32

// wEntry holds the centroid weights of a 7-pixel window row whose first
// pixel centre lies u = index/wPhases px before the centre: w[k] =
// exp(−(k−u)²/2s²) and wt[k] = w[k]·(k−u); element 7 is 0 (the window's
// padding column).
type wEntry struct {
	w, wt [8]float64
	ss    float64 // Σ w[k]² over the 7 pixels, summed in order of k
}

// centroidSums returns the Gaussian-weighted sums of the window: S =
// Σ wy.w[j]·wx.w[k]·v, sx with wx.wt and sy with wy.wt. Column sums come
// first (C[k] = Σj wy.w[j]·v[j][k], in order of j), then each dot product
// over k as ((p0+p4)+(p2+p6)) + ((p1+p5)+(p3+p7)), the order of the vector
// kernel (centroidLoopAVX2), which therefore gives the same bits.
func centroidSums(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64) {
	var c, cy [7]float64
	for j := range 7 {
		r := (*[7]float64)(win[8*j:])
		a, t := wy.w[j], wy.wt[j]
		for k := range c {
			c[k] += a * r[k]
			cy[k] += t * r[k]
		}
	}
	// p7 is 0·0: adding it changes nothing.
	dot := func(w *[8]float64, v *[7]float64) float64 {
		return ((w[0]*v[0] + w[4]*v[4]) + (w[2]*v[2] + w[6]*v[6])) + ((w[1]*v[1] + w[5]*v[5]) + w[3]*v[3])
	}
	return dot(&wx.w, &c), dot(&wx.wt, &c), dot(&wx.w, &cy)
}

// wIndex is the table index nearest to phase u, clamped to the table.
func (d *Detector) wIndex(u float64) int {
	i := int(u*wPhases + 0.5)
	return min(max(i, 0), len(d.wTab)-1)
}

// buildWeights fills the weight table for the PSF width in use.
func (d *Detector) buildWeights() {
	if d.wTabSig == d.wgtSig && len(d.wTab) > 0 {
		return
	}
	inv := 1 / (2 * d.wgtSig * d.wgtSig)
	// Window phases run from 0 (clipped at the frame edge) to 4 px.
	d.wTab = make([]wEntry, 4*wPhases+1)
	for i := range d.wTab {
		u := float64(i) / wPhases
		for k := range 7 {
			t := float64(k) - u
			d.wTab[i].w[k] = math.Exp(-inv * t * t)
			d.wTab[i].wt[k] = d.wTab[i].w[k] * t
			d.wTab[i].ss += d.wTab[i].w[k] * d.wTab[i].w[k]
		}
	}
	d.wTabSig = d.wgtSig
}
