package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pifinder-go/pifinder/solver/geom"
	"github.com/pifinder-go/pifinder/solver/render"
)

var missLo, missHi = 10.0, 1e9

type snrBin struct {
	lo, hi         float64
	n, found       int
	sumErr2        float64
	nErr           int
}

// statsRun renders frames at random attitudes and PiFinder-like settings and
// accumulates recall and centroid error per SNR bin, and false detections.
func statsRun(t *testing.T, sigma float64, frames int, seed uint64, hostile bool) ([]snrBin, int, int) {
	sky := testSky(t)
	bins := []snrBin{{lo: 3, hi: 5}, {lo: 5, hi: 7}, {lo: 7, hi: 10}, {lo: 10, hi: 20}, {lo: 20, hi: 50}, {lo: 50, hi: 200}, {lo: 200, hi: math.Inf(1)}}
	rng := rand.New(rand.NewPCG(seed, 7))
	det := New(Options{Sigma: sigma})
	var f render.Frame
	falses, hot := 0, 0
	dumped := 0
	for k := 0; k < frames; k++ {
		o := render.DefaultOptions()
		o.Seed = rng.Uint64()
		o.Attitude = geom.Attitude{RA: rng.Float64() * 360, Dec: math.Asin(2*rng.Float64()-1) * 180 / math.Pi, Roll: rng.Float64() * 360}
		if k%2 == 0 {
			o.FOVDeg = 10.2
		}
		o.FWHMPx = 1.5 + rng.Float64()
		o.ExposureUS = 200000 + rng.Float64()*800000
		o.SkyADU = 8 + rng.Float64()*20
		o.GradientADU = rng.Float64() * 15
		o.GradientAngleDeg = rng.Float64() * 360
		if hostile {
			o.HotPixels = 50
			x0, y0 := rng.Float64()*512, rng.Float64()*512
			a := rng.Float64() * 2 * math.Pi
			o.Streaks = []render.Streak{{X0: x0, Y0: y0, X1: x0 + 300*math.Cos(a), Y1: y0 + 300*math.Sin(a), ADUPerPx: 20 + rng.Float64()*60}}
			o.Glares = []render.Glare{{X: rng.Float64() * 512, Y: rng.Float64() * 512, SigmaPx: 15 + rng.Float64()*20, PeakADU: 80 + rng.Float64()*200}}
		}
		if err := sky.RenderInto(o, &f); err != nil {
			t.Fatal(err)
		}
		var rejects []string
		traceReject = func(x, y int, why string) { rejects = append(rejects, fmt.Sprintf("%d,%d:%s", x, y, why)) }
		res, err := det.Detect(f.Gray)
		traceReject = nil
		if err != nil {
			t.Fatal(err)
		}
		idx, near := match(f.Stars, res.Stars, 1.5, 2.5)
		for i, ts := range f.Stars {
			if ts.X < 3 || ts.Y < 3 || ts.X > float64(o.Width)-3 || ts.Y > float64(o.Height)-3 {
				continue
			}
			if hostile && nearHostile(o, ts) {
				continue
			}
			for b := range bins {
				if ts.SNR >= bins[b].lo && ts.SNR < bins[b].hi {
					bins[b].n++
					if idx[i] < 0 && ts.SNR >= missLo && ts.SNR < missHi && testing.Verbose() {
						nn, nd := math.Inf(1), math.Inf(1)
						for j, o2 := range f.Stars {
							if j != i {
								nn = math.Min(nn, math.Hypot(o2.X-ts.X, o2.Y-ts.Y))
							}
						}
						for _, s := range res.Stars {
							nd = math.Min(nd, math.Hypot(s.X-ts.X, s.Y-ts.Y))
						}
						why := ""
						for _, r := range rejects {
							var x, y int
							var w string
							fmt.Sscanf(strings.Replace(r, ":", " ", 1), "%d,%d %s", &x, &y, &w)
							if math.Hypot(float64(x)+0.5-ts.X, float64(y)+0.5-ts.Y) < 3 {
								why += " " + r
							}
						}
						t.Logf("frame %d MISS %+v nearest star %.1f px, nearest det %.1f rej %s", k, ts, nn, nd, why)
						if strings.Contains(why, "line") && dumped < 2 {
							dumped++
							var sb strings.Builder
							for y := int(ts.Y) - 11; y <= int(ts.Y)+11; y++ {
								for x := int(ts.X) - 11; x <= int(ts.X)+11; x++ {
									if x >= 0 && y >= 0 && x < 512 && y < 512 {
										fmt.Fprintf(&sb, "%4d", f.Gray.Pix[y*512+x])
									}
								}
								sb.WriteString("\n")
							}
							t.Logf("opts streak %+v glare %+v\n%s", o.Streaks, o.Glares, sb.String())
						}
					}
					if idx[i] >= 0 {
						bins[b].found++
						s := res.Stars[idx[i]]
						if !ts.Saturated {
							bins[b].sumErr2 += (s.X-ts.X)*(s.X-ts.X) + (s.Y-ts.Y)*(s.Y-ts.Y)
							bins[b].nErr++
						}
					}
				}
			}
		}
		for j, ok := range near {
			if ok {
				continue
			}
			falses++
			s := res.Stars[j]
			for _, p := range f.HotPixels {
				if math.Abs(float64(p.X)+0.5-s.X) < 1.5 && math.Abs(float64(p.Y)+0.5-s.Y) < 1.5 {
					hot++
				}
			}
			if testing.Verbose() && falses < 60 {
				kind := "other"
				if hostile && nearHostile(o, render.TrueStar{X: s.X, Y: s.Y}) {
					kind = "hostile"
					for _, g := range o.Glares {
						if math.Hypot(s.X-g.X, s.Y-g.Y) < 3*g.SigmaPx {
							kind = fmt.Sprintf("glare r=%.0f sig=%.0f peak=%.0f", math.Hypot(s.X-g.X, s.Y-g.Y), g.SigmaPx, g.PeakADU)
						}
					}
				}
				for _, p := range f.HotPixels {
					if math.Abs(float64(p.X)+0.5-s.X) < 1.5 && math.Abs(float64(p.Y)+0.5-s.Y) < 1.5 {
						kind = fmt.Sprintf("HOT %v", p)
						var sb strings.Builder
						for y := p.Y - 3; y <= p.Y+3; y++ {
							for x := p.X - 3; x <= p.X+3; x++ {
								if x >= 0 && y >= 0 && x < 512 && y < 512 {
									fmt.Fprintf(&sb, "%4d", f.Gray.Pix[y*512+x])
								}
							}
							sb.WriteString("\n")
						}
						kind += "\n" + sb.String()
						for _, ts := range f.Stars {
							if math.Hypot(ts.X-s.X, ts.Y-s.Y) < 6 {
								kind += fmt.Sprintf(" star@%.1f,%.1f snr %.1f", ts.X, ts.Y, ts.SNR)
							}
						}
					}
				}
				t.Logf("frame %d false detection %s %+v", k, kind, s)
			}
		}
	}
	return bins, falses, hot
}

// nearHostile excludes stars under the glare or on the satellite trail.
func nearHostile(o render.Options, ts render.TrueStar) bool {
	for _, g := range o.Glares {
		if math.Hypot(ts.X-g.X, ts.Y-g.Y) < 3*g.SigmaPx {
			return true
		}
	}
	for _, s := range o.Streaks {
		dx, dy := s.X1-s.X0, s.Y1-s.Y0
		l2 := dx*dx + dy*dy
		u := math.Max(0, math.Min(1, ((ts.X-s.X0)*dx+(ts.Y-s.Y0)*dy)/l2))
		if math.Hypot(ts.X-(s.X0+u*dx), ts.Y-(s.Y0+u*dy)) < 6 {
			return true
		}
	}
	return false
}

func binTable(bins []snrBin) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %7s %7s %8s %10s\n", "SNR", "stars", "found", "recall", "rms_px")
	for _, x := range bins {
		rec, rms := math.NaN(), math.NaN()
		if x.n > 0 {
			rec = float64(x.found) / float64(x.n)
		}
		if x.nErr > 0 {
			rms = math.Sqrt(x.sumErr2 / float64(x.nErr))
		}
		fmt.Fprintf(&b, "[%g,%g) %*s %7d %7d %8.4f %10.4f\n", x.lo, x.hi, 10-len(fmt.Sprintf("[%g,%g)", x.lo, x.hi)), "", x.n, x.found, rec, rms)
	}
	return b.String()
}

func TestStatsExperiment(t *testing.T) {
	missLo, missHi = 5, 7
	for _, sigma := range []float64{5} {
		bins, falses, hot := statsRun(t, sigma, 40, 1, true)
		t.Logf("sigma %g: false %d hot %d\n%s", sigma, falses, hot, binTable(bins))
	}
}
