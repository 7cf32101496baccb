package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
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

const solveUsage = `usage: pifinder solve [flags] IMAGE...

Detects stars in each image (PNG, JPEG, TIFF, FITS; 16-bit data is scaled
to 8 bits first) and plate-solves them against the embedded star database
(or --db FILE). One line per image; exit status 0 when every image was read,
whether or not it solved, 1 when an image could not be read, 2 for bad usage.

With --annotate OUT.png and one image, the annotated frame goes to OUT.png;
with several images, to OUT-<image name>.png for each (OUT.png's directory).

flags:
`

// Solve runs `pifinder solve`; args follow "solve".
func Solve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("solve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), solveUsage)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print one JSON object per image and line")
	fovEst := fs.Float64("fov-estimate", 0, "horizontal field of view in degrees (0: blind over the database's range)")
	fovErr := fs.Float64("fov-max-error", 0, "largest error of --fov-estimate in degrees (0: 15% of the estimate)")
	target := fs.String("target-pixel", "", "pixel `Y,X` whose sky position to report (ra_target_deg, dec_target_deg)")
	dbPath := fs.String("db", "", "pattern database `FILE` (default: the embedded database)")
	annotate := fs.String("annotate", "", "write an annotated PNG to `OUT.png` (several images: OUT-<name>.png)")
	sigma := fs.Float64("sigma", 8, "star detection threshold in noise sigmas")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "solve: no image given")
		fs.Usage()
		return 2
	}
	if *fovEst < 0 || *fovErr < 0 || *sigma <= 0 {
		fmt.Fprintln(stderr, "solve: --fov-estimate, --fov-max-error must be >= 0 and --sigma > 0")
		return 2
	}
	var tp *[2]float64
	if *target != "" {
		p, err := parsePair(*target)
		if err != nil {
			fmt.Fprintf(stderr, "solve: --target-pixel %q: %v\n", *target, err)
			return 2
		}
		tp = &p
	}
	var sv *solver.Solver
	var err error
	if *dbPath != "" {
		sv, err = solver.Load(*dbPath)
	} else {
		sv, err = solver.Default()
	}
	if err != nil {
		fmt.Fprintf(stderr, "solve: %v\n", err)
		return 1
	}
	do := detect.DefaultOptions()
	do.Sigma = *sigma
	det := detect.New(do)
	status := 0
	enc := json.NewEncoder(stdout)
	for _, path := range fs.Args() {
		img, err := imaging.Load(path)
		if err != nil {
			fmt.Fprintf(stderr, "solve: %s: %v\n", path, err)
			status = 1
			continue
		}
		g := imaging.ToGray8(img)
		t0 := time.Now()
		dr, err := det.Detect(g)
		tDetect := time.Since(t0)
		if err != nil {
			fmt.Fprintf(stderr, "solve: %s: %v\n", path, err)
			status = 1
			continue
		}
		cents := make([]solver.Centroid, len(dr.Stars))
		for i, s := range dr.Stars {
			cents[i] = solver.Centroid{X: s.X, Y: s.Y, Brightness: s.Brightness}
		}
		b := g.Bounds()
		req := solver.Request{Centroids: cents, Width: b.Dx(), Height: b.Dy(),
			FOVEstimate: *fovEst, FOVMaxError: *fovErr, TargetPixel: tp}
		res := sv.Solve(context.Background(), req)
		rec := solveRecord(path, res, len(cents), tDetect, b)
		if *asJSON {
			if err := enc.Encode(rec); err != nil {
				fmt.Fprintf(stderr, "solve: %v\n", err)
				return 1
			}
		} else {
			fmt.Fprintln(stdout, textLine(rec))
		}
		if *annotate != "" {
			out := annotateName(*annotate, path, fs.NArg())
			if err := writeAnnotated(out, g, dr.Stars, res, tp); err != nil {
				fmt.Fprintf(stderr, "solve: annotate %s: %v\n", path, err)
				status = 1
			}
		}
	}
	return status
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
