package chart

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
	"github.com/pifinder-go/pifinder/state"
)

// Theme picks the colours.
type Theme uint8

const (
	// Night is red on black, to keep dark adaptation (the default).
	Night Theme = iota
	// Day is dark on white.
	Day
)

// Limits and defaults of Options.
const (
	DefaultFOV    = 20.0
	MinFOV        = 1.0
	MaxFOV        = 120.0
	DefaultWidth  = 512
	DefaultHeight = 512
	MinSize       = 16
	MaxSize       = 4096

	// MaxStars caps the stars on a chart (brightest first).
	MaxStars = 2000
	// MaxDSOs caps the deep-sky objects on a chart (brightest first).
	MaxDSOs = 300
	// maxDSOLabels caps the labelled deep-sky objects.
	maxDSOLabels = 40
	// minCos is the smallest cosine of the distance from the centre that
	// is projected (about 87°).
	minCos = 0.05
)

// Options describe a chart. The zero value of a field picks its default.
type Options struct {
	CenterRA, CenterDec float64 // J2000 degrees; Dec in [-90, 90]
	// Roll is the rotation of the camera field in degrees (the solver's
	// roll). A positive Roll rotates the sky counter-clockwise on the
	// chart, unless NorthUp.
	Roll float64
	// NorthUp keeps north up (east left); the camera field square is then
	// drawn rotated by Roll the other way (clockwise for a positive Roll)
	// so it covers the same stars.
	NorthUp bool
	// FOV is the chart width in degrees (default 20, clamped to 1..120).
	FOV float64
	// Width, Height in pixels (default 512×512, clamped to 16..4096).
	Width, Height int
	// MagLimit is the faintest star magnitude drawn; 0 picks one from FOV
	// (about 4.5 at 60°, 6.5 at 20°, 8 at 5°). Capped at the catalogue's
	// limit.
	MagLimit float64
	// CameraFOV > 0 draws the camera field, a square of that side in
	// degrees, centred.
	CameraFOV float64
	// EyepieceFOV > 0 draws a circle of that diameter in degrees, centred.
	EyepieceFOV float64
	// Target is drawn as a circle with a crosshair and its label, or as an
	// arrow at the edge pointing its way when it is off the chart.
	Target *Mark
	Theme  Theme
}

// Mark is a labelled position, J2000 degrees.
type Mark struct {
	RA, Dec float64
	Label   string
}

// Star is a projected star: pixel position, radius in pixels, magnitude.
type Star struct {
	X, Y, R float64
	Mag     float64
}

// Segment is a projected constellation line segment, clipped to the chart
// (with a small margin).
type Segment struct {
	X1, Y1, X2, Y2 float64
	Con            string // IAU abbreviation
}

// Label is a text placed at a pixel position (its centre).
type Label struct {
	X, Y float64
	Text string
}

// DSO is a projected deep-sky object. RX, RY are the half axes of its
// symbol in pixels (at least a few pixels); Label is its primary
// designation ("M 42") for the brighter ones, empty otherwise.
type DSO struct {
	X, Y   float64
	RX, RY float64
	Kind   objects.Kind
	Mag    float64
	Label  string
}

// Target is the projected Options.Target. When Inside, X, Y is its
// position; otherwise X, Y is the tip of an edge arrow pointing along DX, DY
// (a unit vector in pixels) towards it. Dist is its distance from the centre
// in degrees.
type Target struct {
	X, Y   float64
	DX, DY float64
	Inside bool
	Label  string
	Dist   float64
}

// Point is a pixel position.
type Point struct{ X, Y float64 }

// Scene is a projected chart, in pixels: (0, 0) top left, y down.
type Scene struct {
	Width, Height int
	Theme         Theme
	FOV           float64 // degrees across Width
	MagLimit      float64
	// Scale is pixels per radian at the centre.
	Scale float64

	Stars  []Star // brightest first
	Lines  []Segment
	Labels []Label // constellation names
	DSOs   []DSO   // brightest first

	Camera    []Point // the camera field corners, nil when none
	EyepieceR float64 // eyepiece circle radius in pixels, 0 when none
	Target    *Target

	// North, East are unit vectors in pixels pointing north and east at
	// the centre (for the compass).
	North, East Point
}

// ErrOptions reports unusable Options.
var ErrOptions = errors.New("chart: bad options")

func badOpt(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrOptions, fmt.Sprintf(format, a...))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// normalize checks o and fills in the defaults.
func normalize(o Options) (Options, error) {
	for _, f := range []struct {
		name string
		v    float64
	}{{"CenterRA", o.CenterRA}, {"CenterDec", o.CenterDec}, {"Roll", o.Roll}, {"FOV", o.FOV},
		{"MagLimit", o.MagLimit}, {"CameraFOV", o.CameraFOV}, {"EyepieceFOV", o.EyepieceFOV}} {
		if !finite(f.v) {
			return o, badOpt("%s is %v", f.name, f.v)
		}
	}
	if o.CenterDec < -90 || o.CenterDec > 90 {
		return o, badOpt("CenterDec %v outside [-90, 90]", o.CenterDec)
	}
	if o.FOV < 0 || o.CameraFOV < 0 || o.EyepieceFOV < 0 {
		return o, badOpt("negative field of view")
	}
	if o.Width < 0 || o.Height < 0 {
		return o, badOpt("negative size %dx%d", o.Width, o.Height)
	}
	if t := o.Target; t != nil {
		if !finite(t.RA) || !finite(t.Dec) || t.Dec < -90 || t.Dec > 90 {
			return o, badOpt("target position %v, %v", t.RA, t.Dec)
		}
	}
	if o.FOV == 0 {
		o.FOV = DefaultFOV
	}
	o.FOV = min(max(o.FOV, MinFOV), MaxFOV)
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	if o.Height == 0 {
		o.Height = DefaultHeight
	}
	o.Width = min(max(o.Width, MinSize), MaxSize)
	o.Height = min(max(o.Height, MinSize), MaxSize)
	if o.MagLimit == 0 {
		o.MagLimit = DefaultMagLimit(o.FOV)
	}
	o.CenterRA = math.Mod(o.CenterRA, 360)
	if o.CenterRA < 0 {
		o.CenterRA += 360
	}
	o.Roll = math.Mod(o.Roll, 360)
	return o, nil
}

// DefaultMagLimit is the star limit picked for a chart FOV degrees wide:
// piecewise linear in log FOV through 8 at 5°, 6.5 at 20° and 4.5 at 60°,
// kept within 3..8.
func DefaultMagLimit(fov float64) float64 {
	l := math.Log10(max(fov, 1e-3))
	var m float64
	if fov <= 20 {
		m = 6.5 + (8-6.5)*(math.Log10(20)-l)/(math.Log10(20)-math.Log10(5))
	} else {
		m = 6.5 - (6.5-4.5)*(l-math.Log10(20))/(math.Log10(60)-math.Log10(20))
	}
	return min(max(m, 3), 8)
}

// vec3 is a unit vector on the sky.
type vec3 [3]float64

func vecOf(raDeg, decDeg float64) vec3 {
	sr, cr := math.Sincos(raDeg * math.Pi / 180)
	sd, cd := math.Sincos(decDeg * math.Pi / 180)
	return vec3{cd * cr, cd * sr, sd}
}

func (a vec3) dot(b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// proj is the gnomonic projection about a centre followed by the roll
// rotation into pixels.
type proj struct {
	c, e, n    vec3 // centre, east and north unit vectors at the centre
	scale      float64
	cx, cy     float64
	cosR, sinR float64 // sky rotation on the chart (screen, y down)
}

func newProj(o Options) proj {
	ra := o.CenterRA * math.Pi / 180
	dec := o.CenterDec * math.Pi / 180
	sr, cr := math.Sincos(ra)
	sd, cd := math.Sincos(dec)
	p := proj{
		c:     vec3{cd * cr, cd * sr, sd},
		e:     vec3{-sr, cr, 0},
		n:     vec3{-sd * cr, -sd * sr, cd},
		scale: float64(o.Width) / (2 * math.Tan(o.FOV/2*math.Pi/180)),
		cx:    float64(o.Width) / 2,
		cy:    float64(o.Height) / 2,
		cosR:  1,
	}
	if !o.NorthUp {
		p.sinR, p.cosR = math.Sincos(o.Roll * math.Pi / 180)
	}
	return p
}

// screen turns tangent-plane offsets (x east, y north, in tangent units)
// into pixels.
func (p *proj) screen(x, y float64) (float64, float64) {
	u, v := -x*p.scale, -y*p.scale
	// Counter-clockwise on screen (y down) by the roll.
	return p.cx + u*p.cosR + v*p.sinR, p.cy - u*p.sinR + v*p.cosR
}

// dir turns a tangent-plane direction into a unit screen direction.
func (p *proj) dir(x, y float64) Point {
	u, v := -x, -y
	return Point{u*p.cosR + v*p.sinR, -u*p.sinR + v*p.cosR}
}

// at projects an (unnormalised) vector; ok is false behind the cut-off.
func (p *proj) at(v vec3) (x, y float64, ok bool) {
	cosc := v.dot(p.c)
	if cosc <= minCos {
		return 0, 0, false
	}
	x, y = p.screen(v.dot(p.e)/cosc, v.dot(p.n)/cosc)
	return x, y, true
}

type catStar struct {
	v   vec3
	mag float64
}

type catDSO struct {
	v     vec3
	mag   float64
	kind  objects.Kind
	major float64
	minor float64
	label string
}

type catLine struct {
	id  string
	pts [][]vec3
}

type catalog struct {
	stars   []catStar // brightest first
	starLim float64
	dsos    []catDSO // brightest first
	figures []catLine
}

var loadCatalog = sync.OnceValues(func() (*catalog, error) {
	stars, err := starcat.Embedded()
	if err != nil {
		return nil, err
	}
	objs, err := objects.All()
	if err != nil {
		return nil, err
	}
	figs, err := figures()
	if err != nil {
		return nil, err
	}
	c := &catalog{starLim: math.Inf(-1)}
	c.stars = make([]catStar, 0, len(stars))
	for _, s := range stars {
		if !finite(s.Vmag) {
			continue
		}
		c.stars = append(c.stars, catStar{vecOf(s.RA, s.Dec), s.Vmag})
		c.starLim = max(c.starLim, s.Vmag)
	}
	slices.SortStableFunc(c.stars, func(a, b catStar) int { return cmp.Compare(a.mag, b.mag) })
	for i := range objs {
		o := &objs[i]
		if !deepSky(o.Kind) || !finite(o.Mag) {
			continue
		}
		c.dsos = append(c.dsos, catDSO{vecOf(o.RA, o.Dec), o.Mag, o.Kind, o.MajorArcmin, o.MinorArcmin, o.Primary()})
	}
	slices.SortStableFunc(c.dsos, func(a, b catDSO) int { return cmp.Compare(a.mag, b.mag) })
	for _, f := range figs {
		l := catLine{id: f.ID}
		for _, ln := range f.Lines {
			vs := make([]vec3, len(ln))
			for i, p := range ln {
				vs[i] = vecOf(p[0], p[1])
			}
			l.pts = append(l.pts, vs)
		}
		c.figures = append(c.figures, l)
	}
	return c, nil
})

// deepSky reports whether a kind is drawn as a deep-sky object. Dark
// nebulae (no magnitude) and asterisms are left out.
func deepSky(k objects.Kind) bool {
	switch k {
	case objects.Galaxy, objects.GalaxyGroup, objects.OpenCluster, objects.GlobularCluster,
		objects.PlanetaryNebula, objects.BrightNebula, objects.EmissionNebula,
		objects.ReflectionNebula, objects.SupernovaRemnant, objects.StarFormingRegion:
		return true
	}
	return false
}

// sizeScale is the symbol size factor for a chart: 1 at 512 px.
func sizeScale(w, h int) float64 { return min(max(float64(min(w, h))/512, 0.3), 2) }

// starRadius is a star's disc radius in pixels at size factor 1.
func starRadius(mag, lim float64) float64 {
	return min(max(0.6+0.5*(lim-mag), 0.6), 5.5)
}

// Build projects the chart described by o. It returns ErrOptions for
// non-finite values, a CenterDec outside [-90, 90] or negative sizes.
func Build(o Options) (*Scene, error) {
	o, err := normalize(o)
	if err != nil {
		return nil, err
	}
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	o.MagLimit = min(o.MagLimit, cat.starLim)
	p := newProj(o)
	W, H := float64(o.Width), float64(o.Height)
	ss := sizeScale(o.Width, o.Height)
	s := &Scene{
		Width: o.Width, Height: o.Height, Theme: o.Theme, FOV: o.FOV,
		MagLimit: o.MagLimit, Scale: p.scale,
		North: p.dir(0, 1), East: p.dir(1, 0),
	}

	// Stars, brightest first.
	for i := range cat.stars {
		st := &cat.stars[i]
		if st.mag > o.MagLimit || len(s.Stars) >= MaxStars {
			break
		}
		x, y, ok := p.at(st.v)
		if !ok {
			continue
		}
		r := starRadius(st.mag, o.MagLimit) * ss
		if x < -r || y < -r || x > W+r || y > H+r {
			continue
		}
		s.Stars = append(s.Stars, Star{X: x, Y: y, R: r, Mag: st.mag})
	}

	// Constellation lines and names.
	margin := 2.0
	for _, f := range cat.figures {
		var sx, sy float64
		var n int
		for _, ln := range f.pts {
			for i, v := range ln {
				if x, y, ok := p.at(v); ok && x >= 0 && y >= 0 && x <= W && y <= H {
					sx += x
					sy += y
					n++
				}
				if i == 0 {
					continue
				}
				if seg, ok := p.segment(ln[i-1], v, -margin, -margin, W+margin, H+margin); ok {
					seg.Con = f.id
					s.Lines = append(s.Lines, seg)
				}
			}
		}
		if n > 0 {
			s.Labels = append(s.Labels, Label{X: sx / float64(n), Y: sy / float64(n), Text: f.id})
		}
	}

	// Deep-sky objects.
	pxPerDeg := p.scale * math.Pi / 180
	labels := 0
	for i := range cat.dsos {
		d := &cat.dsos[i]
		if d.mag > o.MagLimit+3 || len(s.DSOs) >= MaxDSOs {
			break
		}
		x, y, ok := p.at(d.v)
		if !ok {
			continue
		}
		rx := max(d.major/120*pxPerDeg, 3.5*ss)
		ry := rx
		if d.major > 0 && d.minor > 0 && d.minor < d.major {
			ry = max(rx*d.minor/d.major, rx*0.35, 1.5*ss)
		}
		rx = min(rx, 2*max(W, H))
		ry = min(ry, 2*max(W, H))
		if x < -rx || y < -rx || x > W+rx || y > H+rx {
			continue
		}
		dso := DSO{X: x, Y: y, RX: rx, RY: ry, Kind: d.kind, Mag: d.mag}
		if labels < maxDSOLabels && (d.mag <= o.MagLimit+1.5 || isMessier(d.label)) &&
			x >= 0 && y >= 0 && x <= W && y <= H {
			dso.Label = d.label
			labels++
		}
		s.DSOs = append(s.DSOs, dso)
	}

	// Camera field and eyepiece.
	if o.CameraFOV > 0 {
		h := math.Tan(min(o.CameraFOV, 170)/2*math.Pi/180) * p.scale
		h = min(h, 4*max(W, H))
		var sr, cr float64 = 0, 1
		if o.NorthUp {
			// Clockwise on screen by Roll: the inverse of the sky rotation.
			sr, cr = math.Sincos(-o.Roll * math.Pi / 180)
		}
		for _, c := range [4][2]float64{{-h, -h}, {h, -h}, {h, h}, {-h, h}} {
			u, v := c[0], c[1]
			s.Camera = append(s.Camera, Point{p.cx + u*cr + v*sr, p.cy - u*sr + v*cr})
		}
	}
	if o.EyepieceFOV > 0 {
		s.EyepieceR = min(math.Tan(min(o.EyepieceFOV, 170)/2*math.Pi/180)*p.scale, 4*max(W, H))
	}

	if t := o.Target; t != nil {
		s.Target = p.target(*t, W, H, 14*ss)
	}
	return s, nil
}

func isMessier(d string) bool { return len(d) > 2 && d[0] == 'M' && d[1] == ' ' }

// target projects the target mark, or finds where its edge arrow goes.
func (p *proj) target(m Mark, W, H, inset float64) *Target {
	v := vecOf(m.RA, m.Dec)
	t := &Target{Label: m.Label}
	t.Dist = math.Acos(min(max(v.dot(p.c), -1), 1)) * 180 / math.Pi
	if x, y, ok := p.at(v); ok && x >= 0 && y >= 0 && x <= W && y <= H {
		t.X, t.Y, t.Inside = x, y, true
		return t
	}
	d := p.dir(v.dot(p.e), v.dot(p.n))
	l := math.Hypot(d.X, d.Y)
	if l < 1e-12 {
		d = Point{0, -1} // antipode: any way will do
	} else {
		d = Point{d.X / l, d.Y / l}
	}
	t.DX, t.DY = d.X, d.Y
	// Ray from the centre to the inset rectangle.
	hx, hy := max(W/2-inset, 1), max(H/2-inset, 1)
	k := math.Inf(1)
	if math.Abs(d.X) > 1e-12 {
		k = hx / math.Abs(d.X)
	}
	if math.Abs(d.Y) > 1e-12 {
		k = min(k, hy/math.Abs(d.Y))
	}
	t.X, t.Y = p.cx+d.X*k, p.cy+d.Y*k
	return t
}

// segment projects the great-circle segment a–b, cut where it passes behind
// the projection limit, and clips it to the rectangle.
func (p *proj) segment(a, b vec3, x0, y0, x1, y1 float64) (Segment, bool) {
	ca, cb := a.dot(p.c), b.dot(p.c)
	if ca <= minCos && cb <= minCos {
		return Segment{}, false
	}
	// The chord a + t(b−a) lies in the great circle's plane, so it
	// projects onto the same straight line; cut it where its (unnormalised)
	// cosine reaches minCos, which keeps the normalised one above it.
	if ca <= minCos || cb <= minCos {
		t := (minCos - ca) / (cb - ca)
		q := vec3{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1]), a[2] + t*(b[2]-a[2])}
		q3 := q.dot(p.c)
		if q3 <= 0 {
			return Segment{}, false
		}
		if ca <= minCos {
			a, ca = q, q3
		} else {
			b, cb = q, q3
		}
	}
	ax, ay := p.screen(a.dot(p.e)/ca, a.dot(p.n)/ca)
	bx, by := p.screen(b.dot(p.e)/cb, b.dot(p.n)/cb)
	return clip(ax, ay, bx, by, x0, y0, x1, y1)
}

// clip is Liang–Barsky clipping of a segment to a rectangle.
func clip(ax, ay, bx, by, x0, y0, x1, y1 float64) (Segment, bool) {
	dx, dy := bx-ax, by-ay
	t0, t1 := 0.0, 1.0
	for _, e := range [4][2]float64{{-dx, ax - x0}, {dx, x1 - ax}, {-dy, ay - y0}, {dy, y1 - ay}} {
		pp, q := e[0], e[1]
		if pp == 0 {
			if q < 0 {
				return Segment{}, false
			}
			continue
		}
		r := q / pp
		if pp < 0 {
			if r > t1 {
				return Segment{}, false
			}
			t0 = max(t0, r)
		} else {
			if r < t0 {
				return Segment{}, false
			}
			t1 = min(t1, r)
		}
	}
	return Segment{X1: ax + t0*dx, Y1: ay + t0*dy, X2: ax + t1*dx, Y2: ay + t1*dy}, true
}

// AroundPointing fills o for the sky around the eyepiece pointing of st
// (the aligned estimate): the centre and roll, the camera field of the
// last solve, and the target. ok is false when there is no pointing yet.
// The web page's chart and the device's chart screen both use it.
func AroundPointing(st state.State, o Options) (_ Options, ok bool) {
	p := st.Estimate.Aligned.Estimate
	if !p.Valid {
		return o, false
	}
	o.CenterRA, o.CenterDec, o.Roll = p.RA, p.Dec, p.Roll
	if fov := st.Estimate.Diag.FOV; fov > 0 && fov < 90 {
		o.CameraFOV = fov
	}
	if st.HasTarget {
		o.Target = &Mark{RA: st.Target.RA, Dec: st.Target.Dec, Label: st.Target.Name}
	}
	return o, true
}
