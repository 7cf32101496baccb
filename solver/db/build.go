package db

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

// BuildOptions are the database build parameters. Zero values take the
// defaults noted on each field.
type BuildOptions struct {
	FOVMin, FOVMax float64 // field diameter range in degrees (shorter side); required
	MagLimit       float64 // faintest V kept; default 8
	Epoch          float64 // Julian year to move stars to; required
	MergePx        float64 // merge pairs closer than this many pixels of a 512-px frame at FOVMin; default 2
	Scales         int     // pattern scales; default: geometric steps of at most 1.45×
	PatternStars   int     // brightest stars per lattice field forming patterns; default 8
	Oversample     float64 // lattice fields per field area; default 6
	StarsPerField  int     // keep at most this many stars per smallest field; default 200
	KeyBins        int     // quantisation bins per edge ratio; default 40
	MinPattern     float64 // smallest pattern's largest edge as a fraction of the scale; default 0.2
	Workers        int     // default GOMAXPROCS
	// Progress, when set, is called from the building goroutine as work advances.
	Progress func(stage string, done, total int)
}

func (o *BuildOptions) fill() error {
	if !(o.FOVMin > 0 && o.FOVMax >= o.FOVMin && o.FOVMax <= 60) {
		return fmt.Errorf("db: build: FOV range %g-%g deg: want 0 < min <= max <= 60", o.FOVMin, o.FOVMax)
	}
	if math.IsNaN(o.Epoch) || o.Epoch < 1000 || o.Epoch > 3000 {
		return fmt.Errorf("db: build: epoch %g out of range", o.Epoch)
	}
	if o.MagLimit == 0 {
		o.MagLimit = 8
	}
	if o.MergePx == 0 {
		o.MergePx = 2
	}
	if o.Scales <= 0 {
		o.Scales = 1 + int(math.Ceil(math.Log(o.FOVMax/o.FOVMin)/math.Log(1.45)-1e-9))
	}
	if o.PatternStars == 0 {
		o.PatternStars = 8
	}
	if o.PatternStars < 4 || o.PatternStars > 16 {
		return fmt.Errorf("db: build: pattern stars %d: want 4..16", o.PatternStars)
	}
	if o.Oversample == 0 {
		o.Oversample = 6
	}
	if o.StarsPerField == 0 {
		o.StarsPerField = 200
	}
	if o.KeyBins == 0 {
		o.KeyBins = 40
	}
	if o.MinPattern == 0 {
		o.MinPattern = 0.2
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

func (o *BuildOptions) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// fibonacci returns n roughly evenly spaced unit vectors.
func fibonacci(n int) [][3]float64 {
	out := make([][3]float64, n)
	ga := math.Pi * (3 - math.Sqrt(5))
	for i := range out {
		z := 1 - (2*float64(i)+1)/float64(n)
		r := math.Sqrt(math.Max(0, 1-z*z))
		s, c := math.Sincos(ga * float64(i))
		out[i] = [3]float64{r * c, r * s, z}
	}
	return out
}

func latticeSize(fovDeg, oversample float64) int {
	f := fovDeg * math.Pi / 180
	return int(math.Ceil(oversample * 4 * math.Pi / (f * f)))
}

// Build makes a database from catalogue stars. The result depends only on
// the stars and the options (not on Workers or timing).
func Build(ctx context.Context, stars []CatalogStar, o BuildOptions) (*DB, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	type work struct {
		vec  [3]float64
		flux float64
		vmag float64
		hip  int
	}
	var ws []work
	for _, s := range stars {
		if s.Vmag > o.MagLimit {
			continue
		}
		s = s.At(o.Epoch)
		v := starcat.Vector(s.RA, s.Dec)
		ws = append(ws, work{vec: v, vmag: s.Vmag, flux: math.Pow(10, -0.4*s.Vmag), hip: s.HIP})
	}
	if len(ws) < 4 {
		return nil, fmt.Errorf("db: build: only %d stars brighter than V %.2f", len(ws), o.MagLimit)
	}
	slices.SortStableFunc(ws, func(a, b work) int {
		return cmp.Or(cmp.Compare(a.vmag, b.vmag), cmp.Compare(a.hip, b.hip))
	})

	// Merge close pairs into one star at the flux-weighted position, as a
	// camera sees them, keeping the brighter star's id.
	mergeRad := o.MergePx * o.FOVMin / 512 * math.Pi / 180
	vecs := make([][3]float64, len(ws))
	for i := range ws {
		vecs[i] = ws[i].vec
	}
	ix := NewIndex(vecs, 1)
	gone := make([]bool, len(ws))
	var near []int32
	for i := range ws {
		if gone[i] {
			continue
		}
		near = ix.Cone(near[:0], vecs[i], mergeRad)
		slices.Sort(near)
		var sum [3]float64
		flux := 0.0
		for _, j := range near {
			if int(j) < i || gone[j] {
				continue
			}
			if int(j) != i {
				gone[j] = true
			}
			f := ws[j].flux
			for k := 0; k < 3; k++ {
				sum[k] += f * vecs[j][k]
			}
			flux += f
		}
		n := math.Sqrt(sum[0]*sum[0] + sum[1]*sum[1] + sum[2]*sum[2])
		ws[i].vec = [3]float64{sum[0] / n, sum[1] / n, sum[2] / n}
		ws[i].flux = flux
		ws[i].vmag = -2.5 * math.Log10(flux)
	}
	merged := ws[:0:0]
	for i := range ws {
		if !gone[i] {
			merged = append(merged, ws[i])
		}
	}
	ws = merged
	slices.SortStableFunc(ws, func(a, b work) int {
		return cmp.Or(cmp.Compare(a.vmag, b.vmag), cmp.Compare(a.hip, b.hip))
	})
	o.progress("merge", 1, 1)

	// Cap the density: a star stays if it is among the StarsPerField
	// brightest of some lattice field at the smallest scale.
	vecs = vecs[:len(ws)]
	for i := range ws {
		vecs[i] = ws[i].vec
	}
	ix = NewIndex(vecs, 1)
	keep := make([]bool, len(ws))
	fields := fibonacci(latticeSize(o.FOVMin, 4))
	rad := o.FOVMin / 2 * math.Pi / 180
	for fi, c := range fields {
		near = ix.Cone(near[:0], c, rad)
		slices.Sort(near)
		for _, j := range near[:min(len(near), o.StarsPerField)] {
			keep[j] = true
		}
		if fi%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("db: build: %w", err)
			}
			o.progress("thin", fi, len(fields))
		}
	}
	thin := ws[:0:0]
	for i := range ws {
		if keep[i] {
			thin = append(thin, ws[i])
		}
	}
	ws = thin
	if len(ws) > 1<<16 {
		return nil, fmt.Errorf("db: build: %d stars after thinning exceed the format's 65536; lower --mag-limit", len(ws))
	}
	d := &DB{}
	d.Stars = make([]Star, len(ws))
	vecs = vecs[:len(ws)]
	for i, w := range ws {
		// Round through float32 now so the patterns see the stored positions.
		v := [3]float64{float64(float32(w.vec[0])), float64(float32(w.vec[1])), float64(float32(w.vec[2]))}
		d.Stars[i] = Star{Vec: v, Vmag: math.Round(w.vmag*100) / 100, HIP: w.hip}
		vecs[i] = v
	}
	ix = NewIndex(vecs, 1)

	// Patterns: at each scale, fields on a Fibonacci lattice; the brightest
	// PatternStars stars of each field form all their 4-star combinations.
	type job struct {
		scale  int
		center [3]float64
	}
	var jobs []job
	for s := 0; s < o.Scales; s++ {
		f := o.FOVMin
		if o.Scales > 1 {
			f = o.FOVMin * math.Pow(o.FOVMax/o.FOVMin, float64(s)/float64(o.Scales-1))
		}
		for _, c := range fibonacci(latticeSize(f, o.Oversample)) {
			jobs = append(jobs, job{s, c})
		}
	}
	scaleFOV := func(s int) float64 {
		if o.Scales <= 1 {
			return o.FOVMin
		}
		return o.FOVMin * math.Pow(o.FOVMax/o.FOVMin, float64(s)/float64(o.Scales-1))
	}
	results := make([][]uint64, o.Workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	ctxErr := error(nil)
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var near []int32
			var out []uint64
			for j := w; j < len(jobs); j += o.Workers {
				if j%512 == w {
					if err := ctx.Err(); err != nil {
						mu.Lock()
						ctxErr = err
						mu.Unlock()
						return
					}
				}
				jb := jobs[j]
				f := scaleFOV(jb.scale) * math.Pi / 180
				near = ix.Cone(near[:0], jb.center, f/2)
				slices.Sort(near)
				top := near[:min(len(near), o.PatternStars)]
				minEdge := o.MinPattern * 2 * math.Sin(f/2)
				n := len(top)
				for a := 0; a < n; a++ {
					for b := a + 1; b < n; b++ {
						for c := b + 1; c < n; c++ {
							for e := c + 1; e < n; e++ {
								idx := [4]int32{top[a], top[b], top[c], top[e]}
								v := [4][3]float64{vecs[idx[0]], vecs[idx[1]], vecs[idx[2]], vecs[idx[3]]}
								_, l := Ratios(Chords(&v))
								if l < minEdge {
									continue
								}
								out = append(out, uint64(idx[0])|uint64(idx[1])<<16|uint64(idx[2])<<32|uint64(idx[3])<<48)
							}
						}
					}
				}
				if j%1024 == w {
					mu.Lock()
					done += 1024
					if w == 0 {
						o.progress("patterns", min(done, len(jobs)), len(jobs))
					}
					mu.Unlock()
				}
			}
			results[w] = out
		}(w)
	}
	wg.Wait()
	if ctxErr != nil {
		return nil, fmt.Errorf("db: build: %w", ctxErr)
	}
	var all []uint64
	for _, r := range results {
		all = append(all, r...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	if len(all) > 1<<28 {
		return nil, fmt.Errorf("db: build: %d patterns is too many", len(all))
	}
	buckets := uint32(1)
	for buckets < uint32(len(all)) {
		buckets <<= 1
	}
	type keyed struct {
		bucket uint32
		p      uint64
		fp     uint64
	}
	ks := make([]keyed, len(all))
	for i, p := range all {
		idx := [4]uint64{p & 0xffff, p >> 16 & 0xffff, p >> 32 & 0xffff, p >> 48}
		v := [4][3]float64{vecs[idx[0]], vecs[idx[1]], vecs[idx[2]], vecs[idx[3]]}
		r, _ := Ratios(Chords(&v))
		ks[i] = keyed{KeyBucket(r, o.KeyBins, buckets), p, Fingerprint(r)}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.bucket, b.bucket), cmp.Compare(a.p, b.p)) })
	d.Patterns = make([][4]uint16, len(ks))
	d.Offsets = make([]uint32, buckets+1)
	d.FP = make([]uint64, len(ks))
	for i, k := range ks {
		d.FP[i] = k.fp
		d.Patterns[i] = [4]uint16{uint16(k.p), uint16(k.p >> 16), uint16(k.p >> 32), uint16(k.p >> 48)}
		d.Offsets[k.bucket+1]++
	}
	for i := 1; i < len(d.Offsets); i++ {
		d.Offsets[i] += d.Offsets[i-1]
	}
	o.progress("patterns", len(jobs), len(jobs))
	d.Header = Header{
		Version:       Version,
		FOVMin:        o.FOVMin,
		FOVMax:        o.FOVMax,
		Epoch:         o.Epoch,
		MagLimit:      o.MagLimit,
		MergeArcsec:   mergeRad * 180 / math.Pi * 3600,
		Stars:         uint32(len(d.Stars)),
		Patterns:      uint32(len(d.Patterns)),
		Buckets:       buckets,
		KeyBins:       uint32(o.KeyBins),
		PatternStars:  uint32(o.PatternStars),
		Scales:        uint32(o.Scales),
		StarsPerField: uint32(o.StarsPerField),
		Oversample:    float32(o.Oversample),
		MinPattern:    float32(o.MinPattern),
	}
	// Encode fills the counts, length and checksum.
	_ = d.Encode()
	return d, nil
}

// CatalogStar is a catalogue star as Build takes it (HIP id, J2000
// position, proper motion, magnitude): an alias of the built-in catalogue's
// type, so that a program outside this module can build a database.
type CatalogStar = starcat.Star
