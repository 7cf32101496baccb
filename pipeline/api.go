package pipeline

import (
	"context"
	"fmt"
	"net"

	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/state/config"
)

// frameSource adapts the solver worker's latest frame to the API.
type frameSource struct{ p *Pipeline }

func (f frameSource) LatestFrame() (api.FrameView, bool) {
	v, ok := f.p.solverW.LatestFrame()
	if !ok {
		return api.FrameView{}, false
	}
	return api.FrameView{Gray: v.Gray, Meta: v.Meta, Stars: v.Stars, Matched: v.Matched, TargetPixel: v.TargetPixel}, true
}

// addAPI opens the HTTP API's listener and adds its worker.
func (p *Pipeline) addAPI(cfg Config, _ config.Config) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http api: %w", err)
	}
	p.httpLn = ln
	p.closers = append(p.closers, func() error { _ = ln.Close(); return nil })
	srv := api.New(api.Config{
		Store:      p.store,
		Log:        cfg.Log.With().Str("worker", "http").Logger(),
		Token:      cfg.APIToken,
		Frames:     frameSource{p},
		ConfigPath: cfg.ConfigPath,
	})
	p.runner.Workers = append(p.runner.Workers, Worker{Name: "http", Run: func(ctx context.Context) error { return srv.Serve(ctx, ln) }})
	return nil
}
