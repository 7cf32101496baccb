package pipeline

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/serve/ui"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// remoteScreen is the device screen as the web page sees it (api.Screen):
// the latest image the UI drew, and a keypad whose keys join the real
// ones (through the power manager, like every key).
type remoteScreen struct {
	keys *keypad.Channel
	mu   sync.Mutex
	img  *image.RGBA // the latest frame, copied into by show
	ver  uint64
}

// Latest returns a copy of the latest frame: a request pays for its own
// (only while the page's remote view is open), the 10 Hz drawing none.
func (r *remoteScreen) Latest() (image.Image, uint64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.img == nil {
		return nil, 0, false
	}
	c := image.NewRGBA(r.img.Rect)
	copy(c.Pix, r.img.Pix)
	return c, r.ver, true
}

func (r *remoteScreen) Key(ctx context.Context, ev keypad.Event) error {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	return r.keys.Send(ctx, ev)
}

func (r *remoteScreen) show(img image.Image) {
	// The UI reuses its image: keep a copy for the page.
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := img.Bounds(); r.img == nil || r.img.Rect != b {
		r.img = image.NewRGBA(b)
	}
	draw.Draw(r.img, r.img.Rect, img, r.img.Rect.Min, draw.Src)
	r.ver++
}

// openScreen opens the device screen and keypad and adds the screen
// worker: the UI drawing the screens at up to 10 Hz, keys from the GPIO
// matrix, an embedder's input and the web page's remote keypad, all
// through the power manager's Press (which swallows the key that woke
// the device). It returns the remote view for the API (nil with
// --display none).
func (p *Pipeline) openScreen(cfg Config, file *config.File, pm pressFunc, obs *lazyObsLog) (*remoteScreen, error) {
	dev, ok, err := p.openScreenDevices(cfg)
	if err != nil || !ok {
		return nil, err
	}
	remote := &remoteScreen{keys: keypad.NewChannel(8)}
	dev.inputs = append(dev.inputs, remote.keys)
	p.adopt(remote.keys.Close)
	log := workerLog(cfg.Log, "screen")
	st := p.store
	u, err := ui.New(ui.Config{
		Store:  st,
		Size:   dev.disp.Bounds().Size(),
		Tuning: p.tuning,
		Frame:  func() (solver.FrameView, bool) { return p.solverW.LatestFrame() },
		Align: func(ctx context.Context, px state.Pixel) error {
			return alignPixel(ctx, st, file, px)
		},
		Observe: func(ctx context.Context, t state.Target, notes string) error {
			if obs == nil {
				return errors.New("the observing log is off (--obslog)")
			}
			l, err := obs.get()
			if err != nil {
				return err
			}
			s, err := st.Snapshot(ctx)
			if err != nil {
				return err
			}
			e, err := api.Observation(s, notes, time.Now())
			if err != nil {
				return err
			}
			e, err = l.Add(ctx, e)
			if err == nil {
				log.Info().Int64("id", e.ID).Str("target", e.Target.Name).Msg("observation logged from the device screen")
			}
			return err
		},
		Version: firstNonEmpty(cfg.Version, "pifinder-go"),
		Log:     log,
	})
	if err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	}
	brightness := -1
	show := func(img image.Image) {
		if b := int(p.tuning.Brightness()); b != brightness {
			brightness = b
			if err := dev.disp.SetBrightness(b); err != nil {
				log.Warn().Err(err).Msg("screen brightness not set")
			}
			if dev.backlight != nil {
				if err := dev.backlight.SetDuty(keypad.BacklightDuty(b, 1)); err != nil {
					log.Warn().Err(err).Msg("keypad backlight not set")
				}
			}
		}
		if err := dev.disp.Draw(img); err != nil {
			log.Warn().Err(err).Msg("screen frame not drawn")
		}
		remote.show(img)
	}
	p.runner.Workers = append(p.runner.Workers, Worker{Name: "screen", Run: func(ctx context.Context) error {
		g, ctx := errgroup.WithContext(ctx)
		keys := make(chan keypad.Event, 8)
		g.Go(func() error {
			return mergeKeys(ctx, dev.inputs, keys, func(ctx context.Context, ev keypad.Event) (bool, error) {
				if ev.Kind != keypad.Press {
					return true, nil // a long press or repeat follows its press
				}
				return pm(ctx, int(ev.Key))
			}, log)
		})
		g.Go(func() error { return u.Run(ctx, keys, show) })
		return g.Wait()
	}})
	return remote, nil
}

// pressFunc is the power manager's Press.
type pressFunc func(ctx context.Context, key int) (bool, error)

// alignPixel sets the target pixel in the state and saves it in the
// settings file (when there is one), as POST /api/align does.
func alignPixel(ctx context.Context, st *state.Store, file *config.File, px state.Pixel) error {
	if err := st.Update(ctx, state.SetTargetPixel{Pixel: px}); err != nil {
		return err
	}
	if file == nil {
		return nil
	}
	if err := file.Update(func(c *config.Config) { c.TargetPixel = [2]float64{px.Y, px.X} }); err != nil {
		return errors.Join(errors.New("aligned, but not saved"), err)
	}
	return nil
}
