package solver

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/solver/db"
	"gonum.org/v1/gonum/spatial/r3"
)

// Status is the outcome of a solve.
type Status int

// Solve outcomes.
const (
	StatusNoMatch   Status = iota // the search ended without a confident solution
	StatusMatch                   // solved; the attitude fields are valid
	StatusTooFew                  // fewer centroids than the mode needs (4 lost-in-space, 3 tracking)
	StatusCancelled               // the context ended first
	StatusInvalid                 // the request is malformed (image size, NaN centroids)
)

// String returns the status name.
func (s Status) String() string {
	switch s {
	case StatusNoMatch:
		return "no match"
	case StatusMatch:
		return "match"
	case StatusTooFew:
		return "too few stars"
	case StatusCancelled:
		return "cancelled"
	case StatusInvalid:
		return "invalid request"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Centroid is a detected star in pixel coordinates: x right, y down,
// (0.5, 0.5) the centre of the top-left pixel.
type Centroid struct {
	X, Y, Brightness float64
}

// Prior is a predicted attitude for tracking mode, e.g. the last solve
// moved by the IMU, with the horizontal FOV in degrees.
type Prior struct {
	Attitude Attitude
	FOV      float64
}

// Request is one solve.
type Request struct {
	Centroids     []Centroid // brightest first
	Width, Height int
	// FOVEstimate is the horizontal field in degrees; 0 solves blind over the
	// database's whole range. FOVMaxError bounds the search around it
	// (0 with an estimate means 15% of the estimate).
	FOVEstimate, FOVMaxError float64
	TargetPixel              *[2]float64 // (Y, X) pixel whose sky position to report
	TargetSky                *[2]float64 // (RA, Dec) degrees whose pixel to report
	Prior                    *Prior      // enables tracking mode
}

// Match is one centroid identified with a catalogue star.
type Match struct {
	X, Y      float64
	HIP       int
	RA, Dec   float64 // degrees, database epoch
	Vmag      float64
	Residual  float64 // arcsec
	Centroid  int     // index into Request.Centroids
	Predicted [2]float64
}

// Result is a solve's outcome. Angles are degrees; RMSE, P90 and MaxErr are
// arcsec.
type Result struct {
	Status     Status
	RA, Dec    float64 // image centre (W/2, H/2)
	Roll       float64 // north from image up, counter-clockwise positive, [0, 360)
	FOV        float64 // horizontal, edge to edge through the centre
	Distortion float64 // k, see the package doc
	RMSE       float64
	P90        float64
	MaxErr     float64
	Matches    int
	// Prob is the false-match probability (see the package doc).
	Prob                float64
	RATarget, DecTarget float64
	HasTarget           bool
	XTarget, YTarget    float64
	HasTargetPixel      bool
	Matched             []Match
	TSolve              time.Duration
	Mode                string // "lost-in-space" or "tracking"
	PatternsTried       int
	CandidatesVerified  int
	Attitude            Attitude
}

// Solver solves star fields against one database. It is safe for
// concurrent use: per-call scratch comes from a pool.
type Solver struct {
	db   *db.DB
	ix   *db.Index
	vecs [][3]float64
	pool sync.Pool

	// Tunables (set before the first Solve; New fills defaults).
	MaxPatternStars int     // brightest centroids used to form patterns
	MaxPatterns     int     // cap on 4-star combinations tried per solve
	ExtraPatterns   int     // combinations tried after a first accepted hypothesis, to rank rivals
	MatchRadius     float64 // verification radius as a fraction of the width
	MaxVerifyStars  int     // brightest centroids used in verification
	MaxTrackStars   int     // brightest centroids used in tracking
	Threshold       float64 // accept when Prob is below this
	StrongProb      float64 // stop searching for rivals when the first hypothesis is below this
	RatioTol        float64 // base edge-ratio tolerance
	PixelTol        float64 // centroid error in pixels the edge-ratio tolerance allows for
}

// New makes a solver over a decoded database.
func New(d *db.DB) *Solver {
	s := &Solver{db: d}
	s.vecs = make([][3]float64, len(d.Stars))
	for i := range d.Stars {
		s.vecs[i] = d.Stars[i].Vec
	}
	s.ix = db.NewIndex(s.vecs, 2)
	s.MaxPatternStars = 20
	s.MaxPatterns = 3000
	s.ExtraPatterns = 12
	s.MatchRadius = 0.01
	s.MaxVerifyStars = 60
	s.MaxTrackStars = 40
	s.Threshold = 1e-6
	s.StrongProb = 1e-20
	s.RatioTol = 0.002
	s.PixelTol = 0.6
	s.pool.New = func() any { return new(scratch) }
	return s
}

// Load reads a database file and returns a solver over it.
func Load(path string) (*Solver, error) {
	d, err := db.Load(path)
	if err != nil {
		return nil, fmt.Errorf("solver: %w", err)
	}
	return New(d), nil
}

var (
	defaultOnce   sync.Once
	defaultSolver *Solver
	defaultErr    error
)

// Default returns the solver over the embedded database, decoded once.
func Default() (*Solver, error) {
	defaultOnce.Do(func() {
		d, err := db.Default()
		if err != nil {
			defaultErr = fmt.Errorf("solver: embedded database: %w", err)
			return
		}
		defaultSolver = New(d)
	})
	return defaultSolver, defaultErr
}

// DB returns the solver's database.
func (s *Solver) DB() *db.DB { return s.db }

// scratch is per-call working memory.
type scratch struct {
	near    []int32
	hits    []db.Hit
	probe   []uint32
	guesses []float64     // FOV guesses of the current search
	ranges  []bucketRange // sc.probe's pattern ranges
	keys    []guessKey    // per FOV guess, the current pattern's key
	cands   []candidate   // the current pattern's database candidates
	cat     []catProj     // field stars, in strips (see stripCat)
	fov     []catProj     // frameStars' stars
	tmpCat  []catProj
	ranks   []int32
	rankBuf []int32
	bright  []catProj
	// Strip index of cat: stripN strips of 1/stripInv pixels from
	// −stripOff; stripEnd[b] is the end of strip b in cat.
	stripN             int
	stripOff, stripInv float64
	stripEnd           [maxStrips + 1]int32
	// bestRejected is the lowest false-match probability among rejected
	// hypotheses of the current solve (for calibration and diagnostics).
	bestRejected float64
	pairs        []pair
	used         []bool
	cvec         [][]vec3     // per FOV guess and band edge, pattern centroid vectors
	ratios       [][6]float64 // the current pattern's ratios and largest chord per scale point
	chords       []float64    // per centroid pair and scale point, see pairChords
	chordOK      []bool
	hyps         []hypothesis
	// fitted lists the pairs (fitKey) the model was last fitted on, with
	// its parameters; see fit.
	fitted           []int64
	fittedS, fittedK bool
	fittedOK         bool
	resid            []float64
	sorted           []float64
}

type catProj struct {
	idx    int32
	strip  int32 // of ux, see stripCat
	ux, uy float64
	v      vec3
}

type pair struct {
	cent int     // centroid index
	cat  int32   // star index
	px   float64 // measured centred position (distorted)
	py   float64
	v    vec3    // the star's vector (a copy: cache-friendly refits)
	d    float64 // distance in pixels when matched
}

type hypothesis struct {
	m       model
	matches int
	prob    float64
	pairs   []pair // final matches, after polish
}

// Solve finds the attitude of a star field. It never panics on bad input;
// the Status says what happened.
func (s *Solver) Solve(ctx context.Context, req Request) Result {
	t0 := time.Now()
	sc := s.pool.Get().(*scratch)
	res := s.solve(ctx, &req, sc)
	s.pool.Put(sc)
	res.TSolve = time.Since(t0)
	return res
}

func (s *Solver) solve(ctx context.Context, req *Request, sc *scratch) Result {
	if req.Width < 16 || req.Height < 16 || req.Width > 1<<16 || req.Height > 1<<16 {
		return Result{Status: StatusInvalid}
	}
	lim := 4 * float64(max(req.Width, req.Height))
	for _, c := range req.Centroids {
		// Also rejects NaN and infinities.
		if !(math.Abs(c.X) <= lim && math.Abs(c.Y) <= lim) {
			return Result{Status: StatusInvalid}
		}
	}
	if !(req.FOVEstimate >= 0 && req.FOVEstimate < 170) || !(req.FOVMaxError >= 0 && req.FOVMaxError < 170) {
		return Result{Status: StatusInvalid}
	}
	if p := req.Prior; p != nil {
		a := p.Attitude
		if !(math.Abs(a.RA) < 1e6 && math.Abs(a.Dec) <= 90 && math.Abs(a.Roll) < 1e6 && p.FOV > 0 && p.FOV < 170) {
			return Result{Status: StatusInvalid}
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{Status: StatusCancelled}
	}
	sc.bestRejected = 1
	if req.Prior != nil && len(req.Centroids) >= 3 {
		if h, ok := s.track(req, sc); ok {
			return s.result(req, sc, h, "tracking")
		}
	}
	if len(req.Centroids) < 4 {
		return Result{Status: StatusTooFew, Prob: sc.bestRejected}
	}
	h, tried, verified, st := s.lostInSpace(ctx, req, sc)
	if st != StatusMatch {
		return Result{Status: st, PatternsTried: tried, CandidatesVerified: verified, Mode: "lost-in-space", Prob: sc.bestRejected}
	}
	r := s.result(req, sc, h, "lost-in-space")
	r.PatternsTried, r.CandidatesVerified = tried, verified
	return r
}

// verifyRadius is the match radius in pixels.
func (s *Solver) verifyRadius(w float64) float64 { return math.Max(2.5, s.MatchRadius*w) }

// fieldStars fills sc.cat with the brightest catalogue stars inside the
// frame of m (undistorted centred coordinates), at most limit, indexed by
// strips for matchStars.
func (s *Solver) fieldStars(sc *scratch, m *model, limit int) {
	s.frameStars(sc, m, limit)
	s.pickStars(sc, limit, s.starRank(m, limit))
}

// starRank is the faintest catalogue rank (exclusive) fieldStars visits
// for limit stars: only stars bright enough to be among the limit
// brightest in a field of average density, with a margin for dense
// regions.
func (s *Solver) starRank(m *model, limit int) int32 {
	area := m.w * m.h * m.s * m.s
	return int32(math.Min(float64(len(s.vecs)), 1.5*float64(limit)*4*math.Pi/area+100))
}

// frameStars fills sc.fov with the catalogue stars below starRank(m, limit)
// that land inside the frame of m, in no particular order, and sc.near with
// their ranks. pickStars then takes the brightest of them, for this limit
// or a smaller one: one cone query serves both verification stages.
func (s *Solver) frameStars(sc *scratch, m *model, limit int) {
	diag := math.Hypot(m.w, m.h) / 2
	radius := math.Atan(diag*m.s) * (1 + math.Abs(m.k)) * 1.02
	sc.hits = s.ix.ConeHits(sc.hits[:0], m.a[2], radius, s.starRank(m, limit))
	sc.fov = sc.fov[:0]
	sc.near = sc.near[:0]
	s.setStrips(sc, m)
	hw, hh := m.w/2, m.h/2
	kk := m.k / (hw * hw)
	a := &m.a
	is := 1 / m.s
	for i := range sc.hits {
		v := &sc.hits[i].Vec
		// m.project, inlined.
		z := a[2][0]*v[0] + a[2][1]*v[1] + a[2][2]*v[2]
		if z <= 1e-9 {
			continue
		}
		f := is / z
		ux := (a[0][0]*v[0] + a[0][1]*v[1] + a[0][2]*v[2]) * f
		uy := (a[1][0]*v[0] + a[1][1]*v[1] + a[1][2]*v[2]) * f
		// First-order inverse of the distortion is enough for the frame test.
		g := 1 + kk*(ux*ux+uy*uy)
		if math.Abs(ux*g) > hw || math.Abs(uy*g) > hh {
			continue
		}
		idx := sc.hits[i].Idx
		sc.fov = append(sc.fov, catProj{idx: idx, strip: int32(sc.strip(ux)), ux: ux, uy: uy, v: *v})
		sc.near = append(sc.near, idx)
	}
}

// pickStars fills sc.cat with the limit brightest stars of sc.fov (lowest
// ranks) below rank, indexed by strips for matchStars.
func (s *Solver) pickStars(sc *scratch, limit int, rank int32) {
	thr := rankThreshold(sc.near, limit, rank, &sc.rankBuf)
	s.stripCat(sc, sc.fov, thr)
}

// rankThreshold returns the limit-th smallest of the ranks below rank, or
// rank−1 when there are at most limit of them: a selection by a 64-bin
// histogram, then a sort of the one bin that holds it.
func rankThreshold(ranks []int32, limit int, rank int32, buf *[]int32) int32 {
	if limit <= 0 {
		return -1 // none
	}
	if len(ranks) <= limit || rank <= 0 {
		return rank - 1
	}
	// rank ≤ 2^bits.Len32(rank), so every rank below it shifted is < 64.
	shift := max(0, bits.Len32(uint32(rank))-6)
	var hist [64]int32
	n := 0
	for _, v := range ranks {
		if v < rank {
			hist[v>>shift]++
			n++
		}
	}
	if n <= limit {
		return rank - 1
	}
	below, b := 0, 0
	for below+int(hist[b]) < limit {
		below += int(hist[b])
		b++
	}
	bin := (*buf)[:0]
	for _, v := range ranks {
		if v < rank && int(v>>shift) == b {
			bin = append(bin, v)
		}
	}
	slices.Sort(bin)
	*buf = bin
	return bin[limit-below-1]
}

// reproject updates sc.cat's positions for a slightly changed model.
func (s *Solver) reproject(sc *scratch, m *model) {
	a := &m.a
	is := 1 / m.s
	for i := range sc.cat {
		c := &sc.cat[i]
		v := &c.v
		z := a[2][0]*v[0] + a[2][1]*v[1] + a[2][2]*v[2]
		if z <= 1e-9 {
			// Behind the camera: m.project's (0, 0), as before.
			c.ux, c.uy = 0, 0
		} else {
			f := is / z
			c.ux = (a[0][0]*v[0] + a[0][1]*v[1] + a[0][2]*v[2]) * f
			c.uy = (a[1][0]*v[0] + a[1][1]*v[1] + a[1][2]*v[2]) * f
		}
		c.strip = int32(sc.strip(c.ux))
	}
	sc.tmpCat, sc.cat = sc.cat, sc.tmpCat
	s.stripCat(sc, sc.tmpCat, math.MaxInt32)
}

// maxStrips bounds the strips of stripCat.
const maxStrips = 256

// setStrips sets the strips of stripCat for m's frame: each about the
// match radius wide.
func (s *Solver) setStrips(sc *scratch, m *model) {
	nb := min(max(int(m.w/s.verifyRadius(m.w)), 1), maxStrips)
	sc.stripN, sc.stripOff, sc.stripInv = nb, m.w/2, float64(nb)/m.w
}

// stripCat fills sc.cat with the stars of src (not sc.cat's array) of rank
// up to thr, ordered into vertical strips of the frame (a stable counting
// sort on their strip, see setStrips), so that matchStars visits only the
// few stars of the strips within its radius. After it, strip b holds
// sc.cat[stripEnd[b−1]:stripEnd[b]] (from 0 for b = 0).
func (s *Solver) stripCat(sc *scratch, src []catProj, thr int32) {
	nb := sc.stripN
	end := sc.stripEnd[:nb+1]
	clear(end)
	n := 0
	for i := range src {
		if src[i].idx <= thr {
			end[src[i].strip+1]++
			n++
		}
	}
	for b := 1; b <= nb; b++ {
		end[b] += end[b-1]
	}
	// end[b] is now the start of strip b; scattering advances it to the end.
	cat := slices.Grow(sc.cat[:0], n)[:n]
	for i := range src {
		if src[i].idx <= thr {
			b := src[i].strip
			cat[end[b]] = src[i]
			end[b]++
		}
	}
	sc.cat = cat
}

// strip returns the strip of an undistorted centred x (clamped to the
// frame's strips: positions outside it share the edge strips).
func (sc *scratch) strip(ux float64) int {
	x := (ux + sc.stripOff) * sc.stripInv
	if !(x > 0) { // also NaN
		return 0
	}
	if x >= float64(sc.stripN) {
		return sc.stripN - 1
	}
	return int(x)
}

// sortCat sorts a short slice by ux (insertion sort: voteOffset's few stars).
func sortCat(a []catProj) {
	for i := 1; i < len(a); i++ {
		x := a[i]
		j := i - 1
		for j >= 0 && a[j].ux > x.ux {
			a[j+1] = a[j]
			j--
		}
		a[j+1] = x
	}
}

// matchStars pairs the first n centroids with the field stars in sc.cat
// within radius r (pixels, undistorted coordinates), brightest centroid
// first, each star used once. Pairs go to sc.pairs.
func (s *Solver) matchStars(sc *scratch, m *model, cents []Centroid, n int, r float64) {
	sc.pairs = sc.pairs[:0]
	if cap(sc.used) < len(sc.cat) {
		sc.used = make([]bool, len(sc.cat))
	}
	used := sc.used[:len(sc.cat)]
	clear(used)
	r2 := r * r
	cat := sc.cat
	end := sc.stripEnd[:sc.stripN]
	hw, hh := m.w/2, m.h/2
	kk := m.k / (hw * hw)
	for i := 0; i < n; i++ {
		px, py := hw-cents[i].X, hh-cents[i].Y
		ux, uy := px, py
		if kk != 0 {
			f := 1 - kk*(px*px+py*py)
			ux, uy = px*f, py*f
		}
		lo, hi := 0, int(end[sc.strip(ux+r)])
		if b0 := sc.strip(ux - r); b0 > 0 {
			lo = int(end[b0-1])
		}
		best, bd := -1, r2
		for j := lo; j < hi; j++ {
			dx, dy := cat[j].ux-ux, cat[j].uy-uy
			if d := dx*dx + dy*dy; d <= bd && !used[j] {
				best, bd = j, d
			}
		}
		if best >= 0 {
			used[best] = true
			sc.pairs = append(sc.pairs, pair{cent: i, cat: cat[best].idx, px: px, py: py, v: cat[best].v, d: math.Sqrt(bd)})
		}
	}
}

// falseProb is the chance that n random centroids give at least m
// coincidences with nCat stars, each within radius r, in a w×h frame.
func falseProb(n, m, nCat int, r, w, h float64) float64 {
	p := math.Min(1, float64(nCat)*math.Pi*r*r/(w*h))
	return binomTail(n, m, p)
}

// rotation converts the model's matrix to the shared geom convention.
func (m *model) rotation() geom.Rotation {
	return geom.Rotation{
		r3.Vec{X: m.a[0][0], Y: m.a[0][1], Z: m.a[0][2]},
		r3.Vec{X: m.a[1][0], Y: m.a[1][1], Z: m.a[1][2]},
		r3.Vec{X: m.a[2][0], Y: m.a[2][1], Z: m.a[2][2]},
	}
}

func fromAttitude(att geom.Attitude) mat3 {
	r := att.Rotation()
	return mat3{
		{r[0].X, r[0].Y, r[0].Z},
		{r[1].X, r[1].Y, r[1].Z},
		{r[2].X, r[2].Y, r[2].Z},
	}
}

// Attitude is a pointing with its roll in degrees (RA, Dec, Roll), the
// projection convention of cedar/tetra3. It is an alias of the geometry
// package's type, which the solver shares with the camera simulation.
type Attitude = geom.Attitude
