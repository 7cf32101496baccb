package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/internal/imaging"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/solver/detect"
)

// SolveRecord is one --json output line.
type SolveRecord struct {
	Image         string   `json:"image"`
	Solved        bool     `json:"solved"`
	Status        string   `json:"status"`
	Mode          string   `json:"mode,omitempty"`
	RA            *float64 `json:"ra_deg"`
	Dec           *float64 `json:"dec_deg"`
	Roll          *float64 `json:"roll_deg"`
	FOV           *float64 `json:"fov_deg"`
	Distortion    *float64 `json:"distortion"`
	Matches       int      `json:"matches"`
	RMSE          *float64 `json:"rmse_arcsec"`
	P90           *float64 `json:"p90_arcsec,omitempty"`
	MaxErr        *float64 `json:"max_err_arcsec,omitempty"`
	Prob          *float64 `json:"prob"`
	StarsDetected int      `json:"stars_detected"`
	TDetectMS     float64  `json:"t_detect_ms"`
	TSolveMS      float64  `json:"t_solve_ms"`
	RATarget      *float64 `json:"ra_target_deg,omitempty"`
	DecTarget     *float64 `json:"dec_target_deg,omitempty"`
	Width         int      `json:"width"`
	Height        int      `json:"height"`
}

const solveAbout = `Detects stars in each image (PNG, JPEG, TIFF, FITS; 16-bit data is scaled
to 8 bits first) and plate-solves them against the embedded star database
(or --db FILE). One line per image: text, or with --json one JSON object per
image and line with the fields image, solved, status, mode, ra_deg, dec_deg,
roll_deg, fov_deg, distortion, matches, rmse_arcsec, p90_arcsec,
max_err_arcsec, prob, stars_detected, t_detect_ms, t_solve_ms,
ra_target_deg, dec_target_deg, width and height (null when not solved).

--target-pixel Y,X is a pixel position with (0.5, 0.5) the centre of the
top-left pixel, so it must lie within [0, height] x [0, width] of each
image. A malformed or negative value is bad usage; a position outside an
image is that image's error: it is reported on stderr and not solved, the
other images are.

With --annotate OUT.png and one image, the annotated frame goes to OUT.png;
with several images, to OUT-<image name>.png for each (OUT.png's directory).

Exit status 0 when every image was read and solved or not, 1 when an image
could not be read or annotated or the target pixel lies outside it (the
others are still processed), 2 for bad usage.
`

type solveOptions struct {
	json                 bool
	fovEst, fovErr       float64
	target, db, annotate string
	sigma                float64
}

func solveCommand() (*command, *solveOptions) {
	c := newCommand("solve", "pifinder solve [flags] IMAGE...", solveAbout)
	o := &solveOptions{}
	fs := c.fs
	fs.BoolVar(&o.json, "json", false, "print one JSON object per image and line")
	fs.Float64Var(&o.fovEst, "fov-estimate", 0, "horizontal field of view in degrees (0: blind over the database's range)")
	fs.Float64Var(&o.fovErr, "fov-max-error", 0, "largest error of --fov-estimate in degrees (0: 15% of the estimate)")
	fs.StringVar(&o.target, "target-pixel", "", "pixel `Y,X` whose sky position to report (ra_target_deg, dec_target_deg); must lie in the image")
	fs.StringVar(&o.db, "db", "", "pattern database `FILE` (default: the embedded database)")
	fs.StringVar(&o.annotate, "annotate", "", "write an annotated PNG to `OUT.png` (several images: OUT-<name>.png)")
	fs.Float64Var(&o.sigma, "sigma", 8, "star detection threshold in noise sigmas")
	return c, o
}

// Solve runs `pifinder solve`; args follow "solve". It returns the exit
// status.
func Solve(args []string, stdout, stderr io.Writer) int {
	c, o := solveCommand()
	if code, ok := c.parse(args, stdout, stderr); !ok {
		return code
	}
	if c.fs.NArg() == 0 {
		return c.usageError(stderr, "no image given")
	}
	if !(o.fovEst >= 0) || !(o.fovErr >= 0) || !(o.sigma > 0) {
		return c.usageError(stderr, "--fov-estimate, --fov-max-error must be >= 0 and --sigma > 0")
	}
	var tp *[2]float64
	if o.target != "" {
		p, err := parseTargetPixel(o.target)
		if err != nil {
			return c.usageError(stderr, "--target-pixel %q: %v", o.target, err)
		}
		tp = &p
	}
	var sv *solver.Solver
	var err error
	if o.db != "" {
		sv, err = solver.Load(o.db)
	} else {
		sv, err = solver.Default()
	}
	if err != nil {
		return c.fail(stderr, o.db, err)
	}
	do := detect.DefaultOptions()
	do.Sigma = o.sigma
	det := detect.New(do)
	status := exitOK
	enc := json.NewEncoder(stdout)
	for _, path := range c.fs.Args() {
		img, err := imaging.Load(path)
		if err != nil {
			status = c.fail(stderr, path, err)
			continue
		}
		g := imaging.ToGray8(img)
		b := g.Bounds()
		if tp != nil && !(tp[0] <= float64(b.Dy()) && tp[1] <= float64(b.Dx())) {
			status = c.fail(stderr, path, fmt.Errorf("--target-pixel %s is outside the %dx%d image (Y 0..%d, X 0..%d)",
				o.target, b.Dx(), b.Dy(), b.Dy(), b.Dx()))
			continue
		}
		t0 := time.Now()
		dr, err := det.Detect(g)
		tDetect := time.Since(t0)
		if err != nil {
			status = c.fail(stderr, path, err)
			continue
		}
		cents := make([]solver.Centroid, len(dr.Stars))
		for i, s := range dr.Stars {
			cents[i] = solver.Centroid{X: s.X, Y: s.Y, Brightness: s.Brightness}
		}
		req := solver.Request{Centroids: cents, Width: b.Dx(), Height: b.Dy(),
			FOVEstimate: o.fovEst, FOVMaxError: o.fovErr, TargetPixel: tp}
		res := sv.Solve(context.Background(), req)
		rec := solveRecord(path, res, len(cents), tDetect, b)
		if o.json {
			if err := enc.Encode(rec); err != nil {
				return c.fail(stderr, "stdout", err)
			}
		} else {
			fmt.Fprintln(stdout, textLine(rec))
		}
		if o.annotate != "" {
			out := annotateName(o.annotate, path, c.fs.NArg())
			if err := writeAnnotated(out, g, dr.Stars, res, tp); err != nil {
				status = c.fail(stderr, path, fmt.Errorf("annotation %s", fileError(out, err)))
			}
		}
	}
	return status
}

// parseTargetPixel reads "Y,X": two finite, non-negative numbers (whether
// they lie in an image is known only once it is loaded).
func parseTargetPixel(s string) ([2]float64, error) {
	p, err := parsePair(s)
	if err != nil {
		return p, err
	}
	for _, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return p, errors.New("want two non-negative pixel coordinates Y,X")
		}
	}
	return p, nil
}

func parsePair(s string) ([2]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return [2]float64{}, errors.New("want two numbers Y,X")
	}
	var out [2]float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return out, fmt.Errorf("want two numbers Y,X: %w", err)
		}
		out[i] = v
	}
	return out, nil
}

func ptr(v float64) *float64 { return &v }

func solveRecord(path string, r solver.Result, nStars int, tDetect time.Duration, b image.Rectangle) SolveRecord {
	rec := SolveRecord{
		Image:         path,
		Solved:        r.Status == solver.StatusMatch,
		Status:        r.Status.String(),
		Mode:          r.Mode,
		Matches:       r.Matches,
		StarsDetected: nStars,
		TDetectMS:     float64(tDetect.Microseconds()) / 1000,
		TSolveMS:      float64(r.TSolve.Microseconds()) / 1000,
		Width:         b.Dx(),
		Height:        b.Dy(),
	}
	if rec.Solved {
		rec.RA, rec.Dec, rec.Roll, rec.FOV = ptr(r.RA), ptr(r.Dec), ptr(r.Roll), ptr(r.FOV)
		rec.Distortion, rec.RMSE, rec.P90, rec.MaxErr = ptr(r.Distortion), ptr(r.RMSE), ptr(r.P90), ptr(r.MaxErr)
		rec.Prob = ptr(r.Prob)
		if r.HasTarget {
			rec.RATarget, rec.DecTarget = ptr(r.RATarget), ptr(r.DecTarget)
		}
	}
	return rec
}

func textLine(r SolveRecord) string {
	if !r.Solved {
		return fmt.Sprintf("%s: %s (%d stars; detect %.1f ms, solve %.2f ms)", r.Image, r.Status, r.StarsDetected, r.TDetectMS, r.TSolveMS)
	}
	s := fmt.Sprintf("%s: RA %.4f Dec %+.4f Roll %.2f FOV %.3f k %+.4f, %d matches of %d stars, RMSE %.1f\", prob %.1e (%s; detect %.1f ms, solve %.2f ms)",
		r.Image, *r.RA, *r.Dec, *r.Roll, *r.FOV, *r.Distortion, r.Matches, r.StarsDetected, *r.RMSE, *r.Prob, r.Mode, r.TDetectMS, r.TSolveMS)
	if r.RATarget != nil {
		s += fmt.Sprintf(", target RA %.4f Dec %+.4f", *r.RATarget, *r.DecTarget)
	}
	return s
}

// annotateName derives the annotation file for an image: out itself for a
// single image, otherwise out's base with "-<image name>" before ".png".
func annotateName(out, image string, n int) string {
	if n <= 1 {
		return out
	}
	ext := filepath.Ext(out)
	base := strings.TrimSuffix(out, ext)
	if ext == "" {
		ext = ".png"
	}
	name := strings.TrimSuffix(filepath.Base(image), filepath.Ext(image))
	return base + "-" + name + ext
}
