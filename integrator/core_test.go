package integrator

import (
	"math"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/rot"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/num/quat"
	"gonum.org/v1/gonum/spatial/r3"

	"github.com/pifinder-go/pifinder/integrator/deadreck"
	"github.com/pifinder-go/pifinder/state"
)

func epoch(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

var identity = quat.Number{Real: 1}

// fakeSky stands in for skymath so the merge tests do not depend on it.
func fakeSky(cfg Config) Config {
	cfg.AltAz = func(ra, dec float64, loc state.Location, t time.Time) (float64, float64) { return dec, ra }
	cfg.Constellation = func(ra, dec float64) string { return "TST" }
	return cfg
}

func newCore(t testing.TB, cfg Config) *Core {
	c, err := NewCore(fakeSky(cfg))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func step(c *Core, tk Tick) []state.Estimate {
	var out []state.Estimate
	c.Step(tk, func(e state.Estimate) { out = append(out, e) })
	return out
}

func success(cam, al state.Pointing, anchor quat.Number, at float64) *state.SolveEvent {
	return &state.SolveEvent{
		Success: true, Camera: cam, Aligned: al, Anchor: anchor,
		Attempt: epoch(at), LastSuccess: epoch(at),
		Diag:    state.SolveDiag{Matches: 12, RMSEArcsec: 0.4},
		Matched: []state.MatchedStar{{X: 1, Y: 2, HIP: 3, RA: 4, Dec: 5, Vmag: 6}},
	}
}

func TestT11SuccessMerge(t *testing.T) {
	c := newCore(t, Config{ScreenDirection: "flat"})
	cam, al := state.PointingOf(1, 2, 3), state.PointingOf(1.5, 2.5, 3)
	ev := success(cam, al, identity, 499.5)
	out := step(c, Tick{Solve: ev, Now: epoch(1000)})
	if len(out) != 1 {
		t.Fatalf("%d publications, want 1", len(out))
	}
	e := out[0]
	want := state.Axis{Solve: cam, Estimate: cam}
	if e.Camera != want || e.Aligned != (state.Axis{Solve: al, Estimate: al}) {
		t.Errorf("cells %+v %+v", e.Camera, e.Aligned)
	}
	if e.Anchor != identity || e.Source != state.SourceCamera || !e.EstimateTime.Equal(epoch(499.5)) ||
		!e.LastSolveAttempt.Equal(epoch(499.5)) || !e.LastSolveSuccess.Equal(epoch(499.5)) {
		t.Errorf("anchor/source/times: %+v", e)
	}
	if diff := cmp.Diff(ev.Matched, e.Matched); diff != "" || e.Diag.Matches != 12 {
		t.Errorf("matched/diag not copied: %s", diff)
	}
	if e.Constellation != "TST" || !e.HasAltAz || e.Alt != 2.5 || e.Az != 1.5 {
		t.Errorf("decoration from the aligned axis: %q %v %v %v", e.Constellation, e.HasAltAz, e.Alt, e.Az)
	}
	// The reseed got (1,2,3)/(1.5,2.5,3) degrees and the anchor.
	r := deadreck.NewReckoner(c.Reckoner().IMUToCam())
	r.Solve(deadreck.FromPointing(cam), deadreck.FromPointing(al), identity)
	if c.Reckoner().EqToX() != r.EqToX() || c.Reckoner().CamToAligned() != r.CamToAligned() {
		t.Error("reckoner not reseeded with the solve pair and anchor")
	}
	// Published copies are independent of the working estimate.
	out[0].Matched[0].HIP = 999
	out[0].Camera.Estimate.RA = 77
	if w := c.Estimate(); w.Matched[0].HIP != 3 || w.Camera.Estimate.RA != 1 {
		t.Error("publication shares memory with the working estimate")
	}

	// Missing anchor: the reckoner receives NaN and stays uninitialised.
	c2 := newCore(t, Config{})
	step(c2, Tick{Solve: success(cam, al, quat.Number{}, 499.5)})
	if c2.Reckoner().Initialized() {
		t.Error("missing anchor initialised the reckoner")
	}
	// Without Aligned the aligned axis equals the camera.
	c3 := newCore(t, Config{})
	out = step(c3, Tick{Solve: success(cam, state.Pointing{}, identity, 10)})
	if out[0].Aligned.Estimate != cam {
		t.Errorf("aligned without target = %+v", out[0].Aligned.Estimate)
	}
}

func TestT11FailureMerge(t *testing.T) {
	c := newCore(t, Config{})
	cam, al := state.PointingOf(10, 20, 0), state.PointingOf(10.5, 20.5, 0)
	ev := success(cam, al, identity, 100)
	ev.Diag.Matches = 8
	step(c, Tick{Solve: ev, Now: epoch(150)})
	before := c.Estimate()
	fail := &state.SolveEvent{Attempt: epoch(200), LastSuccess: epoch(100), Diag: state.SolveDiag{TExtract: 50 * time.Millisecond}}
	out := step(c, Tick{Solve: fail, Now: epoch(201)})
	if len(out) != 1 {
		t.Fatalf("failure must publish at once: %d publications", len(out))
	}
	e := out[0]
	if e.Camera != before.Camera || e.Aligned != before.Aligned || e.Anchor != identity || !e.HasPointing() {
		t.Errorf("pointing not kept: %+v", e)
	}
	if e.Source != state.SourceCamFailed || e.Diag.Matches != 0 || e.Diag.TExtract != 50*time.Millisecond ||
		!e.LastSolveAttempt.Equal(epoch(200)) || !e.LastSolveSuccess.Equal(epoch(100)) || !e.EstimateTime.Equal(epoch(100)) {
		t.Errorf("failure bookkeeping: %+v", e)
	}
	// Alt/Az and constellation are carried, not recomputed.
	if e.Alt != before.Alt || e.Constellation != before.Constellation {
		t.Error("decoration changed on failure")
	}
	// A failure on an empty estimate also publishes (AE needs Matches = 0).
	c2 := newCore(t, Config{})
	if out := step(c2, Tick{Solve: fail}); len(out) != 1 || out[0].HasPointing() || out[0].Source != state.SourceCamFailed {
		t.Errorf("failure on empty estimate: %+v", out)
	}
}

func imuTick(q quat.Number, at float64) Tick {
	return Tick{HasIMU: true, IMU: state.ImuSample{Time: epoch(at), Quat: q, Status: 3, Moving: true}, Now: epoch(at)}
}

func TestT12Deadband(t *testing.T) {
	axes := []r3.Vec{{X: 1}, {Y: 1}, {Z: 1}, {X: 1, Y: -1, Z: 2}}
	for _, ax := range axes {
		c := newCore(t, Config{ScreenDirection: "flat"})
		step(c, Tick{Solve: success(state.PointingOf(30, 0, 0), state.PointingOf(30, 0, 0), identity, 10)})
		if out := step(c, imuTick(rot.AxisAngle(ax, 0.05*math.Pi/180), 11)); len(out) != 0 {
			t.Errorf("axis %v: 0.05° advanced the estimate", ax)
		}
		out := step(c, imuTick(rot.AxisAngle(ax, 0.07*math.Pi/180), 12))
		if len(out) != 1 || out[0].Source != state.SourceIMU || !out[0].EstimateTime.Equal(epoch(12)) || out[0].ErrArcsec != -1 {
			t.Fatalf("axis %v: 0.07° → %+v", ax, out)
		}
		if out[0].Camera.Solve != state.PointingOf(30, 0, 0) {
			t.Error("IMU advance wrote a solve cell")
		}
		if d := out[0].Camera.Estimate; math.Abs(anglDeg(d, state.PointingOf(30, 0, 0))-0.07) > 1e-9 {
			t.Errorf("camera moved %.9f°, want 0.07°", anglDeg(d, state.PointingOf(30, 0, 0)))
		}
	}
	// A success in the same tick suppresses the IMU advance.
	c := newCore(t, Config{ScreenDirection: "flat"})
	step(c, Tick{Solve: success(state.PointingOf(30, 0, 0), state.PointingOf(30, 0, 0), identity, 10)})
	tk := imuTick(rot.AxisAngle(r3.Vec{Z: 1}, 0.2), 20)
	tk.Solve = success(state.PointingOf(50, 5, 0), state.PointingOf(50, 5, 0), identity, 19)
	out := step(c, tk)
	if len(out) != 1 || out[0].Source != state.SourceCamera || out[0].Camera.Estimate != state.PointingOf(50, 5, 0) {
		t.Errorf("same-tick success: %+v", out)
	}
	// ...and that sample is not applied later either (it was seen).
	tk.Solve = nil
	if out := step(c, tk); len(out) != 0 {
		t.Errorf("stale sample applied after the solve: %+v", out)
	}
	// Zero anchor: no dead reckoning.
	c = newCore(t, Config{ScreenDirection: "flat"})
	step(c, Tick{Solve: success(state.PointingOf(30, 0, 0), state.PointingOf(30, 0, 0), quat.Number{}, 10)})
	if out := step(c, imuTick(rot.AxisAngle(r3.Vec{Z: 1}, 0.2), 11)); len(out) != 0 {
		t.Error("advanced without an anchor")
	}
}

func anglDeg(a, b state.Pointing) float64 {
	return rot.Angle(deadreck.EqToCam(deadreck.FromPointing(a)), deadreck.EqToCam(deadreck.FromPointing(b))) * 180 / math.Pi
}

func TestPublishRules(t *testing.T) {
	c := newCore(t, Config{ScreenDirection: "flat"})
	step(c, Tick{Solve: success(state.PointingOf(170, 0, 0), state.PointingOf(170, 0, 0), identity, 10)})
	// An IMU sample older than the solve advances the cells but is not published.
	if out := step(c, imuTick(rot.AxisAngle(r3.Vec{Z: 1}, 0.1), 9)); len(out) != 0 {
		t.Errorf("older sample published: %+v", out)
	}
	// RA is normalised to [0, 360) at publication: 170° + 20° → 190°, not −170°.
	out := step(c, imuTick(rot.AxisAngle(r3.Vec{Z: 1}, 20*math.Pi/180), 11))
	if len(out) != 1 || math.Abs(out[0].Camera.Estimate.RA-190) > 1e-9 {
		t.Fatalf("wrap: %+v", out)
	}
	if c.Estimate().Camera.Estimate.RA >= 0 {
		t.Error("working estimate keeps the reckoner's (−180, 180] RA")
	}
	// No datetime → no Alt/Az.
	tk := imuTick(rot.AxisAngle(r3.Vec{Z: 1}, 21*math.Pi/180), 12)
	tk.Now = time.Time{}
	if out := step(c, tk); len(out) != 1 || out[0].HasAltAz {
		t.Errorf("Alt/Az without datetime: %+v", out)
	}
	// Truth → ErrArcsec of the camera solve.
	ev := success(state.PointingOf(100, 20, 0), state.PointingOf(100, 20, 0), identity, 30)
	ev.Truth = state.PointingOf(100, 20+1.0/3600, 0)
	out = step(c, Tick{Solve: ev})
	if math.Abs(out[0].ErrArcsec-1) > 1e-6 {
		t.Errorf("ErrArcsec %v, want 1", out[0].ErrArcsec)
	}
	// Replay end resets.
	c.Reset()
	if c.Estimate().HasPointing() || c.Reckoner().Initialized() || c.Estimate().ErrArcsec != -1 {
		t.Error("reset left state behind")
	}
}

func TestSanitize(t *testing.T) {
	nan := math.NaN()
	ev := &state.SolveEvent{Success: true, Camera: state.Pointing{RA: nan, Valid: true},
		Anchor: quat.Number{Real: nan}, Diag: state.SolveDiag{Prob: nan, FOV: math.Inf(1)},
		Matched: []state.MatchedStar{{Vmag: nan}}}
	tk := Tick{Solve: ev, Now: time.Now()}.Sanitized()
	s := tk.Solve
	if s.Camera.Valid || s.Anchor != (quat.Number{}) || s.Diag.Prob != 0 || s.Diag.FOV != 0 || s.Matched[0].Vmag != 0 {
		t.Errorf("not sanitised: %+v", s)
	}
	if !math.IsNaN(ev.Matched[0].Vmag) {
		t.Error("sanitising modified the sender's slice")
	}
	if tk.Now != tk.Now.Round(0) || tk.Now.Location() != time.UTC {
		t.Error("time not normalised")
	}
	// A "success" without a valid camera is handled as a failure.
	c := newCore(t, Config{})
	if out := step(c, Tick{Solve: ev}); len(out) != 1 || out[0].Source != state.SourceCamFailed {
		t.Errorf("invalid success: %+v", out)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []Config{{ScreenDirection: "sideways"}, {DeadbandDeg: -1}, {DeadbandDeg: math.NaN()}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	ig, err := New(Config{ScreenDirection: "v4_left"})
	if err != nil || ig.Config().ScreenDirection != "rev4_left" || ig.Config().DeadbandDeg != DefaultDeadbandDeg {
		t.Errorf("defaults: %+v %v", ig.Config(), err)
	}
}

func TestDefaultSkyMath(t *testing.T) {
	// Polaris from near the north pole is high up; the default wiring works.
	c, err := NewCore(Config{})
	if err != nil {
		t.Fatal(err)
	}
	p := state.PointingOf(37.95, 89.26, 0)
	var out []state.Estimate
	c.Step(Tick{Solve: success(p, p, identity, 10), Location: state.Location{Lat: 89, Lon: 0}, Now: epoch(1.8e9)},
		func(e state.Estimate) { out = append(out, e) })
	if len(out) != 1 || !out[0].HasAltAz || math.Abs(out[0].Alt-89) > 1.5 || out[0].Constellation != "UMi" {
		t.Errorf("Polaris: alt %.3f const %q", out[0].Alt, out[0].Constellation)
	}
}

// BenchmarkStepIMU is the integrator's cost per IMU sample that advances
// and publishes the estimate: with the real skymath Alt/Az and
// constellation, and with them stubbed out (the merge and dead reckoning alone).
func BenchmarkStepIMU(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"skymath", Config{}}, {"nosky", fakeSky(Config{})}} {
		b.Run(c.name, func(b *testing.B) { benchStep(b, c.cfg) })
	}
}

func benchStep(b *testing.B, cfg Config) {
	c, err := NewCore(cfg)
	if err != nil {
		b.Fatal(err)
	}
	p := state.PointingOf(83.8, -5.4, 30)
	c.Step(Tick{Solve: success(p, state.PointingOf(84, -5, 30), identity, 0)}, func(state.Estimate) {})
	loc := state.Location{Lat: 50, Lon: 8, AltitudeM: 100}
	var n int
	pub := func(state.Estimate) { n++ }
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		q := rot.AxisAngle(r3.Vec{X: 1, Y: 2, Z: 3}, 0.01+float64(i%100)*1e-3)
		tk := Tick{HasIMU: true, IMU: state.ImuSample{Time: epoch(float64(i) / 30), Quat: q, Status: 3}, Location: loc, Now: epoch(1.8e9 + float64(i)/30)}
		c.Step(tk, pub)
	}
	if n == 0 {
		b.Fatal("nothing published")
	}
}

func BenchmarkStepDeadband(b *testing.B) {
	// The stationary path: a sample inside the deadband costs only the angle test.
	c, err := NewCore(fakeSky(Config{}))
	if err != nil {
		b.Fatal(err)
	}
	p := state.PointingOf(83.8, -5.4, 30)
	c.Step(Tick{Solve: success(p, p, identity, 0)}, nil)
	q := rot.AxisAngle(r3.Vec{X: 1}, 0.01*math.Pi/180)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		c.Step(Tick{HasIMU: true, IMU: state.ImuSample{Time: epoch(float64(i) / 30), Quat: q, Status: 3}}, nil)
	}
}

// TestSkyChangedRedecorates: a change of the site or the clock's setting
// republishes the current estimate with its Alt/Az recomputed at once,
// with no new solve or motion; an unchanged sky publishes nothing.
func TestSkyChangedRedecorates(t *testing.T) {
	cfg := fakeSky(Config{ScreenDirection: "flat"})
	// Alt/Az that shows the site it was computed for.
	cfg.AltAz = func(ra, dec float64, loc state.Location, _ time.Time) (float64, float64) { return loc.Lat, loc.Lon }
	c, err := NewCore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	al := state.PointingOf(10, 60, 20)
	if out := step(c, Tick{Solve: success(al, al, identity, 100), Now: epoch(100)}); len(out) != 1 || out[0].Alt != 0 {
		t.Fatalf("first solve: %+v", out)
	}
	if out := step(c, Tick{Now: epoch(101)}); len(out) != 0 {
		t.Errorf("nothing changed, yet %d publications", len(out))
	}
	site := state.Location{Lat: 50.85, Lon: 4.35}
	out := step(c, Tick{Now: epoch(102), Location: site, SkyChanged: true})
	if len(out) != 1 || out[0].Alt != 50.85 || out[0].Az != 4.35 || !out[0].HasAltAz {
		t.Fatalf("after the site changed: %+v, want one publication at the new site", out)
	}
	if !out[0].EstimateTime.Equal(epoch(100)) || out[0].Aligned.Estimate != al {
		t.Errorf("the republished estimate changed its pointing or time: %+v", out[0])
	}
}
