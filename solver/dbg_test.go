package solver

import (
	"os"
	"path/filepath"
	"math"
	"slices"

	"github.com/pifinder-go/pifinder/solver/db"
	"testing"

	"github.com/pifinder-go/pifinder/solver/detect"
	"github.com/pifinder-go/pifinder/solver/geom"
)

func TestDbgFrame(t *testing.T) {
	name := os.Getenv("DBG_IMAGE")
	if name == "" {
		t.Skip("set DBG_IMAGE")
	}
	s, _ := Default()
	for _, tr := range loadTruth(t) {
		if filepath.Base(tr.image) != name {
			continue
		}
		g, _ := loadGray8(filepath.Join(skyDir, tr.image))
		dr, _ := detect.New(detect.DefaultOptions()).Detect(g)
		att := geom.Attitude{RA: tr.ra, Dec: tr.dec, Roll: tr.roll}
		cam := geom.Camera{W: tr.w, H: tr.h, FOV: tr.fov}
		for i, st := range dr.Stars[:min(60, len(dr.Stars))] {
			ra, dec := geom.Unproject(att, cam, st.X, st.Y)
			best, bd := -1, 1e9
			for j, d := range s.db.Stars {
				r2, d2 := raDec(d.Vec)
				if sep := geom.Separation(ra, dec, r2, d2); sep < bd {
					best, bd = j, sep
				}
			}
			t.Logf("%2d x %7.1f y %7.1f b %9.0f sat %v -> star #%d V %.2f HIP %d sep %.1f px", i, st.X, st.Y, st.Brightness, st.Saturated, best, s.db.Stars[best].Vmag, s.db.Stars[best].HIP, bd*3600/tr.scale)
		}
	}
}

func TestDbgPatterns(t *testing.T) {
	name := os.Getenv("DBG_IMAGE")
	if name == "" {
		t.Skip("set DBG_IMAGE")
	}
	s, _ := Default()
	set := map[[4]uint16]bool{}
	for _, p := range s.db.Patterns {
		set[p] = true
	}
	for _, tr := range loadTruth(t) {
		if filepath.Base(tr.image) != name {
			continue
		}
		g, _ := loadGray8(filepath.Join(skyDir, tr.image))
		dr, _ := detect.New(detect.DefaultOptions()).Detect(g)
		att := geom.Attitude{RA: tr.ra, Dec: tr.dec, Roll: tr.roll}
		cam := geom.Camera{W: tr.w, H: tr.h, FOV: tr.fov}
		var ids []int
		for _, st := range dr.Stars[:min(30, len(dr.Stars))] {
			ra, dec := geom.Unproject(att, cam, st.X, st.Y)
			best, bd := -1, 1e9
			for j, d := range s.db.Stars {
				r2, d2 := raDec(d.Vec)
				if sep := geom.Separation(ra, dec, r2, d2); sep < bd {
					best, bd = j, sep
				}
			}
			if bd*3600/tr.scale < 3 {
				ids = append(ids, best)
			} else {
				ids = append(ids, -1)
			}
		}
		n := 0
		for d := 3; d < len(ids); d++ {
			for c := 2; c < d; c++ {
				for b := 1; b < c; b++ {
					for a := 0; a < b; a++ {
						q := []int{ids[a], ids[b], ids[c], ids[d]}
						if q[0] < 0 || q[1] < 0 || q[2] < 0 || q[3] < 0 {
							continue
						}
						slices.Sort(q)
						if set[[4]uint16{uint16(q[0]), uint16(q[1]), uint16(q[2]), uint16(q[3])}] {
							n++
							t.Logf("combo %d %d %d %d in DB: stars %v", a, b, c, d, q)
						}
					}
				}
			}
		}
		t.Logf("ids %v: %d combos in DB", ids, n)
	}
}

func TestDbgRatios(t *testing.T) {
	name := os.Getenv("DBG_IMAGE")
	if name == "" {
		t.Skip("set DBG_IMAGE")
	}
	s, _ := Default()
	for _, tr := range loadTruth(t) {
		if filepath.Base(tr.image) != name {
			continue
		}
		g, _ := loadGray8(filepath.Join(skyDir, tr.image))
		dr, _ := detect.New(detect.DefaultOptions()).Detect(g)
		att := geom.Attitude{RA: tr.ra, Dec: tr.dec, Roll: tr.roll}
		cam := geom.Camera{W: tr.w, H: tr.h, FOV: tr.fov}
		type pr struct {
			i, star int
		}
		var real []pr
		for i, st := range dr.Stars[:min(30, len(dr.Stars))] {
			ra, dec := geom.Unproject(att, cam, st.X, st.Y)
			best, bd := -1, 1e9
			for j, d := range s.db.Stars {
				r2, d2 := raDec(d.Vec)
				if sep := geom.Separation(ra, dec, r2, d2); sep < bd {
					best, bd = j, sep
				}
			}
			if bd*3600/tr.scale < 3 {
				real = append(real, pr{i, best})
			}
		}
		sg := scaleFor(tr.fov, float64(tr.w))
		for a := 0; a < len(real); a++ {
			for b := a + 1; b < len(real); b++ {
				for c := b + 1; c < len(real); c++ {
					for d := c + 1; d < len(real); d++ {
						q := []pr{real[a], real[b], real[c], real[d]}
						var v, cv [4][3]float64
						lpx := 0.0
						for i, p := range q {
							st := dr.Stars[p.i]
							v[i] = unit(vec3{(float64(tr.w)/2 - st.X) * sg, (float64(tr.h)/2 - st.Y) * sg, 1})
							cv[i] = s.db.Stars[p.star].Vec
							for _, p2 := range q {
								lpx = math.Max(lpx, math.Hypot(st.X-dr.Stars[p2.i].X, st.Y-dr.Stars[p2.i].Y))
							}
						}
						r, _ := db.Ratios(db.Chords(&v))
						rc, _ := db.Ratios(db.Chords(&cv))
						md := 0.0
						for i := range r {
							md = math.Max(md, math.Abs(r[i]-rc[i]))
						}
						t.Logf("%d %d %d %d: max ratio diff %.4f, tol %.4f, lpx %.0f", q[0].i, q[1].i, q[2].i, q[3].i, md, s.RatioTol+1/lpx, lpx)
					}
				}
			}
		}
	}
}
