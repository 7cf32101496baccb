package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"math"
	"math/bits"
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
	return &Detector{opts: d, diffHist: make([]uint32, 8192)}
}

// Options returns the effective options.
func (d *Detector) Options() Options { return d.opts }

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
		if d.converted == nil || d.converted.Rect != b {
			d.converted = image.NewGray(b)
		}
		draw.Draw(d.converted, b, img, b.Min, draw.Src)
		return d.DetectGray(d.converted.Pix, b.Dx(), b.Dy(), d.converted.Stride)
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
	sat := d.opts.SaturationLevel
	if sat == 0 {
		sat = 255
	}
	d.setup(w, h, sat)
	if d.boxStride == 2 { // stage 1, the box sums (boxsums.go)
		d.bin8(pix, stride)
	} else {
		d.box8(pix, stride)
	}
	d.estimate()           // stages 2 and 3, noise and background (noise.go, background.go)
	scan(d, pix, stride)   // stages 4 and 5, candidates and refinement (candidates.go, refine.go)
	res.Stars = d.finish() // result.go
	res.Noise = d.noisePixel
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
	if cap(d.scaled16) < w*h {
		d.scaled16 = make([]uint16, w*h)
	}
	work := d.scaled16[:w*h]
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
	sat := d.opts.SaturationLevel
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
	res.Noise = d.noisePixel * scale
	return res, nil
}
