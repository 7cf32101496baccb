package solver

import (
	"context"
	"image"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/pifinder-go/pifinder/solver/db"
	"github.com/pifinder-go/pifinder/solver/detect"
)

// The PiFinder-style 512×512 frames of ../shared/sky.
var benchFrames = []string{"orion_bad.png", "pifinder_debug_01.png", "pifinder_debug_02.png", "random.png", "orion_belt.jpg", "tree.jpg"}

func benchImage(b *testing.B, name string) *image.Gray {
	g, err := loadGray8(filepath.Join(skyDir, "images", name))
	if err != nil {
		b.Skipf("real frames not available (%v)", err)
	}
	return g
}

// BenchmarkDetectSolve is the per-frame cost on PiFinder frames: detection
// plus a solve with PiFinder's FOV gate (10.2° ± 15%), and blind.
func BenchmarkDetectSolve(b *testing.B) {
	s, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"hint", "blind"} {
		for _, name := range benchFrames {
			b.Run(mode+"/"+name, func(b *testing.B) {
				g := benchImage(b, name)
				det := detect.New(detect.DefaultOptions())
				cents := make([]Centroid, 0, 256)
				b.ReportAllocs()
				for b.Loop() {
					dr, err := det.Detect(g)
					if err != nil {
						b.Fatal(err)
					}
					cents = cents[:0]
					for _, st := range dr.Stars {
						cents = append(cents, Centroid{X: st.X, Y: st.Y, Brightness: st.Brightness})
					}
					req := Request{Centroids: cents, Width: 512, Height: 512}
					if mode == "hint" {
						req.FOVEstimate, req.FOVMaxError = 10.2, 1.53
					}
					if r := s.Solve(context.Background(), req); r.Status != StatusMatch {
						b.Fatalf("%s: %v", name, r.Status)
					}
				}
			})
		}
	}
}

// BenchmarkSolveOnly is the solve step alone on the same frames (hint).
func BenchmarkSolveOnly(b *testing.B) {
	s, _ := Default()
	for _, name := range benchFrames {
		b.Run(name, func(b *testing.B) {
			g := benchImage(b, name)
			dr, _ := detect.New(detect.DefaultOptions()).Detect(g)
			req := Request{Centroids: centroidsOf(dr.Stars), Width: 512, Height: 512, FOVEstimate: 10.2, FOVMaxError: 1.53}
			b.ReportAllocs()
			for b.Loop() {
				s.Solve(context.Background(), req)
			}
		})
	}
}

// BenchmarkNoSolution is the cost of frames that do not solve: empty.png
// (detect + solve) and 40 random dots (the full bounded search), with the
// FOV gate and blind.
func BenchmarkNoSolution(b *testing.B) {
	s, _ := Default()
	rng := rand.New(rand.NewPCG(1, 1))
	dots := make([]Centroid, 40)
	for i := range dots {
		dots[i] = Centroid{X: rng.Float64() * 512, Y: rng.Float64() * 512, Brightness: float64(40 - i)}
	}
	b.Run("empty.png", func(b *testing.B) {
		g := benchImage(b, "empty.png")
		det := detect.New(detect.DefaultOptions())
		b.ReportAllocs()
		for b.Loop() {
			dr, _ := det.Detect(g)
			s.Solve(context.Background(), Request{Centroids: centroidsOf(dr.Stars), Width: 512, Height: 512, FOVEstimate: 10.2, FOVMaxError: 1.53})
		}
	})
	for _, mode := range []string{"hint", "blind"} {
		b.Run("random-dots/"+mode, func(b *testing.B) {
			req := Request{Centroids: dots, Width: 512, Height: 512}
			if mode == "hint" {
				req.FOVEstimate, req.FOVMaxError = 10.2, 1.53
			}
			b.ReportAllocs()
			for b.Loop() {
				if r := s.Solve(context.Background(), req); r.Status == StatusMatch {
					b.Fatal("random dots solved")
				}
			}
		})
	}
}

// BenchmarkTracking solves real frames around the previous solution
// (prior moved by 0.2°), as the pipeline does between lost-in-space solves.
func BenchmarkTracking(b *testing.B) {
	s, _ := Default()
	for _, name := range benchFrames {
		b.Run(name, func(b *testing.B) {
			g := benchImage(b, name)
			dr, _ := detect.New(detect.DefaultOptions()).Detect(g)
			cents := centroidsOf(dr.Stars)
			r0 := s.Solve(context.Background(), Request{Centroids: cents, Width: 512, Height: 512})
			if r0.Status != StatusMatch {
				b.Fatal(r0.Status)
			}
			prior := &Prior{Attitude: perturb(rand.New(rand.NewPCG(2, 2)), r0.Attitude, 0.2, 0.3), FOV: r0.FOV}
			req := Request{Centroids: cents, Width: 512, Height: 512, Prior: prior}
			b.ReportAllocs()
			for b.Loop() {
				if r := s.Solve(context.Background(), req); r.Mode != "tracking" {
					b.Fatalf("mode %q status %v", r.Mode, r.Status)
				}
			}
		})
	}
}

// BenchmarkLoad decodes the embedded database and builds the solver's index.
func BenchmarkLoad(b *testing.B) {
	data := db.DefaultBytes()
	b.ReportAllocs()
	for b.Loop() {
		d, err := db.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		New(d)
	}
}
