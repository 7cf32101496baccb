package detect

import "math"

// Stage 3, the background: per 32×32-pixel tile a sigma-clipped mean of
// its block means (a star or glare raises a few blocks, and the clip drops
// them), interpolated bilinearly between tile centres, so that gradients
// and moonlight are followed. The blocks' backgrounds set the candidate
// thresholds; backgroundAt gives the refinement the background per pixel.

// estimate measures the noise and the background and sets the thresholds
// of the candidate search.
func (d *Detector) estimate() {
	d.estimateNoise()
	d.estimateTileBackground()
	d.setBlockLimits()
}

// estimateTileBackground sets each tile's background: the clipped mean of
// its block means, in box-sum units.
func (d *Detector) estimateTileBackground() {
	// The noise of a block mean, the clip's unit: a block averages 16
	// boxes. At Binning 1 neighbouring boxes overlap and are correlated,
	// and their mean is twice as noisy.
	blockNoise := d.noiseBox / 4
	if d.boxStride == 1 {
		blockNoise *= 2
	}
	for ty := 0; ty < d.tilesH; ty++ {
		// The vector kernels do the leading tiles of the row (k of them
		// for the statistics, km for the whole clipped mean).
		k, sum, lo, hi := d.tileStatsSIMD(ty)
		d.tileRowMeans = grow(d.tileRowMeans, d.tilesW)
		km := d.tileMeansSIMD(ty, k, blockNoise, sum, lo, hi, d.tileRowMeans)
		for tx := 0; tx < d.tilesW; tx++ {
			var m float64
			if tx < km {
				m = d.tileRowMeans[tx]
			} else if tx < k {
				m = d.tileMeanStats(tx, ty, blockNoise, int64(sum[tx]), int64(lo[tx]), int64(hi[tx]))
			} else {
				m = d.tileMean(tx, ty, blockNoise)
			}
			d.tileBackground[ty*d.tilesW+tx] = float32(m)
		}
	}
}

// colInterp is a block column's horizontal interpolation between tile
// columns left and right, with weight rightWeight on the right one.
type colInterp struct {
	left, right int
	rightWeight float64
}

// setBlockLimits sets each block's background, the tile grid interpolated
// at its centre, and its packed candidate threshold for findCands.
func (d *Detector) setBlockLimits() {
	d.candSigma = max(0.3*d.opts.Sigma, 1.5)
	d.stage2Sigma = max(0.6*d.opts.Sigma, 2.5)
	// A candidate box exceeds its block's background by candThreshold.
	// float64() rounds the product: without it the compiler may fuse it into
	// blockLimits' add on arm64 (an FMA), which the kernels do not.
	candThreshold := float64(d.candSigma * d.noiseBox)
	d.setPreTestOffsets(candThreshold)
	// Blocks are 4 boxes square, tiles blocksPerTile blocks. The
	// horizontal interpolation depends only on the tile row and the block
	// column, so it is done once per tile row, with weights that depend on
	// the block column alone.
	perTile := float64(d.blocksPerTile)
	blocksW := d.blocksW
	alongRow := d.bgAlongRow[:d.tilesH*blocksW]
	d.blockColInterp = grow(d.blockColInterp, blocksW)
	for bx := range d.blockColInterp {
		fx := (float64(bx)+0.5)/perTile - 0.5
		fx = clampF(fx, 0, float64(d.tilesW-1))
		x0 := int(fx)
		d.blockColInterp[bx] = colInterp{x0, min(x0+1, d.tilesW-1), fx - float64(x0)}
	}
	for ty := 0; ty < d.tilesH; ty++ {
		r := d.tileBackground[ty*d.tilesW : (ty+1)*d.tilesW]
		hr := alongRow[ty*blocksW : (ty+1)*blocksW]
		for bx, c := range d.blockColInterp[:len(hr)] {
			// Each product is rounded (float64()) before the sum, so the
			// compiler fuses no multiply-add on arm64: the backgrounds are
			// the same bits on every architecture and in every kernel.
			hr[bx] = float64(float64(r[c.left])*(1-c.rightWeight)) + float64(float64(r[c.right])*c.rightWeight)
		}
	}
	// Then vertically, per block row, between the two tile rows around it.
	for by := 0; by < d.blocksH; by++ {
		fy := (float64(by)+0.5)/perTile - 0.5
		fy = clampF(fy, 0, float64(d.tilesH-1))
		y0 := int(fy)
		y1 := min(y0+1, d.tilesH-1)
		ay := fy - float64(y0)
		ay1 := 1 - ay
		r0, r1 := alongRow[y0*blocksW:(y0+1)*blocksW], alongRow[y1*blocksW:(y1+1)*blocksW]
		bgRow := d.blockBackground[by*blocksW : (by+1)*blocksW]
		thrRow := d.blockThreshold[by*blocksW : (by+1)*blocksW]
		r0 = r0[:len(bgRow)]
		r1 = r1[:len(bgRow)]
		thrRow = thrRow[:len(bgRow)]
		done := blockLimitsSIMD(r0, r1, ay1, ay, candThreshold, bgRow, thrRow)
		for bx := done; bx < len(bgRow); bx++ {
			bgRow[bx], thrRow[bx] = blockLimits(float64(r0[bx]*ay1)+float64(r1[bx]*ay), candThreshold)
		}
	}
}

// blockLimits returns a block's background as stored and its packed
// candidate threshold t = ⌊bg + lt⌋ (clamped to the lanes) as 0x7FFF − t,
// so that a box v is above it when v + (0x7FFF − t) sets the lane's top bit.
// t comes from the stored background, so that findCands and
// setPreTestOffsets see the same one.
func blockLimits(bg, lt float64) (float32, uint64) {
	b := float32(bg)
	t := int(float64(b) + lt)
	t = min(max(t, 0), 0x7FFE)
	return b, (0x7FFF - uint64(t)) * lane1
}

// blockCount is the number of boxes in block (bx, by).
func (d *Detector) blockCount(bx, by int) int {
	return min(4, d.boxesW-4*bx) * min(4, d.boxesH-4*by)
}

// tileMean is tile (tx, ty)'s background: the clipped mean of its block
// means, with sig the noise of a block mean.
func (d *Detector) tileMean(tx, ty int, sig float64) float64 {
	if m, ok := d.tileMeanFull(tx, ty, sig); ok {
		return m
	}
	var vals [64]float64
	n := 0
	for by := ty * d.blocksPerTile; by < min((ty+1)*d.blocksPerTile, d.blocksH); by++ {
		for bx := tx * d.blocksPerTile; bx < min((tx+1)*d.blocksPerTile, d.blocksW); bx++ {
			c := d.blockCount(bx, by)
			if c <= 0 {
				continue
			}
			vals[n] = float64(d.blockSums[by*d.blocksW+bx]) / float64(c)
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
	bx0, bx1 := tx*d.blocksPerTile, min((tx+1)*d.blocksPerTile, d.blocksW)
	by0, by1 := ty*d.blocksPerTile, min((ty+1)*d.blocksPerTile, d.blocksH)
	if 4*bx1 > d.boxesW || 4*by1 > d.boxesH || bx1 <= bx0 || by1 <= by0 {
		return 0, false
	}
	if sum, lo, hi, ok := tileStats4SIMD(d.blockSums, by0*d.blocksW+bx0, d.blocksW, bx1-bx0, by1-by0); ok {
		return d.tileMeanStats(tx, ty, sig, sum, lo, hi), true
	}
	var sum int64
	lo, hi := int64(math.MaxInt64), int64(0)
	for by := by0; by < by1; by++ {
		for _, v := range d.blockSums[by*d.blocksW+bx0 : by*d.blocksW+bx1] {
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
	bx0, bx1 := tx*d.blocksPerTile, min((tx+1)*d.blocksPerTile, d.blocksW)
	by0, by1 := ty*d.blocksPerTile, min((ty+1)*d.blocksPerTile, d.blocksH)
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
		s, k, ok := tileClip4SIMD(d.blockSums, by0*d.blocksW+bx0, d.blocksW, bx1-bx0, by1-by0, l)
		for by := by0; by < by1 && !ok; by++ {
			row := d.blockSums[by*d.blocksW+bx0 : by*d.blocksW+bx1]
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

// backgroundAt is the background per pixel at full-resolution coordinates
// (x, y): the tile background interpolated at box coordinates
// u = (x−1)/s + 0.5 (s the box stride; box (cx, cy) has its centre at
// (cx+0.5, cy+0.5)), tiles being 4·blocksPerTile boxes wide. s,
// 4·blocksPerTile and 4 are powers of two, so the divisions are done as
// (exact) multiplications by their reciprocals.
//
// Each product that is added or subtracted is rounded first (float64()),
// so that the compiler fuses no multiply-add on arm64 (it does there
// otherwise, never on amd64): the background is the same bits on every
// architecture and in seedChainNEON (simd_arm64_seed.s).
func (d *Detector) backgroundAt(x, y float64) float64 {
	invS, invTB := d.invBoxStride, d.invTileBoxes
	u, v := float64((x-1)*invS)+0.5, float64((y-1)*invS)+0.5
	fx := float64(u*invTB) - 0.5
	fy := float64(v*invTB) - 0.5
	fx = clampF(fx, 0, d.lastTileCol)
	fy = clampF(fy, 0, d.lastTileRow)
	x0, y0 := int(fx), int(fy)
	x1, y1 := min(x0+1, d.tilesW-1), min(y0+1, d.tilesH-1)
	ax, ay := fx-float64(x0), fy-float64(y0)
	t := d.tileBackground
	a := float64(float64(t[y0*d.tilesW+x0])*(1-ax)) + float64(float64(t[y0*d.tilesW+x1])*ax)
	b := float64(float64(t[y1*d.tilesW+x0])*(1-ax)) + float64(float64(t[y1*d.tilesW+x1])*ax)
	return (float64(a*(1-ay)) + float64(b*ay)) * 0.25
}
