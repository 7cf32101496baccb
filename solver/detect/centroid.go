package detect

import (
	"fmt"
	"math"
)

// window is the 7×7 pixels around a seed (fewer at the frame's edge),
// background-subtracted and read once for all the centroid's iterations
// and for the blob's core.
type window struct {
	// Row stride 8: column 7, and the cells of a window clipped by the
	// frame's edge, are 0 so that every sum may run over all 7×7. (A whole
	// window overwrites the 7×7 cells and leaves column 7 at 0; a clipped
	// one clears the cells first.)
	cells          [56]float64
	x0, y0, x1, y1 int // the pixels it covers, inclusive
	// first holds firstMoment's sums m, mx, my when hasFirst: a vector
	// kernel that loads the window computes them on the way.
	first    [3]float64
	hasFirst bool
}

// covers7x7 reports whether the window is whole, centred on (px, py).
func (win *window) covers7x7(px, py int) bool {
	return win.x0 == px-3 && win.y0 == py-3 && win.x1 == px+3 && win.y1 == py+3
}

// centroid is the iterative Gaussian-windowed centroid of the 7×7 window
// around the seed, which it loads into win. It returns the centre and the
// matched-filter weighted sum; ok is false when the weighted sum is under
// Sigma times its noise (no star).
func (f *frame[T]) centroid(s *seed, win *window) (cx, cy, weighted float64, ok bool) {
	d := f.d
	ssPos, ssAll := f.loadWindow(s, win)
	// The weighted sum S below is at most sqrt(Σw²·Σ(v⁺)²) (Cauchy-Schwarz,
	// all weights ≥ 0), so when sqrt(Σ(v⁺)²) is clearly under Sigma·σ the
	// candidate fails the significance test whatever the centroid: skip
	// the iterations. The margins cover the rounding of S (at most ~1e-14
	// of sqrt(Σw²·Σv²)) and of the final division.
	if traceReject == nil && math.Sqrt(ssPos)+1e-9*math.Sqrt(ssAll) < d.opts.Sigma*s.noise*(1-1e-9) {
		return 0, 0, 0, false
	}
	if win.hasFirst {
		cx, cy = float64(s.x)+0.5, float64(s.y)+0.5
		if m := win.first[0]; m > 0 {
			cx += win.first[1] / m
			cy += win.first[2] / m
		}
	} else {
		cx, cy = win.firstMoment(s.x, s.y)
	}
	// Gaussian-weighted centroid, iterated. The weights come from a table
	// of window phases 1/wPhases px apart; each step restarts from the
	// tabulated centre next to the estimate. For a Gaussian star one step
	// from any nearby centre lands on the star (the factor 2), so the phase
	// rounding does not bias the result.
	weighted, cx, cy, phx, phy, ok := d.centroidLoop(&win.cells, win.x0, win.y0, s.x, s.y, cx, cy)
	if !ok {
		return 0, 0, 0, false
	}
	// Significance: S over its noise σ·sqrt(Σw²), the weights of the last
	// phases over the window's pixels in the frame.
	wxe, wye := &d.windowWeights[phx], &d.windowWeights[phy]
	swx, swy := wxe.sumSq, wye.sumSq
	if nx := win.x1 - win.x0 + 1; nx < 7 {
		swx = 0
		for k := range nx {
			swx += wxe.w[k] * wxe.w[k]
		}
	}
	if ny := win.y1 - win.y0 + 1; ny < 7 {
		swy = 0
		for k := range ny {
			swy += wye.w[k] * wye.w[k]
		}
	}
	sw2 := swx * swy
	if weighted/(s.noise*math.Sqrt(sw2)) < d.opts.Sigma {
		if traceReject != nil {
			trace(s.x, s.y, fmt.Sprintf("weak %.2f", weighted/(s.noise*math.Sqrt(sw2))))
		}
		return 0, 0, 0, false
	}
	return cx, cy, weighted, true
}

// loadWindow fills win with the background-subtracted pixels around the
// seed (hot pixels read as background) and returns Σ(v⁺)² and Σv² over
// them, for centroid's bound.
func (f *frame[T]) loadWindow(s *seed, win *window) (ssPos, ssAll float64) {
	d, pix, stride := f.d, f.pix, f.stride
	px, py, b := s.x, s.y, s.bg
	x0, y0 := max(px-3, 0), max(py-3, 0)
	x1, y1 := min(px+3, d.width-1), min(py+3, d.height-1)
	win.x0, win.y0, win.x1, win.y1 = x0, y0, x1, y1
	nx, ny := x1-x0+1, y1-y0+1
	fullWin := nx == 7 && ny == 7 && (d.hotCount == 0 || !d.hotRows(y0, y1))
	simdWin := false
	win.hasFirst = false
	if fullWin {
		ssPos, ssAll, simdWin = winLoadSIMD(pix, y0*stride+x0, stride, b, win)
	}
	if fullWin && !simdWin {
		for j := range 7 {
			src := (*[7]T)(pix[(y0+j)*stride+x0:])
			wr := (*[7]float64)(win.cells[j*8:])
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
	if !fullWin {
		clear(win.cells[:])
	}
	for y := y0; y <= y1 && !fullWin; y++ {
		wr := win.cells[(y-y0)*8 : (y-y0)*8+nx]
		src := pix[y*stride+x0 : y*stride+x0+len(wr)]
		plain := d.hotCount == 0 || d.hotRowMark[y] != d.frameGen
		for k := range wr {
			v := float64(src[k]) - b
			if !plain {
				v = pixelValue(d, pix, stride, x0+k, y, b) - b
			}
			wr[k] = v
			p := (v + math.Abs(v)) * 0.5 // max(v, 0) without a branch
			ssPos += p * p
			ssAll += v * v
		}
	}
	return ssPos, ssAll
}

// firstMoment is the centroid's starting point: the first moment of the
// positive excess in the 3×3 around the peak (px, py). For faint stars the
// brightest pixel is often a noise-displaced one.
func (win *window) firstMoment(px, py int) (cx, cy float64) {
	cx, cy = float64(px)+0.5, float64(py)+0.5
	var m, mx, my float64
	c := (py-win.y0)*8 + px - win.x0 // the peak's window cell
	for j := -1; j <= 1; j++ {
		r := (*[3]float64)(win.cells[c+8*j-1:])
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
		cx += mx / m
		cy += my / m
	}
	return cx, cy
}

// centroidLoop iterates the Gaussian-windowed centroid from (cxf, cyf) in
// the window at (x0, y0) around the peak (px, py), at most four steps. It
// returns the last weighted sum S, the estimate and the window phases of
// the last sums; ok is false when S is not positive (no star).
func (d *Detector) centroidLoop(win *[56]float64, x0, y0, px, py int, cxf, cyf float64) (S, cx, cy float64, lastX, lastY int, ok bool) {
	if S, cx, cy, ix, iy, ok, ran := centroidLoopSIMD(win, d.windowWeights, x0, y0, px, py, cxf, cyf); ran {
		return S, cx, cy, ix, iy, ok
	}
	lastX, lastY = -1, -1
	for it := 0; it < 4; it++ {
		ix := d.weightIndex(cxf - float64(x0) - 0.5)
		iy := d.weightIndex(cyf - float64(y0) - 0.5)
		if ix == lastX && iy == lastY {
			// Same phase as the last step: it would land where it did.
			break
		}
		lastX, lastY = ix, iy
		// Window cells outside the frame hold 0, so all 7×7 are summed.
		var sx, sy float64
		S, sx, sy = centroidSums(win, &d.windowWeights[ix], &d.windowWeights[iy])
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
		// Both products rounded (float64()), so that no multiply-add is
		// fused on arm64 and the test gives the same answer everywhere.
		if float64(dx*dx)+float64(dy*dy) < 4e-4 {
			// Moved under 0.02 px: the next step would move a fraction of
			// that (one step from a nearby centre lands on a Gaussian star).
			break
		}
	}
	return S, cxf, cyf, lastX, lastY, true
}

// wPhases is the number of tabulated window phases per pixel.
const wPhases = 32

// wEntry holds the centroid weights of a 7-pixel window row whose first
// pixel centre lies u = index/wPhases px before the centre: w[k] =
// exp(−(k−u)²/2s²) and wt[k] = w[k]·(k−u); element 7 is 0 (the window's
// padding column).
type wEntry struct {
	w, wt [8]float64
	sumSq float64 // Σ w[k]² over the 7 pixels, summed in order of k
}

// centroidSums returns the Gaussian-weighted sums of the window: S =
// Σ wy.w[j]·wx.w[k]·v, sx with wx.wt and sy with wy.wt. Column sums come
// first (C[k] = Σj wy.w[j]·v[j][k], in order of j), then each dot product
// over k as ((p0+p4)+(p2+p6)) + ((p1+p5)+(p3+p7)), the order of the vector
// kernel (centroidLoopAVX2), which therefore gives the same bits.
//
// Every product is converted to float64 before it is added: the
// conversion rounds it, so the compiler may not fuse the multiply and the
// add (it does on arm64 otherwise, and FMA would change the bits), and
// the sums are the same on every architecture and in every kernel
// (centroidLoopAVX2, centroidSumsNEON).
func centroidSums(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64) {
	if s, sx, sy, ok := centroidSumsSIMD(win, wx, wy); ok {
		return s, sx, sy
	}
	var c, cy [7]float64
	for j := range 7 {
		r := (*[7]float64)(win[8*j:])
		a, t := wy.w[j], wy.wt[j]
		for k := range c {
			c[k] += float64(a * r[k])
			cy[k] += float64(t * r[k])
		}
	}
	// p7 is 0·0: adding it changes nothing.
	dot := func(w *[8]float64, v *[7]float64) float64 {
		p0, p1, p2, p3 := float64(w[0]*v[0]), float64(w[1]*v[1]), float64(w[2]*v[2]), float64(w[3]*v[3])
		p4, p5, p6 := float64(w[4]*v[4]), float64(w[5]*v[5]), float64(w[6]*v[6])
		return ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + p3)
	}
	return dot(&wx.w, &c), dot(&wx.wt, &c), dot(&wx.w, &cy)
}

// weightIndex is the table index nearest to phase u, clamped to the table.
func (d *Detector) weightIndex(u float64) int {
	i := int(u*wPhases + 0.5)
	return min(max(i, 0), len(d.windowWeights)-1)
}

// buildWeights fills the weight table for the PSF width in use.
func (d *Detector) buildWeights() {
	if d.windowWeightsSigma == d.windowSigma && len(d.windowWeights) > 0 {
		return
	}
	inv := 1 / (2 * d.windowSigma * d.windowSigma)
	// Window phases run from 0 (clipped at the frame edge) to 4 px.
	d.windowWeights = make([]wEntry, 4*wPhases+1)
	for i := range d.windowWeights {
		u := float64(i) / wPhases
		for k := range 7 {
			t := float64(k) - u
			d.windowWeights[i].w[k] = math.Exp(-inv * t * t)
			d.windowWeights[i].wt[k] = d.windowWeights[i].w[k] * t
			d.windowWeights[i].sumSq += d.windowWeights[i].w[k] * d.windowWeights[i].w[k]
		}
	}
	d.windowWeightsSigma = d.windowSigma
}
