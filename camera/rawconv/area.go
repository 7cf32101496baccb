package rawconv

import "math"

// wOne is the fixed-point sum of one output pixel's area weights. 2^15
// keeps each weight in 16 bits (the NEON multiply-accumulates take 16-bit
// operands) and a weighted sum of 16-bit samples below 2^31, so the sums
// fit uint32 even for garbage frames that are rejected afterwards.
const (
	wBits = 15
	wOne  = 1 << wBits
)

// axis holds the box (exact-area) weights of one resize axis: output i
// averages the inputs start[i] … start[i]+taps-1 with weights
// w[i*taps : (i+1)*taps] (trailing weights may be zero), summing to wOne.
type axis struct {
	in, out int
	taps    int
	start   []int32
	w       []uint16
}

// newAxis computes the exact overlaps of output pixel i, [i·in/out,
// (i+1)·in/out), with each input pixel, in units of 1/out input pixel so
// they are integers summing to in, then scales them to wOne with the
// largest-remainder rule so every output's weights sum to exactly wOne: a
// uniform frame stays uniform, and no output gains or loses flux.
func newAxis(in, out int) axis {
	a := axis{in: in, out: out, start: make([]int32, out)}
	for i := range out {
		lo, hi := i*in/out, ((i+1)*in-1)/out // first and last input touched
		a.taps = max(a.taps, hi-lo+1)
	}
	a.w = make([]uint16, out*a.taps)
	ov := make([]int, a.taps)
	rem := make([]int, a.taps)
	for i := range out {
		lo := i * in / out
		a.start[i] = int32(lo)
		b0, b1 := i*in, (i+1)*in // output span in 1/out units
		total := 0
		for k := range ov {
			x := lo + k
			ov[k] = max(0, min(b1, (x+1)*out)-max(b0, x*out))
			if x >= in {
				ov[k] = 0
			}
			q := ov[k] * wOne / in
			rem[k] = ov[k]*wOne - q*in
			a.w[i*a.taps+k] = uint16(q)
			total += q
		}
		for ; total < wOne; total++ {
			best := -1
			for k := range rem {
				if ov[k] > 0 && (best < 0 || rem[k] > rem[best]) {
					best = k
				}
			}
			rem[best] = -1
			a.w[i*a.taps+best]++
		}
	}
	return a
}

// scale8 is the profile's 8-bit formula in the fixed point of the
// horizontal sums: a sum h (wOne × the mean in 16-bit full scale, i.e.
// samples shifted up by 16−Bits) maps to
//
//	min(255, ((max(h−bias, 0) >> wBits) · mul) >> shift)
//
// which is (mean − bias) × gain × 255 / (2^bits − bias − 1) truncated and
// clipped. mul has 32 bits: the exact values of the formula come as close
// as 1/3839 of a level to an integer (HQ), so a 16-bit multiplier would
// move some of them across it. The NEON kernel forms the 48-bit product
// from two 16×16-bit halves.
type scale8 struct {
	bias  uint32
	mul   uint32
	shift uint32 // at least 16
}

func newScale8(p Profile) scale8 {
	up := float64(int(1) << (16 - p.Bits))
	// Output levels per unit of (h−bias)>>wBits.
	s := p.DigitalGain * 255 / (float64(int(1)<<p.Bits) - p.Bias - 1) / up
	// Without a fitting multiplier (a gain so large that one unit is
	// already past 255) every non-zero value saturates.
	sc := scale8{bias: uint32(math.Round(p.Bias * up * wOne)), mul: math.MaxUint32, shift: 16}
	// The largest shift whose multiplier fits 32 bits. Rounding the
	// multiplier up keeps exact integers exact (a saturated frame is 255,
	// not 254); it moves nothing else by more than 2^-31 relative.
	for sh := 63; sh >= 16; sh-- {
		m := math.Ceil(s * math.Ldexp(1, sh))
		if m <= math.MaxUint32 {
			sc.mul, sc.shift = uint32(m), uint32(sh)
			break
		}
	}
	return sc
}

// apply is the scalar form of the conversion, the reference for the NEON
// one.
func (sc scale8) apply(h uint32) uint8 {
	d := uint64(0)
	if h > sc.bias {
		d = uint64(h-sc.bias) >> wBits
	}
	v := d * uint64(sc.mul) >> sc.shift
	if v > 255 {
		return 255
	}
	return uint8(v)
}
