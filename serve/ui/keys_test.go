package ui

import (
	"context"
	"errors"
	"image"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
)

func selected(t *testing.T, u *UI) string {
	t.Helper()
	switch s := u.top().(type) {
	case *listScreen:
		return s.cat.entries[s.view[s.sel]].t.Name()
	case *searchScreen:
		return s.results[s.sel].t.Name()
	}
	t.Fatalf("screen %s has no selection", u.Screen())
	return ""
}

func TestKeysMessierFlow(t *testing.T) {
	f := newFixture()
	store := startStore(t, solved(f))
	var observed []state.Target
	u, err := New(Config{Store: store, Now: f.Now, Observe: func(_ context.Context, tg state.Target, notes string) error {
		if notes != "" {
			t.Errorf("notes %q, want empty", notes)
		}
		observed = append(observed, tg)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	steps := []struct {
		ev     keypad.Event
		screen string
	}{
		{chord(keypad.Key2), "targets"},
		{press(keypad.KeyRight), "list"},
		{press(keypad.Key5), "list"},
		{press(keypad.Key1), "list"},
	}
	for _, s := range steps {
		keys(t, u, s.ev)
		if got := u.Screen(); got != s.screen {
			t.Fatalf("after %v: screen %s, want %s", s.ev, got, s.screen)
		}
	}
	if got := selected(t, u); !strings.HasPrefix(got, "M 51 ") {
		t.Fatalf("typed 51: selected %q, want M 51", got)
	}
	keys(t, u, press(keypad.KeyRight))
	if u.Screen() != "object" {
		t.Fatalf("RIGHT: screen %s, want object", u.Screen())
	}
	st, err := store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.HasTarget || !strings.HasPrefix(st.Target.Name, "M 51") || st.Target.Source != TargetSource {
		t.Fatalf("store target %+v, want M 51 from ui", st.Target)
	}
	keys(t, u, press(keypad.KeySquare))
	if len(observed) != 1 || !strings.HasPrefix(observed[0].Name, "M 51") {
		t.Fatalf("observed %v, want M 51 once", observed)
	}
	if img := u.Draw(st); !hasRed(img) || u.toast != "logged" {
		t.Errorf("no logged toast: %q", u.toast)
	}
	keys(t, u, press(keypad.KeyLeft))
	if u.Screen() != "list" {
		t.Fatalf("LEFT: screen %s, want list", u.Screen())
	}
	keys(t, u, long(keypad.KeyLeft))
	if u.Screen() != "status" {
		t.Fatalf("long LEFT: screen %s, want status", u.Screen())
	}
}

func hasRed(img *image.RGBA) bool {
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 0 {
			return true
		}
	}
	return false
}

func TestKeysShortcuts(t *testing.T) {
	store := startStore(t, state.Default())
	u, err := New(Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  keypad.Key
		want string
	}{
		{keypad.Key2, "targets"}, {keypad.Key3, "chart"}, {keypad.Key4, "align"},
		{keypad.Key5, "settings"}, {keypad.Key6, "menu"}, {keypad.Key1, "status"},
	} {
		keys(t, u, chord(tc.key))
		if got := u.Screen(); got != tc.want {
			t.Errorf("SQUARE+%v: screen %s, want %s", tc.key, got, tc.want)
		}
		if tc.want != "status" {
			keys(t, u, press(keypad.KeyLeft))
			if got := u.Screen(); got != "status" {
				t.Errorf("SQUARE+%v then LEFT: screen %s, want status", tc.key, got)
			}
		}
	}
}

func TestKeysT9Search(t *testing.T) {
	store := startStore(t, state.Default())
	u, err := New(Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	keys(t, u, chord(keypad.Key2), press(keypad.Key9), press(keypad.KeyRight))
	if u.Screen() != "search" {
		t.Fatalf("screen %s, want search", u.Screen())
	}
	keys(t, u, digits("7464")...)
	s := u.top().(*searchScreen)
	found := -1
	for i, r := range s.results {
		if strings.HasPrefix(r.t.Name(), "M 57 ") && strings.Contains(r.label, "Ring") {
			found = i
		}
	}
	if found < 0 {
		var names []string
		for _, r := range s.results {
			names = append(names, r.label)
		}
		t.Fatalf("7464: no Ring Nebula among %q", names)
	}
	for range found {
		keys(t, u, press(keypad.KeyDown))
	}
	keys(t, u, press(keypad.KeyRight))
	st, _ := store.Snapshot(context.Background())
	if u.Screen() != "object" || !strings.HasPrefix(st.Target.Name, "M 57") {
		t.Errorf("screen %s target %q, want object M 57", u.Screen(), st.Target.Name)
	}
}

func TestKeysRepeatScrolls(t *testing.T) {
	store := startStore(t, state.Default())
	u, err := New(Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	keys(t, u, chord(keypad.Key2), press(keypad.KeyRight))
	for range 20 {
		keys(t, u, repeat(keypad.KeyDown))
	}
	if got := selected(t, u); !strings.HasPrefix(got, "M 21") {
		t.Errorf("20 repeats down: %q, want M 21", got)
	}
	img := u.Draw(state.Default())
	if l := u.top().(*listScreen); l.top == 0 {
		t.Errorf("list did not scroll: top %d", l.top)
	}
	_ = img
	keys(t, u, repeat(keypad.KeyUp), repeat(keypad.KeyUp))
	if got := selected(t, u); !strings.HasPrefix(got, "M 19") {
		t.Errorf("2 repeats up: %q, want M 19", got)
	}
}

func TestKeysFilter(t *testing.T) {
	store := startStore(t, state.Default())
	u, err := New(Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	keys(t, u, chord(keypad.Key2), press(keypad.KeyRight), press(keypad.KeySquare))
	if u.Screen() != "filter" {
		t.Fatalf("SQUARE on list: %s", u.Screen())
	}
	// kind: globular (3 steps), then apply
	keys(t, u, press(keypad.KeyRight), press(keypad.KeyRight), press(keypad.KeyRight), press(keypad.KeyLeft))
	l := u.top().(*listScreen)
	if len(l.view) < 20 || len(l.view) > 40 {
		t.Errorf("globular Messier objects: %d", len(l.view))
	}
	for _, i := range l.view {
		if k := l.cat.entries[i].t.Kind().String(); k != "globular cluster" {
			t.Fatalf("kind %s in a globular filter", k)
		}
	}
}

func TestKeysAlign(t *testing.T) {
	store := startStore(t, state.Default())
	fv := testFrame()
	var got []state.Pixel
	u, err := New(Config{Store: store, Frame: func() (solver.FrameView, bool) { return fv, true },
		Align: func(_ context.Context, px state.Pixel) error {
			got = append(got, px)
			if len(got) > 1 {
				return errors.New("too far")
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	keys(t, u, chord(keypad.Key4))
	u.Draw(state.Default())
	a := u.top().(*alignScreen)
	if a.sel != 0 {
		t.Fatalf("initial selection %d, want the star at the target pixel (0)", a.sel)
	}
	keys(t, u, press(keypad.Key6)) // right of (256,250): (420,300)
	if a.sel != 5 {
		t.Errorf("6: selection %d, want 5", a.sel)
	}
	keys(t, u, press(keypad.KeyUp)) // up from (420,300): (400,90)
	if a.sel != 2 {
		t.Errorf("UP: selection %d, want 2", a.sel)
	}
	keys(t, u, press(keypad.KeyRight))
	if len(got) != 1 || got[0] != (state.Pixel{Y: 90, X: 400}) || a.msg != "aligned" {
		t.Errorf("align calls %v msg %q", got, a.msg)
	}
	keys(t, u, press(keypad.KeyRight))
	if a.msg != "too far" {
		t.Errorf("refused alignment: msg %q", a.msg)
	}
}

func TestKeysSiteAndTime(t *testing.T) {
	f := newFixture()
	store := startStore(t, baseState(f))
	u, err := New(Config{Store: store, Now: f.Now})
	if err != nil {
		t.Fatal(err)
	}
	keys(t, u, chord(keypad.Key5))
	for range setSite {
		keys(t, u, press(keypad.KeyDown))
	}
	keys(t, u, press(keypad.KeyRight))
	if u.Screen() != "site" {
		t.Fatalf("screen %s, want site", u.Screen())
	}
	keys(t, u, digits("481234")...)
	keys(t, u, press(keypad.KeyMinus))
	keys(t, u, digits("0015000")...)
	keys(t, u, press(keypad.KeyRight))
	st, _ := store.Snapshot(context.Background())
	l := st.Location
	if l.Source != "MANUAL" || !l.Lock || l.LockType != 3 || l.Lat != 48.1234 || l.Lon != -1.5 {
		t.Fatalf("site %+v", l)
	}
	if u.Screen() != "settings" {
		t.Fatalf("after site: %s", u.Screen())
	}
	keys(t, u, press(keypad.KeyDown), press(keypad.KeyRight))
	if u.Screen() != "time" {
		t.Fatalf("screen %s, want time", u.Screen())
	}
	keys(t, u, digits("2315")...)
	keys(t, u, press(keypad.KeyRight))
	st, _ = store.Snapshot(context.Background())
	now, ok := st.Clock.Now()
	if !ok || !st.Clock.Manual() || now.Hour() != 23 || now.Minute() != 15 || now.Day() != 15 {
		t.Errorf("clock %v manual %v", now, st.Clock.Manual())
	}
}

func TestKeysSettings(t *testing.T) {
	store := startStore(t, state.Default())
	tu := newFakeTuning()
	u, err := New(Config{Store: store, Tuning: tu})
	if err != nil {
		t.Fatal(err)
	}
	keys(t, u, chord(keypad.Key5), press(keypad.KeyPlus))
	if tu.v.ScreenBrightness != 128+BrightnessStep {
		t.Errorf("brightness %d", tu.v.ScreenBrightness)
	}
	keys(t, u, press(keypad.KeyDown), press(keypad.KeyDown), press(keypad.KeyRight))
	if tu.v.Mount != "equatorial" {
		t.Errorf("mount %q", tu.v.Mount)
	}
	u2, _ := New(Config{Store: store})
	keys(t, u2, chord(keypad.Key5), press(keypad.KeyPlus))
	if u2.toast != "not available" {
		t.Errorf("no tuning: toast %q", u2.toast)
	}
}

func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := state.New(state.Default())
		ctx, cancel := context.WithCancelCause(context.Background())
		storeDone := make(chan struct{})
		go func() { _ = store.Run(ctx); close(storeDone) }()
		u, err := New(Config{Store: store})
		if err != nil {
			t.Fatal(err)
		}
		var shows atomic.Int32
		keyc := make(chan keypad.Event)
		errc := make(chan error, 1)
		go func() {
			errc <- u.Run(ctx, keyc, func(img image.Image) { shows.Add(1) })
		}()
		time.Sleep(time.Second)
		synctest.Wait()
		if n := shows.Load(); n != 1 {
			t.Errorf("unchanged state: show called %d times, want 1", n)
		}
		keyc <- press(keypad.KeyRight)
		time.Sleep(time.Second)
		synctest.Wait()
		if n := shows.Load(); n != 2 {
			t.Errorf("after a key: show called %d times, want 2", n)
		}
		if u.Screen() != "menu" {
			t.Errorf("screen %s", u.Screen())
		}
		cause := errors.New("stop")
		cancel(cause)
		if err := <-errc; !errors.Is(err, cause) {
			t.Errorf("Run returned %v, want the cause", err)
		}
		<-storeDone
	})
}

func TestRunStoreGone(t *testing.T) {
	store := state.New(state.Default())
	sctx, scancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = store.Run(sctx); close(done) }()
	scancel()
	<-done
	u, err := New(Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	err = u.Run(context.Background(), nil, func(image.Image) {})
	if !errors.Is(err, state.ErrOwnerGone) {
		t.Errorf("Run on a dead store: %v", err)
	}
}

func TestNewSize(t *testing.T) {
	store := state.New(state.Default())
	if _, err := New(Config{Store: store, Size: image.Pt(10, 10)}); err == nil {
		t.Error("10×10 accepted")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("no store accepted")
	}
}

func BenchmarkDrawStatus(b *testing.B) {
	f := newFixture()
	st := solved(f)
	u, err := New(Config{Store: state.New(st), Now: f.Now})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		u.Draw(st)
	}
}

func BenchmarkDrawObject(b *testing.B) {
	f := newFixture()
	m51 := lookup(b, "M 51")
	st := withTarget(b, solved(f), m51, 0)
	u, err := New(Config{Store: state.New(st), Now: f.Now})
	if err != nil {
		b.Fatal(err)
	}
	u.push(&objectScreen{t: m51})
	b.ReportAllocs()
	for b.Loop() {
		u.Draw(st)
	}
}
