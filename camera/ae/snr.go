package ae

import "image"

// SNRConfig holds the SNR controller's parameters.
type SNRConfig struct {
	// NoiseFloor, when HasNoiseFloor, sets the lower background bound to
	// NoiseFloor+2; otherwise the lower bound is 15.
	NoiseFloor    float64
	HasNoiseFloor bool
	Upper         float64 // background above this → shorter exposure
	Step          float64 // multiplicative step
	MinUS, MaxUS  int64
}

// DefaultSNRConfig is PiFinder's: noise floor 10 (so lower bound 12), upper
// bound 100, step ×1.3, 10 ms … 1 s.
func DefaultSNRConfig() SNRConfig {
	return SNRConfig{NoiseFloor: 10, HasNoiseFloor: true, Upper: 100, Step: 1.3, MinUS: 10000, MaxUS: 1000000}
}

// SNR keeps the frame background (its 10th percentile) between two bounds.
type SNR struct{ cfg SNRConfig }

// NewSNR returns an SNR controller.
func NewSNR(cfg SNRConfig) *SNR { return &SNR{cfg: cfg} }

// Lower returns the lower background bound.
func (s *SNR) Lower() float64 {
	if s.cfg.HasNoiseFloor {
		return s.cfg.NoiseFloor + 2
	}
	return 15
}

// Update takes the background level (10th percentile of the 8-bit frame)
// and the current exposure; it returns the new exposure or ok false.
func (s *SNR) Update(background float64, currentUS int64) (exposureUS int64, ok bool) {
	var v int64
	switch {
	case background < s.Lower():
		v = int64(float64(currentUS) * s.cfg.Step)
	case background > s.cfg.Upper:
		v = int64(float64(currentUS) / s.cfg.Step)
	default:
		return 0, false
	}
	v = max(s.cfg.MinUS, min(s.cfg.MaxUS, v))
	return v, true
}

// Percentile returns the p-th percentile (0…100) of an 8-bit image with
// linear interpolation between ranks (numpy's default). It does not allocate.
func Percentile(img *image.Gray, p float64) float64 {
	var hist [256]int
	b := img.Rect
	w := b.Dx()
	n := 0
	for y := 0; y < b.Dy(); y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		for _, v := range row {
			hist[v]++
		}
		n += w
	}
	if n == 0 {
		return 0
	}
	pos := p / 100 * float64(n-1)
	lo := int(pos)
	frac := pos - float64(lo)
	a := rankValue(&hist, lo)
	if frac == 0 || lo+1 >= n {
		return float64(a)
	}
	c := rankValue(&hist, lo+1)
	return float64(a) + frac*float64(c-a)
}

func rankValue(hist *[256]int, k int) int {
	acc := 0
	for v, c := range hist {
		acc += c
		if acc > k {
			return v
		}
	}
	return 255
}
