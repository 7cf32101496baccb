package render

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
)

// Cloud is a circular region of lowered transmission (cloud, dew, a branch).
// Inside Radius star flux is multiplied by Transmission and GlowADU is added
// to the background (moonlit cloud); the edge is softened over 20% of Radius.
type Cloud struct {
	X, Y, Radius float64 // pixels
	Transmission float64 // 0 (opaque) … 1 (clear)
	GlowADU      float64
}

// Streak is a satellite or aircraft trail: a line from (X0, Y0) to (X1, Y1)
// with ADUPerPx of flux per pixel of length and a Gaussian cross-section of
// the frame's PSF.
type Streak struct {
	X0, Y0, X1, Y1 float64
	ADUPerPx       float64
}

// Glare is an extended light source (streetlight, lit tree, the Moon's
// scatter): a Gaussian hump of PeakADU and standard deviation SigmaPx.
type Glare struct {
	X, Y, SigmaPx, PeakADU float64
}

// Options describe one exposure. The photometric model, in ADU of the 8-bit
// frame: a star of magnitude V gives
//
//	flux = ZeroPointADU · Gain · ExposureUS/1e6 · 10^(−0.4·V)
//
// (linear in exposure and gain), spread by a Gaussian PSF of FWHMPx
// integrated over each pixel. The background is SkyADU plus a linear gradient
// of GradientADU across the frame towards GradientAngleDeg (0 = +x, 90 = +y),
// plus cloud glow and glare. Noise: Poisson on electrons, with
// ADUPerElectron·Gain ADU per electron, plus Gaussian read noise, then
// rounding; 8-bit frames clip at 255. 16-bit frames carry the same ADU scaled
// by 256 (so 16-bit saturation is at 65535/256 ≈ 256 ADU), keeping 8
// fractional bits.
type Options struct {
	Width, Height int
	FOVDeg        float64 // horizontal field of view
	Attitude      geom.Attitude
	ExposureUS    float64
	Gain          float64 // relative analogue gain (1 = the calibration below)
	FWHMPx        float64
	BitDepth      int // 8 or 16
	Seed          uint64

	SkyADU           float64 // background level at the frame centre
	GradientADU      float64 // background change across the frame
	GradientAngleDeg float64
	ReadNoiseADU     float64
	ADUPerElectron   float64 // at Gain 1
	ZeroPointADU     float64 // ADU per second of a V=0 star at Gain 1

	HotPixels      int     // number of hot pixels, placed at random
	HotPixelMinADU float64 // hot pixel excess over background, uniform in [min, max]
	HotPixelMaxADU float64

	TrailPx  [2]float64 // star motion (dx, dy) in pixels during the exposure
	Cloud    *Cloud
	Streaks  []Streak
	Glares   []Glare
	MagLimit float64 // stars fainter than this are not drawn
	NoNoise  bool    // draw the noiseless expectation (for tests)
}

// DefaultOptions is a PiFinder imx296 + 16 mm frame as the solver sees it:
// 512×512 over 13.7°, 0.4 s, background 15 ADU with about 2.9 ADU of noise
// (Poisson on 37 e⁻ plus 1.5 ADU read noise). The zero point puts the sigma-8
// detection limit near V 6.4, so a typical field holds 20-60 detectable stars;
// V ≈ 4.3 saturates.
func DefaultOptions() Options {
	return Options{
		Width: 512, Height: 512, FOVDeg: 13.7,
		ExposureUS: 400000, Gain: 1, FWHMPx: 1.8, BitDepth: 8, Seed: 1,
		SkyADU: 15, ReadNoiseADU: 1.5, ADUPerElectron: 0.4, ZeroPointADU: 80000,
		HotPixelMinADU: 40, HotPixelMaxADU: 240,
		MagLimit: 8.5,
	}
}

// TrueStar is a star as drawn. X, Y are the pixel position of the flux
// centroid (the mid-exposure position for trails) with (0.5, 0.5) the centre
// of the top-left pixel. Flux is the total ADU drawn (after cloud
// transmission), Peak the brightest pixel's noiseless value above background
// (before clipping).
//
// SNR is the CCD-equation signal-to-noise ratio of the star in an aperture of
// radius FWHM:
//
//	SNR = Flux / sqrt(Flux·g + npix·σ²),  npix = π·FWHM² + 2·FWHM·L
//
// with g = ADUPerElectron·Gain (ADU per electron, so Flux·g is the star's
// Poisson variance in ADU²), σ² the per-pixel background variance
// (sky Poisson + read noise² + 1/12 rounding) at the star and L the trail length.
type TrueStar struct {
	HIP                             int
	RA, Dec, Vmag, X, Y, Flux, Peak float64
	SNR                             float64
	Saturated                       bool
}

// Frame is a rendered image. Gray is always filled; Gray16 only for BitDepth
// 16 (the same frame with 8 more fractional bits). Stars lists, brightest
// first, every star whose centre lies inside the frame; stars just outside
// are drawn too (their wings spill in) but not listed. HotPixels lists the
// hot pixels drawn. The unexported buffers are reused by RenderInto, so a
// Frame must not be shared between concurrent RenderInto calls; a Sky may.
type Frame struct {
	Gray      *image.Gray
	Gray16    *image.Gray16
	Stars     []TrueStar
	HotPixels []image.Point

	mean    []float32 // expected ADU per pixel
	near    []*skyStar
	gx, gy  []float64
	win     []float32
	rng     *rand.Rand
	pcg     *rand.PCG
	noStars bool
}

// ErrOptions marks invalid render options.
var ErrOptions = errors.New("render: bad options")

func (o *Options) check() error {
	switch {
	case o.Width <= 0 || o.Height <= 0 || o.Width > 1<<14 || o.Height > 1<<14:
		return fmt.Errorf("%w: size %dx%d", ErrOptions, o.Width, o.Height)
	case !(o.FOVDeg > 0 && o.FOVDeg < 170):
		return fmt.Errorf("%w: FOV %g", ErrOptions, o.FOVDeg)
	case o.BitDepth != 8 && o.BitDepth != 16:
		return fmt.Errorf("%w: bit depth %d (want 8 or 16)", ErrOptions, o.BitDepth)
	case !(o.FWHMPx > 0.3 && o.FWHMPx < 50):
		return fmt.Errorf("%w: FWHM %g px", ErrOptions, o.FWHMPx)
	case o.ExposureUS < 0 || o.Gain < 0 || o.ADUPerElectron < 0 || o.ReadNoiseADU < 0 || o.HotPixels < 0:
		return fmt.Errorf("%w: negative exposure, gain, noise or hot pixel count", ErrOptions)
	}
	return nil
}

// Render draws a new frame.
func (s *Sky) Render(o Options) (*Frame, error) {
	f := &Frame{}
	if err := s.RenderInto(o, f); err != nil {
		return nil, err
	}
	return f, nil
}

// Noise draws a frame without stars: background, gradient, noise, hot
// pixels, streaks, glare and cloud glow as configured. For negative tests.
func Noise(o Options) (*Frame, error) {
	f := &Frame{noStars: true}
	if err := (*Sky)(nil).RenderInto(o, f); err != nil {
		return nil, err
	}
	return f, nil
}

// RenderInto draws into dst, reusing its buffers when the size allows.
// dst.Stars and dst.HotPixels are overwritten.
func (s *Sky) RenderInto(o Options, dst *Frame) error {
	if err := o.check(); err != nil {
		return err
	}
	if dst == nil {
		return fmt.Errorf("%w: nil frame", ErrOptions)
	}
	w, h := o.Width, o.Height
	n := w * h
	if cap(dst.mean) < n {
		dst.mean = make([]float32, n)
	}
	dst.mean = dst.mean[:n]
	if dst.Gray == nil || dst.Gray.Rect.Dx() != w || dst.Gray.Rect.Dy() != h {
		dst.Gray = image.NewGray(image.Rect(0, 0, w, h))
	}
	if o.BitDepth == 16 {
		if dst.Gray16 == nil || dst.Gray16.Rect.Dx() != w || dst.Gray16.Rect.Dy() != h {
			dst.Gray16 = image.NewGray16(image.Rect(0, 0, w, h))
		}
	} else {
		dst.Gray16 = nil
	}
	if dst.pcg == nil {
		dst.pcg = rand.NewPCG(0, 0)
		dst.rng = rand.New(dst.pcg)
	}
	dst.pcg.Seed(o.Seed, o.Seed^0x9e3779b97f4a7c15)
	dst.Stars = dst.Stars[:0]
	dst.HotPixels = dst.HotPixels[:0]

	sig := o.FWHMPx / (2 * math.Sqrt(2*math.Ln2))
	g := o.ADUPerElectron * o.Gain

	drawBackground(&o, dst.mean)
	if !dst.noStars && s != nil {
		s.drawStars(&o, dst, sig, g)
	}
	for _, st := range o.Streaks {
		drawStreak(&o, dst, st, sig)
	}
	addNoise(&o, dst, g)
	// Hot pixels: sensor defects, added after noise.
	for i := 0; i < o.HotPixels; i++ {
		x, y := dst.rng.IntN(w), dst.rng.IntN(h)
		ex := o.HotPixelMinADU + dst.rng.Float64()*(o.HotPixelMaxADU-o.HotPixelMinADU)
		dst.HotPixels = append(dst.HotPixels, image.Point{X: x, Y: y})
		i8 := y*dst.Gray.Stride + x
		dst.Gray.Pix[i8] = clip8(float64(dst.Gray.Pix[i8]) + ex)
		if dst.Gray16 != nil {
			j := y*dst.Gray16.Stride + 2*x
			v := float64(uint16(dst.Gray16.Pix[j])<<8|uint16(dst.Gray16.Pix[j+1])) + ex*256
			u := clip16(v)
			dst.Gray16.Pix[j], dst.Gray16.Pix[j+1] = uint8(u>>8), uint8(u)
		}
	}
	return nil
}

// background returns the noiseless sky level at (x, y) excluding stars.
func background(o *Options, x, y float64) float64 {
	b := o.SkyADU
	if o.GradientADU != 0 {
		sa, ca := math.Sincos(o.GradientAngleDeg * math.Pi / 180)
		// Projection onto the gradient direction, normalised so the change
		// across the frame's extent along that direction is GradientADU.
		ext := math.Abs(ca)*float64(o.Width) + math.Abs(sa)*float64(o.Height)
		b += o.GradientADU * ((x-float64(o.Width)/2)*ca + (y-float64(o.Height)/2)*sa) / ext
	}
	if c := o.Cloud; c != nil {
		b += c.GlowADU * cloudCover(c, x, y)
	}
	for _, gl := range o.Glares {
		dx, dy := x-gl.X, y-gl.Y
		b += gl.PeakADU * math.Exp(-(dx*dx+dy*dy)/(2*gl.SigmaPx*gl.SigmaPx))
	}
	return b
}

// cloudCover is 1 inside the cloud, 0 outside, with a soft edge.
func cloudCover(c *Cloud, x, y float64) float64 {
	r := math.Hypot(x-c.X, y-c.Y)
	edge := 0.2 * c.Radius
	switch {
	case r <= c.Radius-edge:
		return 1
	case r >= c.Radius || edge <= 0:
		return 0
	}
	return (c.Radius - r) / edge
}

func drawBackground(o *Options, mean []float32) {
	w, h := o.Width, o.Height
	simple := o.GradientADU == 0 && o.Cloud == nil && len(o.Glares) == 0
	if simple {
		b := float32(o.SkyADU)
		for i := range mean {
			mean[i] = b
		}
		return
	}
	for y := 0; y < h; y++ {
		row := mean[y*w : (y+1)*w]
		for x := range row {
			row[x] = float32(background(o, float64(x)+0.5, float64(y)+0.5))
		}
	}
}

// axisWeights fills gw with the fraction of a 1-D Gaussian (centre c, sigma
// sig) falling in pixels x0, x0+1, …: the PSF integrated over each pixel, so
// centroids are unbiased however coarse the sampling.
func axisWeights(gw []float64, x0 int, c, sig float64) {
	k := 1 / (sig * math.Sqrt2)
	prev := math.Erf((float64(x0) - c) * k)
	for i := range gw {
		next := math.Erf((float64(x0+i+1) - c) * k)
		gw[i] = 0.5 * (next - prev)
		prev = next
	}
}

func (s *Sky) drawStars(o *Options, dst *Frame, sig, g float64) {
	w, h := o.Width, o.Height
	cam := geom.Camera{W: w, H: h, FOV: o.FOVDeg}
	rot := o.Attitude.Rotation()
	trailLen := math.Hypot(o.TrailPx[0], o.TrailPx[1])
	// Search radius: the half-diagonal of the frame plus the trail, in degrees.
	half := math.Atan(math.Hypot(float64(w), float64(h))/2*cam.Scale()) * 180 / math.Pi
	radius := half + trailLen*o.FOVDeg/float64(w) + 0.2
	dst.near = s.near(o.Attitude.RA, o.Attitude.Dec, radius, dst.near[:0])
	fluxScale := o.ZeroPointADU * o.Gain * o.ExposureUS / 1e6
	full := 255.0
	nsteps := 1
	if trailLen > 0 {
		nsteps = int(math.Ceil(trailLen*3)) + 1
	}
	fw := o.FWHMPx
	npixBase := math.Pi*fw*fw + 2*fw*trailLen
	for _, st := range dst.near {
		if st.vmag > o.MagLimit {
			continue
		}
		x, y, ok := cam.VectorPixel(rot.ApplyT(st.v))
		if !ok {
			continue
		}
		if x < -trailLen-10 || y < -trailLen-10 || x > float64(w)+trailLen+10 || y > float64(h)+trailLen+10 {
			continue
		}
		flux := fluxScale * math.Pow(10, -0.4*st.vmag)
		if o.Cloud != nil {
			flux *= 1 - (1-o.Cloud.Transmission)*cloudCover(o.Cloud, x, y)
		}
		if flux <= 0 {
			continue
		}
		// Window: far enough that the clipped wing is below 0.02 ADU.
		pk := flux / (2 * math.Pi * sig * sig)
		r := sig * math.Sqrt(2*math.Log(math.Max(pk/0.02, 2)))
		r = math.Min(math.Ceil(r)+1, 60)
		x0 := int(math.Floor(x-math.Abs(o.TrailPx[0])/2-r)) - 1
		y0 := int(math.Floor(y-math.Abs(o.TrailPx[1])/2-r)) - 1
		x1 := int(math.Ceil(x+math.Abs(o.TrailPx[0])/2+r)) + 1
		y1 := int(math.Ceil(y+math.Abs(o.TrailPx[1])/2+r)) + 1
		ww, wh := x1-x0, y1-y0
		if cap(dst.win) < ww*wh {
			dst.win = make([]float32, ww*wh)
		}
		win := dst.win[:ww*wh]
		clear(win)
		if cap(dst.gx) < ww {
			dst.gx = make([]float64, ww)
		}
		if cap(dst.gy) < wh {
			dst.gy = make([]float64, wh)
		}
		gx, gy := dst.gx[:ww], dst.gy[:wh]
		fs := flux / float64(nsteps)
		for k := 0; k < nsteps; k++ {
			f := 0.0
			if nsteps > 1 {
				f = float64(k)/float64(nsteps-1) - 0.5
			}
			axisWeights(gx, x0, x+f*o.TrailPx[0], sig)
			axisWeights(gy, y0, y+f*o.TrailPx[1], sig)
			for j, vy := range gy {
				if vy*fs < 1e-4 {
					continue
				}
				row := win[j*ww : (j+1)*ww]
				for i, vx := range gx {
					row[i] += float32(fs * vx * vy)
				}
			}
		}
		peak := 0.0
		for j := 0; j < wh; j++ {
			yy := y0 + j
			if yy < 0 || yy >= h {
				continue
			}
			for i := 0; i < ww; i++ {
				xx := x0 + i
				if xx < 0 || xx >= w {
					continue
				}
				v := win[j*ww+i]
				dst.mean[yy*w+xx] += v
				if float64(v) > peak {
					peak = float64(v)
				}
			}
		}
		if !cam.Inside(x, y) {
			continue
		}
		bg := background(o, x, y)
		varPix := math.Max(bg, 0)*g + o.ReadNoiseADU*o.ReadNoiseADU + 1.0/12
		snr := flux / math.Sqrt(flux*g+npixBase*varPix)
		dst.Stars = append(dst.Stars, TrueStar{
			HIP: st.hip, RA: st.ra, Dec: st.dec, Vmag: st.vmag, X: x, Y: y,
			Flux: flux, Peak: peak, SNR: snr, Saturated: bg+peak >= full,
		})
	}
	// Brightest first, like the detector's output (insertion sort keeps it
	// allocation-free; fields hold tens of stars).
	ss := dst.Stars
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && ss[j].Flux > ss[j-1].Flux; j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

func drawStreak(o *Options, dst *Frame, st Streak, sig float64) {
	w, h := o.Width, o.Height
	l := math.Hypot(st.X1-st.X0, st.Y1-st.Y0)
	n := int(math.Ceil(l*2)) + 1
	fs := st.ADUPerPx * l / float64(n)
	r := int(math.Ceil(4*sig)) + 1
	var gx, gy [64]float64
	if 2*r+1 > len(gx) {
		r = (len(gx) - 1) / 2
	}
	for k := 0; k < n; k++ {
		f := float64(k) / math.Max(1, float64(n-1))
		x, y := st.X0+f*(st.X1-st.X0), st.Y0+f*(st.Y1-st.Y0)
		x0, y0 := int(math.Floor(x))-r, int(math.Floor(y))-r
		axisWeights(gx[:2*r+1], x0, x, sig)
		axisWeights(gy[:2*r+1], y0, y, sig)
		for j := 0; j <= 2*r; j++ {
			yy := y0 + j
			if yy < 0 || yy >= h {
				continue
			}
			for i := 0; i <= 2*r; i++ {
				xx := x0 + i
				if xx < 0 || xx >= w {
					continue
				}
				dst.mean[yy*w+xx] += float32(fs * gx[i] * gy[j])
			}
		}
	}
}

// addNoise turns the expectation into counts and quantises.
func addNoise(o *Options, dst *Frame, g float64) {
	w, h := o.Width, o.Height
	rng := dst.rng
	rn2 := o.ReadNoiseADU * o.ReadNoiseADU
	g8 := dst.Gray
	for y := 0; y < h; y++ {
		row := dst.mean[y*w : (y+1)*w]
		out := g8.Pix[y*g8.Stride : y*g8.Stride+w]
		var out16 []uint8
		if dst.Gray16 != nil {
			out16 = dst.Gray16.Pix[y*dst.Gray16.Stride : y*dst.Gray16.Stride+2*w]
		}
		for x, m := range row {
			v := float64(m)
			if !o.NoNoise {
				if v < 0 {
					v = 0
				}
				if g > 0 {
					lam := v / g
					if lam < 25 {
						v = float64(poisson(rng, lam)) * g
					} else {
						v += math.Sqrt(lam) * g * rng.NormFloat64()
					}
				}
				if rn2 > 0 {
					v += o.ReadNoiseADU * rng.NormFloat64()
				}
			}
			out[x] = clip8(v)
			if out16 != nil {
				u := clip16(v * 256)
				out16[2*x], out16[2*x+1] = uint8(u>>8), uint8(u)
			}
		}
	}
}

// poisson draws a Poisson variate by Knuth's product method (small means only).
func poisson(rng *rand.Rand, lam float64) int {
	l := math.Exp(-lam)
	k := 0
	p := rng.Float64()
	for p > l {
		k++
		p *= rng.Float64()
	}
	return k
}

func clip8(v float64) uint8 {
	v = math.Round(v)
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

func clip16(v float64) uint16 {
	v = math.Round(v)
	if v <= 0 {
		return 0
	}
	if v >= 65535 {
		return 65535
	}
	return uint16(v)
}
