package solver

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/pifinder-go/pifinder/solver/db"
	"github.com/pifinder-go/pifinder/solver/geom"
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
	Attitude geom.Attitude
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
	Attitude            geom.Attitude
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
	cat     []catProj
	bright  []catProj
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
	resid        []float64
	sorted       []float64
}

type catProj struct {
	idx    int32
	ux, uy float64
	v      vec3
}

// firstUX returns the index of the first projection with ux ≥ x in a slice
// sorted by ux (len(cat) when there is none): the start of a window search.
func firstUX(cat []catProj, x float64) int {
	lo, hi := 0, len(cat)
	for lo < hi {
		mid := (lo + hi) / 2
		if cat[mid].ux < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
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
// frame of m (undistorted centred coordinates), at most limit, sorted by
// ux for matchStars.
func (s *Solver) fieldStars(sc *scratch, m *model, limit int) {
	diag := math.Hypot(m.w, m.h) / 2
	radius := math.Atan(diag*m.s) * (1 + math.Abs(m.k)) * 1.02
	bore := m.a[2]
	// Visit only stars bright enough to be among the limit brightest in a
	// field of average density, with a margin for dense regions.
	area := m.w * m.h * m.s * m.s
	rank := int32(math.Min(float64(len(s.vecs)), 1.5*float64(limit)*4*math.Pi/area+100))
	sc.hits = s.ix.ConeHits(sc.hits[:0], bore, radius, rank)
	sc.cat = sc.cat[:0]
	hw, hh := m.w/2, m.h/2
	kk := m.k / (hw * hw)
	for _, hit := range sc.hits {
		ux, uy, ok := m.project(hit.Vec)
		if !ok {
			continue
		}
		// First-order inverse of the distortion is enough for the frame test.
		f := 1 + kk*(ux*ux+uy*uy)
		if math.Abs(ux*f) > hw || math.Abs(uy*f) > hh {
			continue
		}
		sc.cat = append(sc.cat, catProj{idx: hit.Idx, ux: ux, uy: uy, v: hit.Vec})
	}
	if len(sc.cat) > limit {
		// Keep the limit brightest (lowest indices): find the limit-th
		// smallest index on a small int32 slice, then filter.
		sc.near = sc.near[:0]
		for _, c := range sc.cat {
			sc.near = append(sc.near, c.idx)
		}
		slices.Sort(sc.near)
		thr := sc.near[limit-1]
		keep := sc.cat[:0]
		for _, c := range sc.cat {
			if c.idx <= thr {
				keep = append(keep, c)
			}
		}
		sc.cat = keep
	}
	sortCat(sc.cat)
}

// reproject updates sc.cat's positions for a slightly changed model.
func (s *Solver) reproject(sc *scratch, m *model) {
	for i := range sc.cat {
		c := &sc.cat[i]
		c.ux, c.uy, _ = m.project(c.v)
	}
	sortCat(sc.cat)
}

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
	sc.used = sc.used[:len(sc.cat)]
	clear(sc.used)
	r2 := r * r
	cat := sc.cat
	for i := 0; i < n; i++ {
		px, py := m.w/2-cents[i].X, m.h/2-cents[i].Y
		ux, uy := m.undistort(px, py)
		lo := firstUX(cat, ux-r)
		best, bd := -1, r2
		for j := lo; j < len(cat) && cat[j].ux <= ux+r; j++ {
			if sc.used[j] {
				continue
			}
			dx, dy := cat[j].ux-ux, cat[j].uy-uy
			if d := dx*dx + dy*dy; d <= bd {
				best, bd = j, d
			}
		}
		if best >= 0 {
			sc.used[best] = true
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
