package pipeline

import (
	"context"

	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/serve/web"
	"github.com/pifinder-go/pifinder/solver"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// frameSource adapts the solver worker's latest frame to the API.
type frameSource struct{ p *Pipeline }

func (f frameSource) LatestFrame() (api.FrameView, bool) {
	v, ok := f.p.solverW.LatestFrame()
	if !ok {
		return api.FrameView{}, false
	}
	fv := api.FrameView{Gray: v.Gray, Meta: v.Meta, Stars: v.Stars, Matched: v.Matched, TargetPixel: v.TargetPixel}
	if v.Result.Status == solver.StatusMatch { // the frame's own solve, for /api/frame.json's target mark
		fv.Solve, fv.FOV = state.PointingOf(v.Result.RA, v.Result.Dec, v.Result.Roll), v.Result.FOV
	}
	return fv, true
}

// openAPI opens the HTTP API's listener and adds its worker. The API saves
// the alignment through the settings file's owner (nil: nothing persisted).
func (p *Pipeline) openAPI(cfg Config, file *config.File, obs *lazyObsLog, screen *remoteScreen) error {
	var err error
	ln := cfg.HTTPListener
	if ln == nil {
		if cfg.HTTPAddr == "" {
			return nil
		}
		if ln, err = listen("--http", cfg.HTTPAddr); err != nil {
			return err
		}
		p.adoptListener(ln)
	}
	p.httpLn = ln
	var settings api.Settings
	if file != nil { // a nil *config.File in the interface would not be nil
		settings = file
	}
	apiCfg := api.Config{
		Store:    p.store,
		Log:      workerLog(cfg.Log, "http"),
		Token:    cfg.APIToken,
		Frames:   frameSource{p},
		Settings: settings,
		// The Host check (DNS rebinding) also accepts <hostname>.local.
		AllowedHosts: api.MachineHostNames(),
		PrivateReads: cfg.PrivateReads, // --private-reads
		Tuning:       p.tuning,
		Page:         web.Handler(), // GET / and /assets/: the phone page
	}
	if obs != nil {
		apiCfg.OpenObsLog = obs.get
	}
	if screen != nil { // a nil *remoteScreen in the interface would not be nil
		apiCfg.Screen = screen
	}
	srv := api.New(apiCfg)
	p.runner.Workers = append(p.runner.Workers, Worker{Name: "http", Run: func(ctx context.Context) error { return srv.Serve(ctx, ln) }})
	return nil
}
