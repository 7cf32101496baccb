package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/obslog"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
)

// A night driven only by the keypad: the finder starts, the user opens the
// targets (SQUARE+2), Messier, types 5 1, chooses M 51 and follows the
// object screen's guidance (the simulated observer pushes by it) until the
// target is in the field, then marks it observed (SQUARE): the observing
// log holds the entry, with the site and the pointing.
func TestKeypadOnlyNight(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the keypad night runs in the full pass")
	}
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		cat, err := targets.Default()
		if err != nil {
			t.Fatal(err)
		}
		m51, _ := cat.Lookup("M 51")
		site := astro.Observer{LatDeg: observerSite.Lat, LonDeg: observerSite.Lon}
		ra, dec, _ := m51.Position(time.Now(), site)
		start := offsetBy(ra, dec, 35, 200)
		world := simworld.New(time.Now(), simworld.Script{Start: start, Steps: []simworld.Step{{To: start, Hold: time.Hour}}})
		keys := keypad.NewChannel(8)
		logs := &logBuffer{}
		p, err := New(Config{
			Log: zerolog.New(logs), World: world, Location: &observerSite, SleepTimeout: "5m", SimObserver: true,
			KeyInput: keys, ObsLogPath: filepath.Join(dir, "obs.db"), Display: "sim",
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		defer func() { cancel(); <-done }()

		press := func(k keypad.Key, square bool) {
			t.Helper()
			time.Sleep(300 * time.Millisecond) // a person's pace
			if err := keys.Send(ctx, keypad.Event{Key: k, Kind: keypad.Press, Square: square, Time: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Second) // power on: the first solves
		_, v0, ok := p.screen.Latest()
		if !ok {
			t.Fatal("nothing drawn on the screen after 2 s")
		}
		press(keypad.Key2, true)      // SQUARE+2: targets
		press(keypad.KeyRight, false) // Messier (the first catalogue)
		press(keypad.Key5, false)     // 5
		press(keypad.Key1, false)     // 1: M 51 selected
		press(keypad.KeyRight, false) // choose it: the object screen, the target set
		time.Sleep(500 * time.Millisecond)
		s, err := p.Store().Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !s.HasTarget || !strings.HasPrefix(s.Target.Name, "M 51") {
			t.Fatalf("after the keys the target is %q (has %v)", s.Target.Name, s.HasTarget)
		}
		if _, v, _ := p.screen.Latest(); v == v0 {
			t.Error("the screen did not change with the keys")
		}
		var inField bool
		for range 120 {
			time.Sleep(time.Second)
			s, _ = p.Store().Snapshot(ctx)
			// In the field at rest: the observer has stopped pushing.
			if s.Guidance.Valid && s.Guidance.InField && s.Guidance.SeparationDeg < 0.25 && !world.Moving(time.Now()) &&
				countContaining(logs.Lines(), "target in the eyepiece") > 0 {
				inField = true
				break
			}
		}
		if !inField {
			t.Fatalf("M 51 not in the field after 2 min: %+v", s.Guidance)
		}
		press(keypad.KeySquare, false) // mark observed
		time.Sleep(2 * time.Second)
		cancel()
		<-done
		done <- nil

		l, err := obslog.Open(filepath.Join(dir, "obs.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		entries, err := l.List(context.Background(), obslog.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Fatalf("%d log entries, want 1:\n%s", len(entries), strings.Join(logs.Lines(), "\n"))
		}
		e := entries[0]
		a := world.Attitude(time.Now())
		if !strings.HasPrefix(e.Target.Name, "M 51") || e.Site.Lat != observerSite.Lat || e.Pointing.Source == "" ||
			geom.Separation(e.Pointing.RA, e.Pointing.Dec, a.RA, a.Dec) > 0.25 {
			t.Errorf("logged %+v", e)
		}
	})
}

// mergeKeys passes every input's keys through the power manager: the key
// that woke the device is swallowed, the others reach the UI in order.
func TestMergeKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := keypad.NewChannel(4), keypad.NewChannel(4)
		out := make(chan keypad.Event, 8)
		asleep := true
		press := func(ctx context.Context, ev keypad.Event) (bool, error) {
			if asleep {
				asleep = false
				return false, nil
			}
			return true, nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- mergeKeys(ctx, []keypad.Input{a, b}, out, press, zerolog.Nop()) }()
		for _, k := range []keypad.Key{keypad.Key1, keypad.Key2, keypad.Key3} {
			if err := a.Send(ctx, keypad.Event{Key: k, Kind: keypad.Press}); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		if err := b.Send(ctx, keypad.Event{Key: keypad.KeyUp, Kind: keypad.Press}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		var got []keypad.Key
		for len(out) > 0 {
			got = append(got, (<-out).Key)
		}
		if want := []keypad.Key{keypad.Key2, keypad.Key3, keypad.KeyUp}; !slicesEqual(got, want) {
			t.Errorf("keys passed %v, want %v (the waking 1 swallowed)", got, want)
		}
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("mergeKeys returned %v", err)
		}
	})
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
