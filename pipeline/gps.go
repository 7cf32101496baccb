package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/hw/gps"
	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// openGPS adds the GPS worker when a gpsd address is configured. Nothing
// is opened here: gpsd absent at start is the worker's business (it
// retries), never a start-up failure, because the finder works without a
// site (no Alt/Az) and without GPS time (the system clock).
func (p *Pipeline) openGPS(cfg Config) {
	if cfg.GPSDAddr == "" {
		return
	}
	gcfg := gps.Config{Addr: cfg.GPSDAddr, Store: p.store, Log: workerLog(cfg.Log, "gps")}
	p.runner.Workers = append(p.runner.Workers, Worker{Name: "gps", Run: func(ctx context.Context) error { return gps.Run(ctx, gcfg) }})
}

// lx200Sync is the LX200 server's :CM# (SkySafari's Align): the same steps
// as POST /api/align, so that both align alike. The position's pixel in
// the latest solve (api.AlignPixel, with the API's age limit) becomes the
// target pixel, which the settings file then keeps.
func lx200Sync(st *state.Store, file *config.File) func(ctx context.Context, ra, dec float64) (state.Pixel, error) {
	return func(ctx context.Context, ra, dec float64) (state.Pixel, error) {
		snap, err := st.Snapshot(ctx)
		if err != nil {
			return state.Pixel{}, fmt.Errorf("state not available: %w", err)
		}
		px, err := api.AlignPixel(snap, ra, dec, time.Now(), api.DefaultAlignMaxAge)
		if err != nil {
			return state.Pixel{}, fmt.Errorf("cannot align: %w", err)
		}
		if err := st.Update(ctx, state.SetTargetPixel{Pixel: px}); err != nil {
			return state.Pixel{}, fmt.Errorf("set target pixel: %w", err)
		}
		if file != nil {
			if err := file.Update(func(c *config.Config) { c.TargetPixel = [2]float64{px.Y, px.X} }); err != nil {
				return px, fmt.Errorf("target pixel set but not saved: %w", err)
			}
		}
		return px, nil
	}
}
