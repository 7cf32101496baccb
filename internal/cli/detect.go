package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/pifinder-go/pifinder/internal/imaging"
	"github.com/pifinder-go/pifinder/solver/detect"
)

// DetectStar is one star of a `pifinder detect --json` line.
type DetectStar struct {
	X          float64 `json:"x"`
	Y          float64 `json:"y"`
	Brightness float64 `json:"brightness"`
	Peak       float64 `json:"peak"`
	Saturated  bool    `json:"saturated"`
}

// DetectRecord is one line of `pifinder detect --json`.
type DetectRecord struct {
	Image     string       `json:"image"`
	Width     int          `json:"width"`
	Height    int          `json:"height"`
	Stars     []DetectStar `json:"stars"`
	Noise     float64      `json:"noise"`
	TDetectMS float64      `json:"t_detect_ms"`
}

const detectAbout = `Finds stars in each image (PNG, JPEG, TIFF, FITS; 8- or 16-bit, colour
converted to luma) and prints them brightest first: a table per image, or
with --json one JSON object per image and line:
  {"image", "width", "height", "stars": [{"x", "y", "brightness", "peak",
   "saturated"}], "noise", "t_detect_ms"}
Coordinates are pixels with (0.5, 0.5) the centre of the top-left pixel;
brightness is the background-subtracted sum and peak the brightest pixel, in
the image's units; noise is the per-pixel noise estimate.

Exit status 0 when every image was read, 1 when one could not be read (the
others are still processed), 2 for bad usage.
`

type detectOptions struct {
	json              bool
	sigma, fwhm       float64
	binning, maxStars int
}

func detectCommand() (*command, *detectOptions) {
	c := newCommand("detect", "pifinder detect [flags] IMAGE...", detectAbout)
	o := &detectOptions{}
	def := detect.DefaultOptions()
	c.fs.BoolVar(&o.json, "json", false, "print one JSON object per image and line")
	c.fs.Float64Var(&o.sigma, "sigma", def.Sigma, "detection threshold in noise sigmas of the matched filter (5 reaches fainter stars)")
	c.fs.IntVar(&o.binning, "binning", def.Binning, "candidate search on 2x2 bins (2, fast) or at every pixel (1)")
	c.fs.IntVar(&o.maxStars, "max-stars", 0, "report at most this many stars per image, brightest first (0: all)")
	c.fs.Float64Var(&o.fwhm, "fwhm", def.FWHMPx, "expected star FWHM in pixels (matched filter and centroid window)")
	return c, o
}

// Detect runs `pifinder detect`; args follow "detect". It returns the exit
// status.
func Detect(args []string, stdout, stderr io.Writer) int {
	c, o := detectCommand()
	if code, ok := c.parse(args, stdout, stderr); !ok {
		return code
	}
	if c.fs.NArg() == 0 {
		return c.usageError(stderr, "no image given")
	}
	if !(o.sigma > 0) || (o.binning != 1 && o.binning != 2) || o.maxStars < 0 || !(o.fwhm > 0.5 && o.fwhm < 20) {
		return c.usageError(stderr, "need --sigma > 0, --binning 1 or 2, --max-stars >= 0, 0.5 < --fwhm < 20")
	}
	det := detect.New(detect.Options{Sigma: o.sigma, Binning: o.binning, MaxStars: o.maxStars, FWHMPx: o.fwhm})
	enc := json.NewEncoder(stdout)
	code := exitOK
	for _, path := range c.fs.Args() {
		img, err := imaging.Load(path)
		if err != nil {
			code = c.fail(stderr, path, err)
			continue
		}
		t0 := time.Now()
		res, err := det.Detect(img)
		dt := time.Since(t0)
		if err != nil {
			code = c.fail(stderr, path, err)
			continue
		}
		rec := DetectRecord{Image: path, Width: res.Width, Height: res.Height, Noise: res.Noise,
			TDetectMS: float64(dt.Microseconds()) / 1000, Stars: make([]DetectStar, len(res.Stars))}
		for i, s := range res.Stars {
			rec.Stars[i] = DetectStar{X: s.X, Y: s.Y, Brightness: s.Brightness, Peak: s.Peak, Saturated: s.Saturated}
		}
		if o.json {
			if err := enc.Encode(rec); err != nil {
				return c.fail(stderr, "stdout", err)
			}
			continue
		}
		detectTable(stdout, rec)
	}
	return code
}

// detectTable prints one image's stars as a table.
func detectTable(w io.Writer, r DetectRecord) {
	fmt.Fprintf(w, "%s  %dx%d  stars %d  noise %.2f  t_detect %.3f ms\n", r.Image, r.Width, r.Height, len(r.Stars), r.Noise, r.TDetectMS)
	if len(r.Stars) == 0 {
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "%5s %9s %9s %12s %8s %4s\n", "#", "x", "y", "brightness", "peak", "sat")
	for i, s := range r.Stars {
		sat := ""
		if s.Saturated {
			sat = "yes"
		}
		fmt.Fprintf(w, "%5d %9.3f %9.3f %12.1f %8.0f %4s\n", i+1, s.X, s.Y, s.Brightness, s.Peak, sat)
	}
	fmt.Fprintln(w)
}
