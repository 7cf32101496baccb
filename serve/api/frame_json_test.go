package api

import (
	"encoding/json"
	"errors"
	"image"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// overlayFrame is a solved 512×512 frame at att with fov: detections (one
// not a number), Betelgeuse and an unnamed star matched.
func overlayFrame(att geom.Attitude, fov float64) FrameView {
	end := time.Date(2026, 3, 1, 21, 30, 0, 0, time.UTC)
	return FrameView{
		Gray:  image.NewGray(image.Rect(0, 0, 512, 512)),
		Meta:  state.FrameMeta{Seq: 42, Width: 512, Height: 512, ExposureEnd: end},
		Stars: [][2]float64{{100.5, 120.25}, {math.NaN(), 3}, {400, 33}},
		Matched: []state.MatchedStar{
			{X: 100.5, Y: 120.25, HIP: 27989, RA: 88.7929, Dec: 7.4071, Vmag: 0.45},
			{X: 400, Y: 33, HIP: 1, RA: 0.0009, Dec: 1.089, Vmag: math.NaN()},
		},
		TargetPixel: state.Pixel{Y: 260, X: 250},
		Solve:       state.PointingOf(att.RA, att.Dec, att.Roll),
		FOV:         fov,
	}
}

// TestFrameJSON: the overlay's shape, the matched stars' names, and the
// goto target projected with the frame's own solve.
func TestFrameJSON(t *testing.T) {
	const fov = 10.2
	att := geom.Attitude{RA: 83.6331, Dec: 22.0145, Roll: 30}
	cam := geom.Camera{W: 512, H: 512, FOV: fov}
	inRA, inDec := geom.Unproject(att, cam, 300.25, 200.5)
	outRA, outDec := geom.Unproject(att, cam, 700, -100) // beyond the edges, in front of the camera
	frame := overlayFrame(att, fov)
	unsolved := frame
	unsolved.Solve, unsolved.Matched = state.Pointing{}, nil
	// The state's own pointing is elsewhere: the overlay must use the frame's.
	withTarget := func(ra, dec float64) state.State {
		st := solvedState(200, -30, 0, 20)
		st.HasTarget, st.Target = true, state.Target{RA: ra, Dec: dec, Name: "t", Seq: 1}
		return st
	}
	type target struct {
		X, Y    float64
		InFrame bool `json:"in_frame"`
	}
	for _, tc := range []struct {
		name   string
		frames FrameSource
		st     state.State
		code   int
		target *target // nil: null
		solved bool
	}{
		{"no frame source", nil, state.Default(), 404, nil, false},
		{"no frame yet", fakeFrames{}, state.Default(), 404, nil, false},
		{"no target", fakeFrames{frame}, solvedState(200, -30, 0, 20), 200, nil, true},
		{"target in the frame", fakeFrames{frame}, withTarget(inRA, inDec), 200, &target{300.25, 200.5, true}, true},
		{"target beyond the edges", fakeFrames{frame}, withTarget(outRA, outDec), 200, &target{700, -100, false}, true},
		{"target behind the camera", fakeFrames{frame}, withTarget(att.RA+180, -att.Dec), 200, nil, true},
		{"unsolved frame", fakeFrames{unsolved}, withTarget(inRA, inDec), 200, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, tc.st)
			base := serve(t, Config{Store: store, Frames: tc.frames})
			code, b := do(t, "GET", base+"/api/frame.json", "")
			if code != tc.code {
				t.Fatalf("%d, want %d: %s", code, tc.code, b)
			}
			if code != 200 {
				errorOf(t, b)
				return
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range raw {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"exposure_end", "height", "matched", "seq", "solve", "stars", "target", "target_pixel", "width"}; !slices.Equal(keys, want) {
				t.Errorf("keys %v, want %v", keys, want)
			}
			var v struct {
				Seq         uint64
				Width       int
				Height      int
				ExposureEnd *time.Time `json:"exposure_end"`
				Stars       []map[string]*float64
				Matched     []map[string]any
				TargetPixel map[string]float64 `json:"target_pixel"`
				Target      *target
				Solve       *map[string]float64
			}
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			if v.Seq != 42 || v.Width != 512 || v.Height != 512 || v.ExposureEnd == nil || !v.ExposureEnd.Equal(frame.Meta.ExposureEnd) {
				t.Errorf("header %+v", v)
			}
			if len(v.Stars) != 3 || *v.Stars[0]["x"] != 100.5 || *v.Stars[0]["y"] != 120.25 || v.Stars[1]["x"] != nil || *v.Stars[1]["y"] != 3 {
				t.Errorf("stars %s", raw["stars"])
			}
			if v.TargetPixel["x"] != 250 || v.TargetPixel["y"] != 260 {
				t.Errorf("target pixel %v", v.TargetPixel)
			}
			if tc.solved {
				if len(v.Matched) != 2 {
					t.Fatalf("matched %s", raw["matched"])
				}
				m0, m1 := v.Matched[0], v.Matched[1]
				if m0["name"] != "Betelgeuse" || m0["hip"] != 27989.0 || m0["mag"] != 0.45 || m0["x"] != 100.5 || m0["y"] != 120.25 || m0["ra_deg"] != 88.7929 || m0["dec_deg"] != 7.4071 {
					t.Errorf("matched[0] %v", m0)
				}
				if m1["name"] != "" || m1["mag"] != nil || m1["hip"] != 1.0 {
					t.Errorf("matched[1] (no name, no magnitude) %v", m1)
				}
				if v.Solve == nil || (*v.Solve)["ra_deg"] != att.RA || (*v.Solve)["fov_deg"] != fov || (*v.Solve)["roll_deg"] != att.Roll {
					t.Errorf("solve %s", raw["solve"])
				}
			} else if string(raw["matched"]) != "[]" || string(raw["solve"]) != "null" {
				t.Errorf("unsolved: matched %s, solve %s", raw["matched"], raw["solve"])
			}
			switch {
			case tc.target == nil:
				if string(raw["target"]) != "null" {
					t.Errorf("target %s, want null", raw["target"])
				}
			case v.Target == nil:
				t.Errorf("target null, want %+v", *tc.target)
			case math.Abs(v.Target.X-tc.target.X) > 1e-6 || math.Abs(v.Target.Y-tc.target.Y) > 1e-6 || v.Target.InFrame != tc.target.InFrame:
				t.Errorf("target %+v, want %+v", *v.Target, *tc.target)
			}
		})
	}
}

// TestOverlayEdges: a frame without metadata takes the image's size, or
// the default; a bad field of view is no solve.
func TestOverlayEdges(t *testing.T) {
	att := geom.Attitude{RA: 10, Dec: 20}
	f := overlayFrame(att, 10)
	f.Meta.Width, f.Meta.Height = 0, 0
	f.Gray = image.NewGray(image.Rect(0, 0, 640, 480))
	if o := overlay(f, nil); o.Width != 640 || o.Height != 480 || o.Solve == nil {
		t.Errorf("size from the image: %d×%d, solve %v", o.Width, o.Height, o.Solve)
	}
	f.Gray = nil
	if o := overlay(f, nil); o.Width != SolveImageSize || o.Height != SolveImageSize {
		t.Errorf("default size: %d×%d", o.Width, o.Height)
	}
	for _, fov := range []float64{0, -1, 180, math.NaN()} {
		f.FOV = fov
		if o := overlay(f, &[2]float64{10, 20}); o.Solve != nil || o.Target != nil {
			t.Errorf("FOV %g: solve %v target %v", fov, o.Solve, o.Target)
		}
	}
	f.Meta.ExposureEnd = time.Time{}
	f.FOV = 10
	b, err := json.Marshal(overlay(f, nil))
	if err != nil || !strings.Contains(string(b), `"exposure_end":null`) {
		t.Errorf("no exposure end: %s (%v)", b, err)
	}
}

// TestAlignForms: POST /api/align by pixel (snapped to the nearest
// detection within 12 px, 409 when none) and by the goto target; mixed
// or incomplete bodies are 400; every form needs the token (401/403) and
// fits in 64 KiB (413).
func TestAlignForms(t *testing.T) {
	const fov = 10.2
	att := geom.Attitude{RA: 83.6331, Dec: 22.0145, Roll: 30}
	cam := geom.Camera{W: 512, H: 512, FOV: fov}
	frame := alignFrame() // detections (300.25, 200.5), (100, 100), (110, 100), (NaN, 50), (500, 20)
	tgtRA, tgtDec := geom.Unproject(att, cam, 420.5, 380.25)
	withTarget := solvedState(att.RA, att.Dec, att.Roll, fov)
	withTarget.HasTarget, withTarget.Target = true, state.Target{RA: tgtRA, Dec: tgtDec, Name: "M 1", Seq: 1}
	outside := withTarget
	outside.Target.RA, outside.Target.Dec = 270, -60
	noTarget := solvedState(att.RA, att.Dec, att.Roll, fov)
	stale := withTarget
	stale.Estimate.LastSolveSuccess = time.Now().Add(-time.Hour)
	tok := []string{"X-API-Token", token}
	for _, tc := range []struct {
		name      string
		st        state.State
		frames    FrameSource
		noToken   bool // no token configured
		body      string
		hdr       []string
		code      int
		pixel     state.Pixel // for 200
		errorHas  string
		persisted bool
	}{
		{"pixel on a star", noTarget, fakeFrames{frame}, false, `{"x": 300.25, "y": 200.5}`, tok, 200, state.Pixel{Y: 200.5, X: 300.25}, "", true},
		{"pixel near a star", noTarget, fakeFrames{frame}, false, `{"x": 295, "y": 195}`, tok, 200, state.Pixel{Y: 200.5, X: 300.25}, "", true},
		{"the nearer of two", noTarget, fakeFrames{frame}, false, `{"x": 106, "y": 101}`, tok, 200, state.Pixel{Y: 100, X: 110}, "", true},
		{"12 px away", noTarget, fakeFrames{frame}, false, `{"x": 488, "y": 20}`, tok, 200, state.Pixel{Y: 20, X: 500}, "", true},
		{"12.1 px away", noTarget, fakeFrames{frame}, false, `{"x": 487.9, "y": 20}`, tok, 409, state.Pixel{}, "no detected star", false},
		{"no star near", noTarget, fakeFrames{frame}, false, `{"x": 256, "y": 256}`, tok, 409, state.Pixel{}, "within 12 px", false},
		{"the NaN detection is no star", noTarget, fakeFrames{frame}, false, `{"x": 0, "y": 50}`, tok, 409, state.Pixel{}, "no detected star", false},
		{"no frame yet", noTarget, fakeFrames{}, false, `{"x": 300, "y": 200}`, tok, 409, state.Pixel{}, "no camera frame", false},
		{"no frame source", noTarget, nil, false, `{"x": 300, "y": 200}`, tok, 409, state.Pixel{}, "no camera frame", false},
		{"pixel outside the frame", noTarget, fakeFrames{frame}, false, `{"x": 513, "y": 200}`, tok, 400, state.Pixel{}, "outside the 512×512 frame", false},
		{"negative pixel", noTarget, fakeFrames{frame}, false, `{"x": 3, "y": -0.5}`, tok, 400, state.Pixel{}, "outside", false},
		{"x only", noTarget, fakeFrames{frame}, false, `{"x": 300}`, tok, 400, state.Pixel{}, `both "x" and "y"`, false},
		{"pixel and position", noTarget, fakeFrames{frame}, false, `{"x": 300, "y": 200, "ra_deg": 1, "dec_deg": 2}`, tok, 400, state.Pixel{}, "one form only", false},
		{"pixel and target", withTarget, fakeFrames{frame}, false, `{"x": 300, "y": 200, "target": true}`, tok, 400, state.Pixel{}, "one form only", false},
		{"target and half a position", withTarget, fakeFrames{frame}, false, `{"target": true, "dec_deg": 2}`, tok, 400, state.Pixel{}, "one form only", false},
		{"nothing", withTarget, fakeFrames{frame}, false, `{}`, tok, 400, state.Pixel{}, `{"target": true}`, false},
		{"target", withTarget, fakeFrames{frame}, false, `{"target": true}`, tok, 200, state.Pixel{Y: 380.25, X: 420.5}, "", true},
		{"target false", withTarget, fakeFrames{frame}, false, `{"target": false}`, tok, 400, state.Pixel{}, `"target" must be true`, false},
		{"no target", noTarget, fakeFrames{frame}, false, `{"target": true}`, tok, 409, state.Pixel{}, "no goto target", false},
		{"target outside the frame", outside, fakeFrames{frame}, false, `{"target": true}`, tok, 409, state.Pixel{}, "outside", false},
		{"target, stale solve", stale, fakeFrames{frame}, false, `{"target": true}`, tok, 409, state.Pixel{}, "ago", false},
		{"pixel, no token sent", noTarget, fakeFrames{frame}, false, `{"x": 300, "y": 200}`, nil, 401, state.Pixel{}, "token", false},
		{"target, wrong token", withTarget, fakeFrames{frame}, false, `{"target": true}`, []string{"X-API-Token", "x"}, 401, state.Pixel{}, "token", false},
		{"pixel, no token configured", noTarget, fakeFrames{frame}, true, `{"x": 300, "y": 200}`, tok, 403, state.Pixel{}, "--api-token", false},
		{"pixel, cookie, cross-site", noTarget, fakeFrames{frame}, false, `{"x": 300, "y": 200}`,
			[]string{"Cookie", SessionCookie + "=" + mintFor(t, token, time.Now().Add(time.Hour)), "Sec-Fetch-Site", "cross-site"}, 403, state.Pixel{}, errCrossSite, false},
		{"pixel, cookie", noTarget, fakeFrames{frame}, false, `{"x": 300, "y": 200}`,
			[]string{"Cookie", SessionCookie + "=" + mintFor(t, token, time.Now().Add(time.Hour))}, 200, state.Pixel{Y: 200.5, X: 300.25}, "", true},
		{"oversized", withTarget, fakeFrames{frame}, false, `{"target": true, "pad": "` + strings.Repeat("x", 70<<10) + `"}`, tok, 413, state.Pixel{}, "larger than", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, tc.st)
			settings := &fakeSettings{}
			cfg := Config{Store: store, Token: token, Settings: settings, Frames: tc.frames}
			if tc.noToken {
				cfg.Token = ""
			}
			base := serve(t, cfg)
			before, _ := store.Snapshot(t.Context())
			code, b := do(t, "POST", base+"/api/align", tc.body, tc.hdr...)
			after, _ := store.Snapshot(t.Context())
			if code != tc.code {
				t.Fatalf("%d, want %d: %s", code, tc.code, b)
			}
			if code != 200 {
				if got := errorOf(t, b); !strings.Contains(got, tc.errorHas) {
					t.Errorf("error %q does not say %q", got, tc.errorHas)
				}
				if after.Version != before.Version || settings.calls() != 0 {
					t.Errorf("refused, but the state changed or the settings were saved (%d)", settings.calls())
				}
				return
			}
			var rep alignReply
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
			if !near(rep.TargetPixel.X, tc.pixel.X) || !near(rep.TargetPixel.Y, tc.pixel.Y) || rep.Persisted != tc.persisted {
				t.Errorf("reply %+v, want %+v persisted %v", rep, tc.pixel, tc.persisted)
			}
			if !near(after.TargetPixel.X, tc.pixel.X) || !near(after.TargetPixel.Y, tc.pixel.Y) {
				t.Errorf("state pixel %+v, want %+v", after.TargetPixel, tc.pixel)
			}
			if settings.c.TargetPixel != [2]float64{after.TargetPixel.Y, after.TargetPixel.X} {
				t.Errorf("saved %v, state %+v", settings.c.TargetPixel, after.TargetPixel)
			}
		})
	}
}

func TestSnapToStar(t *testing.T) {
	f := alignFrame()
	for _, tc := range []struct {
		x, y, r float64
		want    state.Pixel
		ok      bool
	}{
		{300, 200, 12, state.Pixel{Y: 200.5, X: 300.25}, true},
		{105, 100, 12, state.Pixel{Y: 100, X: 100}, true}, // a tie: the first detection (the brighter)
		{105.1, 100, 12, state.Pixel{Y: 100, X: 110}, true},
		{100, 100, 0, state.Pixel{Y: 100, X: 100}, true},
		{100, 100.1, 0, state.Pixel{}, false},
		{256, 400, 12, state.Pixel{}, false},
	} {
		got, err := snapToStar(f, tc.x, tc.y, tc.r)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("snap(%g, %g, %g) = %+v, %v; want %+v ok %v", tc.x, tc.y, tc.r, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNoStar) {
			t.Errorf("error %v is not ErrNoStar", err)
		}
	}
	if _, err := snapToStar(FrameView{}, 1, 1, 12); !errors.Is(err, ErrNoStar) {
		t.Errorf("no detections: %v", err)
	}
}
