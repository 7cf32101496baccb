package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
)

// Screen sizes of the PiFinder's displays.
var (
	Size128 = image.Pt(128, 128) // SSD1351
	Size176 = image.Pt(176, 176) // SSD1333
)

// DrawEvery is the refresh period of Run.
const DrawEvery = 100 * time.Millisecond

// ToastFor is how long a confirmation ("logged") stays on the screen.
const ToastFor = 2 * time.Second

// Config is what the screens need.
type Config struct {
	Store *state.Store
	// Size is the screen in pixels: 128×128 by default, 176×176 for the
	// SSD1333.
	Size image.Point
	// Tuning changes the live settings; nil leaves the settings screen
	// read-only ("not available").
	Tuning api.Tuning
	// Frame returns the latest solve frame for the Align screen; may be nil.
	Frame func() (solver.FrameView, bool)
	// Align sets and persists the target pixel (Y, X of the solve frame);
	// may be nil.
	Align func(ctx context.Context, px state.Pixel) error
	// Observe marks the target observed in the observing log; may be nil.
	Observe func(ctx context.Context, t state.Target, notes string) error
	Version string
	Log     zerolog.Logger
	// Now is the local clock; nil means time.Now.
	Now func() time.Time
	// Catalog is the target catalogue; nil means targets.Default().
	Catalog *targets.Catalog
}

// UI is the device's own screens. It is not safe for concurrent use: one
// goroutine (Run's) owns it.
type UI struct {
	cfg   Config
	cat   *targets.Catalog
	stack []screen

	toast      string
	toastUntil time.Time

	cats     map[string]*catalogue // built on first use
	t9       []t9Entry             // built on first search
	tzName   string
	tz       *time.Location
	visCache visCache
	chart    chartCache
}

// screen is one screen of the stack.
type screen interface {
	name() string
	key(ctx context.Context, u *UI, ev keypad.Event) error
	draw(u *UI, c *canvas, st state.State)
}

// New returns the UI on its status screen.
func New(cfg Config) (*UI, error) {
	if cfg.Store == nil {
		return nil, errors.New("ui: no store")
	}
	if cfg.Size == (image.Point{}) {
		cfg.Size = Size128
	}
	if cfg.Size.X < 96 || cfg.Size.Y < 96 || cfg.Size.X > 1024 || cfg.Size.Y > 1024 {
		return nil, fmt.Errorf("ui: screen size %v: want 96 to 1024 pixels a side", cfg.Size)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// The catalogue (about 6 MB) is built when a list or a search first
	// needs it, not at start (loadCatalog).
	u := &UI{cfg: cfg, cat: cfg.Catalog, cats: map[string]*catalogue{}}
	u.stack = []screen{&statusScreen{}}
	return u, nil
}

// Screen names the current screen: "status", "menu", "targets", "list",
// "search", "filter", "object", "chart", "align", "settings", "site",
// "time" or "about".
func (u *UI) Screen() string { return u.top().name() }

func (u *UI) top() screen { return u.stack[len(u.stack)-1] }

func (u *UI) push(s screen) { u.stack = append(u.stack, s) }

// pop goes back one screen; the status screen stays.
func (u *UI) pop() {
	if len(u.stack) > 1 {
		u.stack = u.stack[:len(u.stack)-1]
	}
}

// home goes back to the status screen.
func (u *UI) home() { u.stack = u.stack[:1] }

// say shows msg for ToastFor.
func (u *UI) say(msg string) {
	u.toast, u.toastUntil = msg, u.cfg.Now().Add(ToastFor)
}

// shortcuts are the SQUARE+digit chords.
var shortcuts = map[keypad.Key]func() screen{
	keypad.Key1: func() screen { return nil }, // status
	keypad.Key2: func() screen { return &targetsScreen{} },
	keypad.Key3: func() screen { return &chartScreen{fov: defaultChartFOV} },
	keypad.Key4: func() screen { return &alignScreen{sel: -1} },
	keypad.Key5: func() screen { return &settingsScreen{} },
	keypad.Key6: func() screen { return &menuScreen{} },
}

// Key handles one key event. Only store failures are returned; a refused
// action (an alignment, a log entry, a setting) is shown on the screen.
func (u *UI) Key(ctx context.Context, ev keypad.Event) error {
	if ev.Key == keypad.KeyLeft && ev.Kind == keypad.Long {
		u.home()
		return nil
	}
	if ev.Square {
		if f, ok := shortcuts[ev.Key]; ok {
			u.home()
			if s := f(); s != nil {
				u.push(s)
			}
			return nil
		}
		if ev.Key == keypad.Key7 {
			return u.openCurrentTarget(ctx)
		}
	}
	return u.top().key(ctx, u, ev)
}

// openCurrentTarget opens the object screen of the store's target.
func (u *UI) openCurrentTarget(ctx context.Context) error {
	st, err := u.cfg.Store.Snapshot(ctx)
	if err != nil {
		return err
	}
	if !st.HasTarget {
		u.say("no target")
		return nil
	}
	u.home()
	u.push(&objectScreen{t: st.Target.Object})
	return nil
}

// Draw renders the current screen for st: black while asleep.
func (u *UI) Draw(st state.State) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, u.cfg.Size.X, u.cfg.Size.Y))
	u.drawInto(img, st)
	return img
}

// drawInto renders the top screen into img (of the screen's size),
// clearing it first: Run draws into two images it reuses.
func (u *UI) drawInto(img *image.RGBA, st state.State) {
	draw.Draw(img, img.Bounds(), image.NewUniform(colBlack), image.Point{}, draw.Src)
	c := &canvas{img: img, w: u.cfg.Size.X, h: u.cfg.Size.Y}
	if st.Power == state.Asleep {
		return
	}
	u.top().draw(u, c, st)
	if u.toast != "" {
		if u.cfg.Now().Before(u.toastUntil) {
			c.toast(u.toast)
		} else {
			u.toast = ""
		}
	}
}

// Run draws the screen at most every DrawEvery and after every key, calling
// show with each image that differs from the last one shown, until ctx ends
// (it returns context.Cause) or the store fails (it returns the store's
// error). A closed keys channel only stops the keys. The image show gets
// is valid during the call only (Run draws into two images in turn, so
// ten frames a second make no garbage): show copies what it keeps.
func (u *UI) Run(ctx context.Context, keys <-chan keypad.Event, show func(image.Image)) error {
	tick := time.NewTicker(DrawEvery)
	defer tick.Stop()
	r := image.Rect(0, 0, u.cfg.Size.X, u.cfg.Size.Y)
	next, last := image.NewRGBA(r), image.NewRGBA(r)
	shown := false
	render := func() error {
		st, err := u.cfg.Store.Snapshot(ctx)
		if err != nil {
			return err
		}
		u.drawInto(next, st)
		if !shown || !bytes.Equal(next.Pix, last.Pix) {
			shown = true
			show(next)
			next, last = last, next
		}
		return nil
	}
	fail := func(err error) error {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	if err := render(); err != nil {
		return fail(err)
	}
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case ev, ok := <-keys:
			if !ok {
				keys = nil
				continue
			}
			if err := u.Key(ctx, ev); err != nil {
				return fail(err)
			}
		case <-tick.C:
		}
		if err := render(); err != nil {
			return fail(err)
		}
	}
}

// localTime returns the shared clock's time at now in the site's zone
// (UTC when unknown), and whether the clock is set.
func (u *UI) localTime(st state.State) (time.Time, bool) {
	t, ok := st.Clock.At(u.cfg.Now())
	if !ok {
		return time.Time{}, false
	}
	if tz := st.Location.Timezone; tz != "" && tz != "UTC" {
		if tz != u.tzName {
			u.tzName, u.tz = tz, nil
			if loc, err := time.LoadLocation(tz); err == nil {
				u.tz = loc
			}
		}
		if u.tz != nil {
			return t.In(u.tz), true
		}
	}
	return t.UTC(), true
}
