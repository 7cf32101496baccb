package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/imu/simimu"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/integrator"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/state"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// liveSession runs the real workers on a fake clock for d with a recorder
// attached and returns the recording and the estimates the store received.
// A non-nil site is set as the observer's location before the workers start.
func liveSession(t *testing.T, d time.Duration, site *state.Location) ([]byte, []state.Estimate) {
	var buf bytes.Buffer
	var live []state.Estimate
	synctest.Test(t, func(t *testing.T) {
		w := simworld.New(time.Now(), simworld.DefaultScript())
		dev, err := simimu.New(w, simimu.Config{NoiseArcsec: 2, DriftArcsecPerS: 3, Quantize: true, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		cfg := integrator.Config{ScreenDirection: "right", Log: zerolog.Nop()}
		rec, err := NewRecorder(&buf, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Observer = rec
		ig, err := integrator.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		st := state.New(state.Default())
		ctx, cancel := context.WithCancelCause(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() { st.Run(ctx) })
		if err := st.Update(ctx, state.SetDateTime{Time: time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		if site != nil {
			if err := st.Update(ctx, state.SetLocation{Location: *site}); err != nil {
				t.Fatal(err)
			}
		}
		sub, err := st.Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		solves := make(chan state.SolveEvent)
		wg.Go(func() { imu.Run(ctx, dev, st, zerolog.Nop(), imu.Options{}) })
		wg.Go(func() { ig.Run(ctx, st, solves) })
		wg.Go(func() { // stand-in solver: truth while still and uncovered, failures otherwise
			tick := time.NewTicker(700 * time.Millisecond)
			defer tick.Stop()
			var last time.Time
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				snap, err := st.Snapshot(ctx)
				if err != nil || !snap.HasIMU {
					continue
				}
				at := snap.IMU.Time
				ev := state.SolveEvent{Attempt: at, LastSuccess: last, Diag: state.SolveDiag{TExtract: 20 * time.Millisecond}}
				if !w.Moving(at) && !w.Covered(at) {
					a := w.Attitude(at)
					p := state.PointingOf(a.RA, a.Dec, a.Roll)
					ev = state.SolveEvent{Success: true, Camera: p, Aligned: state.PointingOf(a.RA+0.1, a.Dec, a.Roll),
						Anchor: snap.IMU.Quat, Attempt: at, LastSuccess: at, Truth: p,
						Diag:    state.SolveDiag{Matches: 15, RMSEArcsec: 1.5, TSolve: 30 * time.Millisecond},
						Matched: []state.MatchedStar{{X: 100, Y: 200, HIP: 27989, RA: a.RA, Dec: a.Dec, Vmag: 0.5}}}
					last = at
				}
				select {
				case solves <- ev:
				case <-ctx.Done():
					return
				}
			}
		})
		wg.Go(func() { // what consumers of the store see
			var lastVersion state.Estimate
			for {
				select {
				case <-ctx.Done():
					sub.Close()
					return
				case s := <-sub.C():
					if !cmp.Equal(s.Estimate, lastVersion) && (s.Estimate.Source != "") {
						live = append(live, s.Estimate)
						lastVersion = s.Estimate
					}
				}
			}
		})
		time.Sleep(d)
		cancel(errors.New("session over"))
		wg.Wait()
		if err := rec.Err(); err != nil {
			t.Fatal(err)
		}
	})
	return buf.Bytes(), live
}

// The default script's first slew starts at 20 s; the first anchored solves
// follow it (until the first movement the published IMU quaternion can be
// zero, "no anchor"), so dead reckoning shows from the second slew on.
const sessionLength = 70 * time.Second

func TestRecordReplayRoundTrip(t *testing.T) {
	data, live := liveSession(t, sessionLength, nil)
	var recorded []state.Estimate
	kinds := map[state.SolveSource]int{}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var l Line
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		if l.Type == TypeEstimate {
			recorded = append(recorded, *l.Estimate)
			kinds[l.Estimate.Source]++
		}
	}
	t.Logf("recording: %d bytes, %d estimates %v, store saw %d", len(data), len(recorded), kinds, len(live))
	if kinds[state.SourceCamera] == 0 || kinds[state.SourceIMU] == 0 || kinds[state.SourceCamFailed] == 0 {
		t.Fatalf("session lacks a source kind: %v", kinds)
	}
	// Consumers saw (a subset of, as subscriptions coalesce) the recorded estimates.
	if len(live) == 0 || !cmp.Equal(live[len(live)-1], recorded[len(recorded)-1]) {
		t.Error("the store's last estimate is not the last recorded one")
	}

	var replayed []state.Estimate
	if err := Replay(bytes.NewReader(data), integrator.Config{}, func(e state.Estimate) { replayed = append(replayed, e) }); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(recorded, replayed); d != "" {
		t.Fatalf("replay differs from the recording (-recorded +replayed):\n%s", d)
	}
	n, err := Verify(bytes.NewReader(data), integrator.Config{})
	if err != nil || n != len(recorded) {
		t.Errorf("Verify: %d, %v", n, err)
	}
	// Another build does not reproduce the session.
	if _, err := Verify(bytes.NewReader(data), integrator.Config{ScreenDirection: "flat"}); !errors.Is(err, ErrMismatch) {
		t.Errorf("Verify with another build: %v", err)
	}
}

// TestRecordReplayWithSite records a live session with an observer site
// set in the state and checks that the recording carries the site and that
// the replay computes Alt/Az there: present on every estimate and equal to
// the recorded ones.
func TestRecordReplayWithSite(t *testing.T) {
	site := state.Location{Lat: 50.11, Lon: 8.68, AltitudeM: 112, Source: "MANUAL", Timezone: "UTC"}
	data, _ := liveSession(t, sessionLength, &site)

	var recorded []state.Estimate
	var ticks, located int
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var l Line
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		switch l.Type {
		case TypeTick:
			ticks++
			if l.Tick.Location != nil {
				located++
				if *l.Tick.Location != site {
					t.Errorf("line %d: recorded location %+v, want %+v", i+1, *l.Tick.Location, site)
				}
			}
		case TypeEstimate:
			recorded = append(recorded, *l.Estimate)
		}
	}
	// The site does not change, so only the first tick carries it.
	if ticks == 0 || located != 1 {
		t.Fatalf("%d ticks, %d with a location; want the site recorded once", ticks, located)
	}
	if len(recorded) == 0 {
		t.Fatal("no estimates recorded")
	}
	for i, e := range recorded {
		if !e.HasAltAz {
			t.Fatalf("recorded estimate %d (%s) has no Alt/Az", i+1, e.Source)
		}
	}

	// The replay hands the recorded site to Alt/Az on every estimate...
	var sites []state.Location
	cfg := integrator.Config{AltAz: func(ra, dec float64, loc state.Location, at time.Time) (float64, float64) {
		sites = append(sites, loc)
		return skyAltAz(ra, dec, loc, at)
	}}
	var replayed []state.Estimate
	if err := Replay(bytes.NewReader(data), cfg, func(e state.Estimate) { replayed = append(replayed, e) }); err != nil {
		t.Fatal(err)
	}
	if len(sites) == 0 {
		t.Fatal("the replay computed no Alt/Az")
	}
	for i, loc := range sites {
		if loc.Lat != site.Lat || loc.Lon != site.Lon || loc.AltitudeM != site.AltitudeM {
			t.Fatalf("Alt/Az %d computed at %+v, want the recorded site %+v", i+1, loc, site)
		}
	}
	// ...and so reproduces the recorded Alt/Az exactly.
	if len(replayed) != len(recorded) {
		t.Fatalf("%d estimates replayed, %d recorded", len(replayed), len(recorded))
	}
	for i := range recorded {
		r, p := recorded[i], replayed[i]
		if !p.HasAltAz || p.Alt != r.Alt || p.Az != r.Az {
			t.Fatalf("estimate %d (%s): replayed alt/az %v %.6f/%.6f, recorded %.6f/%.6f",
				i+1, r.Source, p.HasAltAz, p.Alt, p.Az, r.Alt, r.Az)
		}
	}
	if n, err := Verify(bytes.NewReader(data), integrator.Config{}); err != nil || n != len(recorded) {
		t.Errorf("Verify: %d of %d, %v", n, len(recorded), err)
	}
	// The site matters: the same pointings seen from (0, 0) are elsewhere in the sky.
	e := recorded[len(recorded)-1]
	p := e.Aligned.Estimate
	if alt, az := skyAltAz(p.RA, p.Dec, state.Location{}, e.EstimateTime); math.Abs(alt-e.Alt) < 1 && math.Abs(az-e.Az) < 1 {
		t.Errorf("Alt/Az at the site (%.2f, %.2f) equal those at (0, 0): the test cannot tell the site was used", e.Alt, e.Az)
	}
}

// skyAltAz is the integrator's default Alt/Az (integrator.Config.AltAz nil).
func skyAltAz(ra, dec float64, loc state.Location, at time.Time) (float64, float64) {
	return astro.AltAz(ra, dec, astro.Observer{LatDeg: loc.Lat, LonDeg: loc.Lon, HeightM: loc.AltitudeM}, at, astro.StandardWeather())
}

// TestStoppedWhilePublishing cuts a recording after a tick line, as when
// the session stops between applying a tick and publishing its estimate:
// replay must reproduce exactly the recorded estimates, no more.
func TestStoppedWhilePublishing(t *testing.T) {
	data, _ := liveSession(t, 20*time.Second, nil)
	lines := bytes.SplitAfter(bytes.TrimSpace(data), []byte("\n"))
	last := -1 // the last tick followed by an estimate line
	for i := range lines[:len(lines)-1] {
		if bytes.Contains(lines[i], []byte(`"type":"tick"`)) && bytes.Contains(lines[i+1], []byte(`"type":"estimate"`)) {
			last = i
		}
	}
	if last < 0 {
		t.Fatal("no tick with an estimate in the session")
	}
	cut := bytes.Join(lines[:last+1], nil)
	recorded := bytes.Count(cut, []byte(`"type":"estimate"`))
	var replayed int
	if err := Replay(bytes.NewReader(cut), integrator.Config{}, func(state.Estimate) { replayed++ }); err != nil {
		t.Fatal(err)
	}
	if n, err := Verify(bytes.NewReader(cut), integrator.Config{}); err != nil || n != recorded || replayed != recorded {
		t.Errorf("Verify %d, %v; replayed %d; recorded %d", n, err, replayed, recorded)
	}
}

func TestBadRecordings(t *testing.T) {
	hdr := `{"type":"header","header":{"version":1,"screen_direction":"right","deadband_deg":0.06}}` + "\n"
	cases := map[string]string{
		"empty":       "",
		"no header":   `{"type":"tick","tick":{"now":"0001-01-01T00:00:00Z"}}`,
		"bad version": `{"type":"header","header":{"version":9}}`,
		"garbage":     hdr + "{not json",
		"bad type":    hdr + `{"type":"nope"}`,
		"bad build":   `{"type":"header","header":{"version":1,"screen_direction":"sideways"}}`,
	}
	for name, in := range cases {
		if err := Replay(strings.NewReader(in), integrator.Config{}, func(state.Estimate) {}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := Replay(strings.NewReader(hdr), integrator.Config{}, func(state.Estimate) {}); err != nil {
		t.Errorf("header only: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRecorderWriteError(t *testing.T) {
	if _, err := NewRecorder(failWriter{}, integrator.Config{}); err == nil {
		t.Error("header write error not reported")
	}
	if _, err := NewRecorder(&bytes.Buffer{}, integrator.Config{ScreenDirection: "sideways"}); err == nil {
		t.Error("bad build accepted")
	}
}

func FuzzReplay(f *testing.F) {
	p := state.PointingOf(10, 20, 30)
	tk := integrator.Tick{Solve: &state.SolveEvent{Success: true, Camera: p, Aligned: p}}
	var buf bytes.Buffer
	rec, _ := NewRecorder(&buf, integrator.Config{})
	rec.Tick(tk)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"type":"header","header":{"version":1}}` + "\n" + `{"type":"tick","tick":{"imu":{"Quat":{"Real":1}},"location":{"Lat":1}}}`))
	f.Add([]byte(`{"type":"header","header":{"version":1}}` + "\n" + `{"type":"tick","tick":{"solve":{"Succ`))
	f.Add([]byte(`{"type":"header","header":{"version":1}}` + "\n\n" + `{"type":"estimate","estimate":{}}{}` + "\n"))
	// No input panics; every error names the package; a cut-off last line
	// (ErrTruncated) is ignored: the input up to its start replays the same
	// estimates with no error.
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []state.Estimate
		err := Replay(bytes.NewReader(data), integrator.Config{}, func(e state.Estimate) { got = append(got, e) })
		if err == nil {
			return
		}
		if !strings.HasPrefix(err.Error(), "record: ") {
			t.Fatalf("error %q does not start with \"record: \"", err)
		}
		if !errors.Is(err, ErrTruncated) {
			return
		}
		if bytes.HasSuffix(data, []byte("\n")) {
			t.Fatalf("ErrTruncated for input ending in a newline: %v", err)
		}
		whole := data[:bytes.LastIndexByte(data, '\n')+1]
		var want []state.Estimate
		if err := Replay(bytes.NewReader(whole), integrator.Config{}, func(e state.Estimate) { want = append(want, e) }); err != nil {
			t.Fatalf("the whole lines before a cut-off line: %v", err)
		}
		if !cmp.Equal(want, got, cmpopts.EquateNaNs()) {
			t.Fatalf("a cut-off last line changed the replay: %d estimates, %d without it", len(got), len(want))
		}
	})
}

// FuzzReplayCut cuts a real recording anywhere: past the header it always
// replays (nil, or ErrTruncated for a cut through a line), and what it
// replays is the start of the whole recording's replay.
func FuzzReplayCut(f *testing.F) {
	var full bytes.Buffer
	rec, err := NewRecorder(&full, integrator.Config{})
	if err != nil {
		f.Fatal(err)
	}
	core, _ := integrator.NewCore(integrator.Config{})
	for _, tk := range shortSession() {
		rec.Tick(tk)
		core.Step(tk, rec.Published)
	}
	data := full.Bytes()
	all, err := replayAll(data)
	if err != nil {
		f.Fatal(err)
	}
	headerEnd := bytes.IndexByte(data, '\n') + 1
	for _, c := range []uint16{0, 5, uint16(headerEnd), uint16(headerEnd + 30), uint16(len(data) - 1)} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cut uint16) {
		in := data[:int(cut)%(len(data)+1)]
		got, err := replayAll(in)
		if len(in) < headerEnd-1 {
			if err == nil || errors.Is(err, ErrTruncated) {
				t.Fatalf("cut at %d, in the header: %v", len(in), err)
			}
			return
		}
		if err != nil && !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d: %v", len(in), err)
		}
		if len(got) > len(all) || !cmp.Equal(all[:len(got)], got, cmpopts.EquateEmpty()) {
			t.Fatalf("cut at %d: the replay is not the start of the whole one", len(in))
		}
		if n, err := Verify(bytes.NewReader(in), integrator.Config{}); n != len(got) || (err != nil && !errors.Is(err, ErrTruncated)) {
			t.Fatalf("cut at %d: Verify %d, %v; replayed %d", len(in), n, err, len(got))
		}
	})
}
