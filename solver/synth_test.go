package solver

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
	"github.com/pifinder-go/pifinder/solver/db"
)

var (
	hipOnce  sync.Once
	hipStars []starcat.Star
)

// testStars returns hip8.csv at 2026 when ../shared is present, else the
// database's own stars.
func testStars(t testing.TB, s *Solver) []starcat.Star {
	hipOnce.Do(func() {
		st, err := starcat.Load("../../shared/catalog/hip8.csv")
		if err == nil {
			for i := range st {
				st[i] = st[i].At(2026)
			}
			hipStars = st
		}
	})
	if hipStars != nil {
		return hipStars
	}
	out := make([]starcat.Star, len(s.db.Stars))
	for i, d := range s.db.Stars {
		ra, dec := raDec(d.Vec)
		out[i] = starcat.Star{HIP: d.HIP, RA: ra, Dec: dec, Vmag: d.Vmag}
	}
	return out
}

type synthOpts struct {
	w, h     int
	fov      float64
	magLimit float64
	noisePx  float64
	drop     float64 // fraction of stars missed
	falseN   int     // spurious centroids
	magNoise float64
	k        float64 // radial distortion (tetra3 convention)
}

// synthCentroids projects the catalogue at att and returns centroids,
// brightest first, with position and brightness noise, dropped stars and
// spurious detections.
func synthCentroids(rng *rand.Rand, stars []starcat.Star, att geom.Attitude, o synthOpts) []Centroid {
	cam := geom.Camera{W: o.w, H: o.h, FOV: o.fov}
	bore := geom.Vector(att.RA, att.Dec)
	rad := math.Atan(cam.Scale()*math.Hypot(float64(o.w), float64(o.h))/2) * 180 / math.Pi
	cosR := math.Cos(rad * math.Pi / 180 * 1.05)
	var out []Centroid
	rot := att.Rotation()
	hw := float64(o.w) / 2
	for _, st := range stars {
		if st.Vmag > o.magLimit {
			continue
		}
		v := geom.Vector(st.RA, st.Dec)
		if v.X*bore.X+v.Y*bore.Y+v.Z*bore.Z < cosR {
			continue
		}
		x, y, ok := cam.VectorPixel(rot.ApplyT(v))
		if !ok {
			continue
		}
		if o.k != 0 {
			// invert r_u = r_d(1 − k r_d²) approximately
			px, py := float64(o.w)/2-x, float64(o.h)/2-y
			ru := math.Hypot(px, py)
			rd := ru
			for i := 0; i < 6; i++ {
				q := rd / hw
				rd -= (rd*(1-o.k*q*q) - ru) / (1 - 3*o.k*q*q)
			}
			if ru > 0 {
				px, py = px*rd/ru, py*rd/ru
			}
			x, y = float64(o.w)/2-px, float64(o.h)/2-py
		}
		if !cam.Inside(x, y) || rng.Float64() < o.drop {
			continue
		}
		m := st.Vmag + rng.NormFloat64()*o.magNoise
		out = append(out, Centroid{X: x + rng.NormFloat64()*o.noisePx, Y: y + rng.NormFloat64()*o.noisePx, Brightness: math.Pow(10, -0.4*m)})
	}
	// A detector sees stars closer than about 1.5 px as one.
	out = blend(out, 1.5)
	for i := 0; i < o.falseN; i++ {
		out = append(out, Centroid{X: rng.Float64() * float64(o.w), Y: rng.Float64() * float64(o.h), Brightness: math.Pow(10, -0.4*(4+rng.Float64()*4))})
	}
	slices.SortFunc(out, func(a, b Centroid) int {
		switch {
		case a.Brightness > b.Brightness:
			return -1
		case a.Brightness < b.Brightness:
			return 1
		}
		return 0
	})
	return out
}

func randomAttitude(rng *rand.Rand) geom.Attitude {
	return geom.Attitude{RA: rng.Float64() * 360, Dec: math.Asin(2*rng.Float64()-1) * 180 / math.Pi, Roll: rng.Float64() * 360}
}

// blend merges centroids closer than r pixels into their flux-weighted mean.
func blend(c []Centroid, r float64) []Centroid {
	for i := 0; i < len(c); i++ {
		for j := i + 1; j < len(c); j++ {
			if math.Hypot(c[i].X-c[j].X, c[i].Y-c[j].Y) < r {
				f := c[i].Brightness + c[j].Brightness
				c[i].X = (c[i].X*c[i].Brightness + c[j].X*c[j].Brightness) / f
				c[i].Y = (c[i].Y*c[i].Brightness + c[j].Y*c[j].Brightness) / f
				c[i].Brightness = f
				c = append(c[:j], c[j+1:]...)
				j--
			}
		}
	}
	return c
}

// TestBlindAcrossFOVRange solves projected catalogue fields (with centroid
// noise, missed stars, magnitude errors and spurious detections) blind at
// FOVs across the whole database range.
func TestBlindAcrossFOVRange(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	stars := testStars(t, s)
	n := 200
	if testing.Short() {
		n = 20
	}
	for _, fc := range []struct{ fov, mag float64 }{{8.3, 7.5}, {10.2, 7.3}, {13.7, 7.0}, {17.8, 6.7}, {22.2, 6.5}} {
		rng := rand.New(rand.NewPCG(5, uint64(fc.fov*10)))
		ok := 0
		for i := 0; i < n; i++ {
			att := randomAttitude(rng)
			c := synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: fc.fov, magLimit: fc.mag, noisePx: 0.3, drop: 0.05, falseN: 3, magNoise: 0.3})
			r := s.Solve(context.Background(), Request{Centroids: c, Width: 512, Height: 512})
			if r.Status != StatusMatch {
				continue
			}
			if d := geom.Separation(r.RA, r.Dec, att.RA, att.Dec) * 512 / fc.fov; d > 2 {
				t.Errorf("fov %.1f: wrong solution, centre %.1f px from the truth, want ≤ 2 px", fc.fov, d)
				continue
			}
			if math.Abs(r.FOV/fc.fov-1) > 0.005 {
				t.Errorf("fov %.1f: fitted FOV %.3f°, want within 0.5%%", fc.fov, r.FOV)
			}
			ok++
		}
		t.Logf("fov %.1f: solved %d/%d blind", fc.fov, ok, n)
		if ok < n*98/100 {
			t.Errorf("fov %.1f: solved %d/%d blind, want ≥ 98%%", fc.fov, ok, n)
		}
	}
}

func TestRequestValidation(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	good := []Centroid{{10, 10, 5}, {100, 200, 4}, {300, 50, 3}, {400, 400, 2}, {250, 250, 1}}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		req  Request
		want Status
	}{
		{"zero size", context.Background(), Request{Centroids: good}, StatusInvalid},
		{"NaN centroid", context.Background(), Request{Centroids: []Centroid{{math.NaN(), 1, 1}}, Width: 512, Height: 512}, StatusInvalid},
		{"negative FOV", context.Background(), Request{Centroids: good, Width: 512, Height: 512, FOVEstimate: -1}, StatusInvalid},
		{"no centroids", context.Background(), Request{Width: 512, Height: 512}, StatusTooFew},
		{"three centroids", context.Background(), Request{Centroids: good[:3], Width: 512, Height: 512}, StatusTooFew},
		{"cancelled", cancelled, Request{Centroids: good, Width: 512, Height: 512}, StatusCancelled},
		{"noise", context.Background(), Request{Centroids: good, Width: 512, Height: 512}, StatusNoMatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Solve(tc.ctx, tc.req).Status; got != tc.want {
				t.Errorf("Solve(%s) status %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

// TestTargets checks the target pixel and target sky coordinate outputs
// against the geometry of a synthetic field.
func TestTargets(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	stars := testStars(t, s)
	rng := rand.New(rand.NewPCG(3, 3))
	att := geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 33}
	cam := geom.Camera{W: 512, H: 512, FOV: 10.2}
	c := synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: 10.2, magLimit: 7.3, noisePx: 0.1})
	tra, tdec := geom.Unproject(att, cam, 100, 400) // x=100, y=400
	r := s.Solve(context.Background(), Request{Centroids: c, Width: 512, Height: 512,
		TargetPixel: &[2]float64{400, 100}, TargetSky: &[2]float64{tra, tdec}})
	if r.Status != StatusMatch || !r.HasTarget || !r.HasTargetPixel {
		t.Fatalf("status %v, HasTarget %v, HasTargetPixel %v; want a match with both targets", r.Status, r.HasTarget, r.HasTargetPixel)
	}
	if d := geom.Separation(r.RATarget, r.DecTarget, tra, tdec) * 3600; d > 10 {
		t.Errorf("target pixel (x 100, y 400) solved to (%.5f, %.5f), want (%.5f, %.5f) within 10\": %.1f\" off", r.RATarget, r.DecTarget, tra, tdec, d)
	}
	if d := math.Hypot(r.XTarget-100, r.YTarget-400); d > 0.2 {
		t.Errorf("target sky pixel (%.2f, %.2f), want (100, 400) within 0.2 px", r.XTarget, r.YTarget)
	}
	if math.Abs(math.Remainder(r.Roll-33, 360)) > 0.05 {
		t.Errorf("roll %.3f°, want 33° ± 0.05°", r.Roll)
	}
	for _, m := range r.Matched {
		if m.HIP <= 0 || m.Residual > 60 {
			t.Errorf("match %+v: want a catalogue star (HIP > 0) within 60\"", m)
		}
	}
}

// TestConcurrentSolves runs solves from several goroutines on one Solver
// (run with -race).
func TestConcurrentSolves(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	stars := testStars(t, s)
	rng := rand.New(rand.NewPCG(9, 9))
	type job struct {
		att geom.Attitude
		c   []Centroid
	}
	var jobs []job
	for i := 0; i < 16; i++ {
		att := randomAttitude(rng)
		jobs = append(jobs, job{att, synthCentroids(rng, stars, att, synthOpts{w: 512, h: 512, fov: 10.2, magLimit: 7.3, noisePx: 0.2})})
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(jobs))
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.Solve(context.Background(), Request{Centroids: j.c, Width: 512, Height: 512, FOVEstimate: 10.2})
			if r.Status != StatusMatch || geom.Separation(r.RA, r.Dec, j.att.RA, j.att.Dec) > 0.05 {
				errs <- fmt.Sprintf("%v at %+v", r.Status, j.att)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzSolve checks that no request makes the solver panic or hang.
func FuzzSolve(f *testing.F) {
	s, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(512, 512, 10.2, 1.5, 0.0, 0.0, 0.0, []byte{10, 20, 200, 30, 100, 250, 50, 60, 250, 250})
	f.Add(1024, 768, 0.0, 0.0, 83.0, -5.0, 13.7, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(1, 1, 179.0, 0.0, 400.0, 95.0, 0.0, []byte{255, 255, 0, 0})
	f.Fuzz(func(t *testing.T, w, h int, fov, fovErr, pra, pdec, pfov float64, pts []byte) {
		if len(pts) > 200 {
			pts = pts[:200]
		}
		var c []Centroid
		for i := 0; i+1 < len(pts); i += 2 {
			c = append(c, Centroid{X: float64(pts[i]) * float64(w) / 255, Y: float64(pts[i+1]) * float64(h) / 255, Brightness: float64(len(pts) - i)})
		}
		req := Request{Centroids: c, Width: w, Height: h, FOVEstimate: fov, FOVMaxError: fovErr,
			TargetPixel: &[2]float64{float64(h) / 3, float64(w) / 3}, TargetSky: &[2]float64{pra, pdec}}
		if pfov != 0 {
			req.Prior = &Prior{Attitude: geom.Attitude{RA: pra, Dec: pdec}, FOV: pfov}
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s.Solve(ctx, req)
	})
}

// TestLoadMemory checks that a loaded solver holds at most twice the
// database file size.
func TestLoadMemory(t *testing.T) {
	data := db.DefaultBytes()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := db.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	s := New(d)
	runtime.ReadMemStats(&after)
	used := after.TotalAlloc - before.TotalAlloc
	t.Logf("file %d bytes, loaded solver allocated %d bytes (%.2fx)", len(data), used, float64(used)/float64(len(data)))
	if used > 2*uint64(len(data)) {
		t.Errorf("loaded solver uses %d bytes, more than twice the file (%d)", used, len(data))
	}
	runtime.KeepAlive(s)
}
