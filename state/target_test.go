package state

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
)

// targetState is a state at Brussels on 2026-04-15 22:00 UTC (M 51 high in
// the north-east), the shared clock read at base.
func targetState(base time.Time, siteKnown bool) State {
	s := Default()
	s.Clock = Clock{value: time.Date(2026, 4, 15, 22, 0, 0, 0, time.UTC), storedAt: base}
	if siteKnown {
		s.Location = Location{Lat: 50.85, Lon: 4.35, Source: "MANUAL", Lock: true, Timezone: "UTC"}
	}
	return s
}

func lookup(t *testing.T, name string) targets.Target {
	t.Helper()
	cat, err := targets.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, ok := cat.Lookup(name)
	if !ok {
		t.Fatalf("%s not in the catalogue", name)
	}
	return tg
}

// estimateAt is a solved estimate whose camera and aligned axes point at (ra, dec).
func estimateAt(ra, dec, roll float64, at time.Time) Estimate {
	p := PointingOf(ra, dec, roll)
	return Estimate{
		Camera: Axis{Solve: p, Estimate: p}, Aligned: Axis{Solve: p, Estimate: p},
		Source: SourceCamera, EstimateTime: at, Diag: SolveDiag{FOV: 10.2}, ErrArcsec: -1,
	}
}

func apply(t *testing.T, s *State, now time.Time, u Update) {
	t.Helper()
	if err := u.apply(s, now); err != nil {
		t.Fatalf("%T: %v", u, err)
	}
}

func TestSetTargetResolution(t *testing.T) {
	base := time.Now()
	m51 := lookup(t, "M 51")
	mra, mdec, _ := m51.J2000()
	for _, tc := range []struct {
		name       string
		target     Target
		wantName   string
		wantRA     float64
		wantDec    float64
		wantObject bool // resolved to a catalogue object
	}{
		{"object by value", Target{Object: m51, Source: "api"}, m51.Name(), mra, mdec, true},
		{"lx200 goto stays coordinates until resolved", Target{RA: mra, Dec: mdec + 0.1, Source: SourceLX200}, coordName(mra, mdec+0.1), mra, mdec + 0.1, false},
		{"api coordinates on M 51 stay coordinates", Target{RA: mra, Dec: mdec, Source: "api"}, coordName(mra, mdec), mra, mdec, false},
		{"a given name is kept", Target{RA: 10, Dec: 20, Source: "api", Name: "my spot"}, "my spot", 10, 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := targetState(base, true)
			apply(t, &s, base, SetTarget{Target: tc.target})
			got := s.Target
			if !s.HasTarget || got.Seq != 1 || got.Name != tc.wantName || math.Abs(got.RA-tc.wantRA) > 1e-9 || math.Abs(got.Dec-tc.wantDec) > 1e-9 {
				t.Fatalf("target %+v, want %q at (%.6f, %.6f) seq 1", got, tc.wantName, tc.wantRA, tc.wantDec)
			}
			if (got.Object.Object() != nil) != tc.wantObject || !got.Object.Valid() {
				t.Errorf("object %v, want a catalogue object %v", got.Object.Name(), tc.wantObject)
			}
			if len(s.Recent) != 1 || s.Recent[0].Name != tc.wantName {
				t.Errorf("recent %+v", s.Recent)
			}
		})
	}
}

func TestSetTargetRejects(t *testing.T) {
	base := time.Now()
	for _, tg := range []Target{
		{RA: 360, Dec: 0}, {RA: -1, Dec: 0}, {RA: 0, Dec: 90.5}, {RA: math.NaN(), Dec: 0}, {RA: 0, Dec: math.Inf(1)},
		{RA: 1, Dec: 91, Source: SourceLX200},
	} {
		s := targetState(base, true)
		if err := (SetTarget{Target: tg}).apply(&s, base); !errors.Is(err, ErrRejected) || s.HasTarget || len(s.Recent) != 0 {
			t.Errorf("%+v: err %v, has target %v", tg, err, s.HasTarget)
		}
	}
}

// A body is resolved from an LX200 goto too, and its position follows the
// shared clock, recomputed once a second.
func TestBodyTarget(t *testing.T) {
	base := time.Now()
	s := targetState(base, true)
	jup := lookup(t, "Jupiter")
	site := astro.Observer{LatDeg: 50.85, LonDeg: 4.35}
	at0, _ := s.Clock.At(base)
	ra0, dec0, err := jup.Position(at0, site)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, &s, base, SetTarget{Target: Target{RA: ra0 + 0.05, Dec: dec0 - 0.05, Source: SourceLX200}})
	apply(t, &s, base, ResolveTarget{Seq: 1, Object: jup})
	if s.Target.Name != "Jupiter" || s.Target.RA != ra0 || s.Recent[0].Name != "Jupiter" || len(s.Recent) != 1 {
		t.Fatalf("goto next to Jupiter, resolved: %+v, recent %v", s.Target, s.Recent)
	}
	// Within a second the position is kept; after an hour it has moved.
	apply(t, &s, base.Add(500*time.Millisecond), SetEstimate{Estimate: estimateAt(ra0, dec0, 0, base)})
	if s.Target.RA != ra0 {
		t.Errorf("position recomputed within BodyRefresh")
	}
	later := base.Add(time.Hour)
	apply(t, &s, later, SetEstimate{Estimate: estimateAt(ra0, dec0, 0, later)})
	ra1, dec1, _ := jup.Position(at0.Add(time.Hour), site)
	if math.Abs(s.Target.RA-ra1) > 1e-9 || math.Abs(s.Target.Dec-dec1) > 1e-9 || s.Target.RA == ra0 {
		t.Errorf("after an hour: (%.6f, %.6f), want (%.6f, %.6f)", s.Target.RA, s.Target.Dec, ra1, dec1)
	}
	if want := geom.Separation(ra0, dec0, ra1, dec1); math.Abs(s.Guidance.SeparationDeg-want) > 1e-9 {
		t.Errorf("separation %.6f, want %.6f", s.Guidance.SeparationDeg, want)
	}
}

func TestGuidanceWithEstimates(t *testing.T) {
	base := time.Now()
	m51 := lookup(t, "M 51")
	mra, mdec, _ := m51.J2000()
	for _, tc := range []struct {
		name      string
		mount     targets.Mount
		siteKnown bool
		point     [2]float64 // aligned RA/Dec
		wantMount targets.Mount
		noSite    bool
		inField   bool
	}{
		{"altaz with a site", targets.AltAz, true, [2]float64{mra - 20, mdec - 10}, targets.AltAz, false, false},
		{"altaz without a site falls back to RA/Dec", targets.AltAz, false, [2]float64{mra - 20, mdec - 10}, targets.Equatorial, true, false},
		{"equatorial without a site", targets.Equatorial, false, [2]float64{mra + 15, mdec + 8}, targets.Equatorial, false, false},
		{"in the field", targets.AltAz, true, [2]float64{mra + 1, mdec - 1}, targets.AltAz, false, true},
		// An aligned finder: the eyepiece is off the camera's centre, so
		// the separation is the eyepiece's, the pixel the camera's.
		{"aligned off the centre", targets.AltAz, true, [2]float64{mra + 3, mdec - 3}, targets.AltAz, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := targetState(base, tc.siteKnown)
			apply(t, &s, base, SetMount{Mount: tc.mount})
			apply(t, &s, base, SetTarget{Target: Target{Object: m51, Source: "api"}})
			if s.Guidance.Valid {
				t.Fatal("guidance without an estimate")
			}
			now := base.Add(40 * time.Millisecond)
			e := estimateAt(tc.point[0], tc.point[1], 30, now)
			cam := geom.Attitude{RA: tc.point[0], Dec: tc.point[1], Roll: 30}
			if strings.HasPrefix(tc.name, "aligned") {
				cam = geom.Attitude{RA: mra + 1, Dec: mdec - 1, Roll: 30}
				e.Camera.Estimate = PointingOf(cam.RA, cam.Dec, cam.Roll)
			}
			apply(t, &s, now, SetEstimate{Estimate: e})
			g := s.Guidance
			if !g.Valid || g.TargetSeq != s.Target.Seq || !g.EstimateTime.Equal(now) || g.Mount != tc.wantMount || g.NoSite != tc.noSite {
				t.Fatalf("guidance %+v", g)
			}
			if want := geom.Separation(tc.point[0], tc.point[1], mra, mdec); math.Abs(g.SeparationDeg-want) > 1e-9 {
				t.Errorf("separation %.6f, want %.6f", g.SeparationDeg, want)
			}
			// The same input through the library: the state adds nothing of its own.
			at, _ := s.Clock.At(now)
			in := targets.GuideInput{
				Aligned: geom.Attitude{RA: tc.point[0], Dec: tc.point[1], Roll: 30}, TargetRA: mra, TargetDec: mdec,
				Time: at, Mount: tc.wantMount,
				Camera: cam, Frame: geom.Camera{W: 512, H: 512, FOV: 10.2},
			}
			if tc.siteKnown {
				in.Site = astro.Observer{LatDeg: 50.85, LonDeg: 4.35}
			}
			want, err := targets.Guide(in)
			if err != nil {
				t.Fatal(err)
			}
			if g.Guidance != want {
				t.Errorf("guidance %+v\nwant     %+v", g.Guidance, want)
			}
			if g.InField != tc.inField {
				t.Errorf("in field %v, want %v", g.InField, tc.inField)
			}
			// A new estimate without an aligned pointing drops the guidance.
			apply(t, &s, now, SetEstimate{Estimate: Estimate{ErrArcsec: -1}})
			if s.Guidance.Valid {
				t.Error("guidance kept without a pointing")
			}
		})
	}
}

func TestClearTargetAndMount(t *testing.T) {
	base := time.Now()
	s := targetState(base, true)
	apply(t, &s, base, SetEstimate{Estimate: estimateAt(10, 20, 0, base)})
	apply(t, &s, base, SetTarget{Target: Target{RA: 11, Dec: 20, Source: "api"}})
	if !s.Guidance.Valid {
		t.Fatal("no guidance")
	}
	apply(t, &s, base, ClearTarget{})
	if s.HasTarget || s.Guidance.Valid || len(s.Recent) != 1 {
		t.Fatalf("after clear: has %v, guidance %v, recent %d", s.HasTarget, s.Guidance.Valid, len(s.Recent))
	}
	apply(t, &s, base, SetTarget{Target: Target{RA: 12, Dec: 20, Source: "api"}})
	if s.Target.Seq != 2 {
		t.Errorf("seq %d after a clear, want 2 (never reused)", s.Target.Seq)
	}
	if err := (SetMount{Mount: 7}).apply(&s, base); !errors.Is(err, ErrRejected) || s.Mount != targets.AltAz {
		t.Errorf("mount 7: %v, mount %v", err, s.Mount)
	}
	apply(t, &s, base, SetMount{Mount: targets.Equatorial})
	if s.Guidance.Mount != targets.Equatorial {
		t.Errorf("guidance not recomputed for the new mount: %v", s.Guidance.Mount)
	}
}

func TestRecentTargets(t *testing.T) {
	base := time.Now()
	s := targetState(base, true)
	var kept []Target
	for i := range MaxRecent + 3 {
		apply(t, &s, base, SetTarget{Target: Target{RA: float64(i), Dec: 0, Source: "api"}})
		if i == 2 {
			kept = s.Recent
		}
	}
	if len(s.Recent) != MaxRecent || s.Recent[0].RA != MaxRecent+2 || s.Recent[MaxRecent-1].RA != 3 {
		t.Fatalf("recent %d, first %v, last %v", len(s.Recent), s.Recent[0].RA, s.Recent[len(s.Recent)-1].RA)
	}
	// The same name again moves to the front, once.
	apply(t, &s, base, SetTarget{Target: Target{RA: 5, Dec: 0, Source: "api"}})
	n := 0
	for _, r := range s.Recent {
		if r.Name == s.Recent[0].Name {
			n++
		}
	}
	if s.Recent[0].RA != 5 || n != 1 || len(s.Recent) != MaxRecent {
		t.Errorf("re-targeted: first %v, %d copies, %d entries", s.Recent[0].RA, n, len(s.Recent))
	}
	// An earlier snapshot's list is never modified.
	if len(kept) != 3 || kept[0].RA != 2 || kept[2].RA != 0 {
		t.Errorf("earlier list changed: %v", fmt.Sprint(kept))
	}
}

func coordName(ra, dec float64) string {
	c, _ := targets.Coordinates(ra, dec)
	return c.Name()
}

func TestResolveTarget(t *testing.T) {
	base := time.Now()
	m51 := lookup(t, "M 51")
	m31 := lookup(t, "M 31")
	mra, mdec, _ := m51.J2000()
	for _, tc := range []struct {
		name  string
		goto_ Target
		u     ResolveTarget
		ok    bool
	}{
		{"0.1° off", Target{RA: mra, Dec: mdec + 0.1, Source: SourceLX200}, ResolveTarget{Seq: 1, Object: m51}, true},
		{"0.3° off", Target{RA: mra, Dec: mdec + 0.3, Source: SourceLX200}, ResolveTarget{Seq: 1, Object: m51}, false},
		{"another object", Target{RA: mra, Dec: mdec, Source: SourceLX200}, ResolveTarget{Seq: 1, Object: m31}, false},
		{"stale seq", Target{RA: mra, Dec: mdec, Source: SourceLX200}, ResolveTarget{Seq: 2, Object: m51}, false},
		{"already an object", Target{Object: m31, Source: "api"}, ResolveTarget{Seq: 1, Object: m51}, false},
		{"invalid object", Target{RA: mra, Dec: mdec, Source: SourceLX200}, ResolveTarget{Seq: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := targetState(base, true)
			apply(t, &s, base, SetTarget{Target: Target{RA: 1, Dec: 2, Source: "api"}})
			apply(t, &s, base, ClearTarget{})
			tc.goto_.Seq = 0
			apply(t, &s, base, SetTarget{Target: tc.goto_})
			tc.u.Seq++ // the clear and the first target came before
			before := s
			err := tc.u.apply(&s, base)
			if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrRejected) {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if !tc.ok {
				if s.Target != before.Target || len(s.Recent) != len(before.Recent) {
					t.Errorf("refused but changed: %+v", s.Target)
				}
				return
			}
			// Named, at the coordinates the app sent (a fixed object).
			if s.Target.Name != m51.Name() || s.Target.RA != tc.goto_.RA || s.Target.Dec != tc.goto_.Dec || s.Target.Source != SourceLX200 {
				t.Errorf("resolved to %+v", s.Target)
			}
			if len(s.Recent) != 2 || s.Recent[0].Name != m51.Name() || before.Recent[0].Name == m51.Name() {
				t.Errorf("recent %v (before %v)", s.Recent, before.Recent)
			}
			if !s.Guidance.Valid && s.Estimate.HasPointing() {
				t.Error("no guidance after resolving")
			}
		})
	}
}
