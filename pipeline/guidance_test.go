package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/internal/targets"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

func TestMountSetting(t *testing.T) {
	_, err := New(Config{Log: zerolog.Nop(), Mount: "fork"})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Flag != "--mount" {
		t.Fatalf("New with --mount fork: %v, want a --mount ConfigError", err)
	}
}

// The summary line names the target and its separation.
func TestSummaryTarget(t *testing.T) {
	s := state.Default()
	s.HasTarget, s.Target.Name = true, "M 13"
	s.Guidance = state.Guidance{Valid: true, Guidance: targets.Guidance{SeparationDeg: 12.34567}}
	var buf bytes.Buffer
	logSummary(zerolog.New(&buf), s, state.Stats{}, time.Now(), time.Second)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line["target"] != "M 13" || line["target_sep_deg"] != 12.346 {
		t.Errorf("summary %s", buf.String())
	}
	s.Guidance.Valid = false
	buf.Reset()
	logSummary(zerolog.New(&buf), s, state.Stats{}, time.Now(), time.Second)
	if bytes.Contains(buf.Bytes(), []byte("target_sep_deg")) {
		t.Errorf("separation without guidance: %s", buf.String())
	}
}

// The settings file gives the mount type and the recent targets at start,
// and every new target is saved back; a plain RA/Dec keeps its saved name.
func TestRecentTargetsPersisted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"mount_type": "eq", "recent_targets": [
		{"name": "Jupiter", "ra_deg": 100, "dec_deg": 20},
		{"name": "home field", "ra_deg": 83.8, "dec_deg": -5.4},
		{"name": "M 13", "ra_deg": 10, "dec_deg": 10}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		at := geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}
		world := simworld.New(time.Now(), simworld.Script{Start: at, Steps: []simworld.Step{{To: at, Hold: time.Hour}}})
		p, err := New(Config{Log: zerolog.Nop(), World: world, ConfigPath: path, Camera: "none", IMU: "none"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		s, err := p.Store().Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Mount != targets.Equatorial || len(s.Recent) != 3 {
			t.Fatalf("boot mount %v, recent %d", s.Mount, len(s.Recent))
		}
		// Restored as saved, without building the catalogue.
		if s.Recent[0].Name != "Jupiter" || s.Recent[1].Name != "home field" || s.Recent[2].RA != 10 || !s.Recent[2].Object.Fixed() {
			t.Errorf("recent restored as %+v", s.Recent)
		}
		cat, _ := targets.Default()
		m51, _ := cat.Lookup("M 51")
		if err := p.Store().Update(ctx, state.SetTarget{Target: state.Target{Object: m51, Source: "api"}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		c, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		ra, dec, _ := m51.J2000()
		if len(c.RecentTargets) != 4 || c.RecentTargets[0] != (config.RecentTarget{Name: m51.Name(), RA: ra, Dec: dec}) || c.RecentTargets[2].Name != "home field" || c.MountType != "equatorial" {
			t.Errorf("saved %+v, mount %q", c.RecentTargets, c.MountType)
		}
		// An LX200 goto 0.05° from M 13 is named M 13 by the worker (at the
		// coordinates the app sent), and saved so.
		m13, _ := cat.Lookup("M 13")
		ra13, dec13, _ := m13.J2000()
		if err := p.Store().Update(ctx, state.SetTarget{Target: state.Target{RA: ra13, Dec: dec13 + 0.05, Source: state.SourceLX200}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		s, _ = p.Store().Snapshot(ctx)
		if s.Target.Name != m13.Name() || s.Target.Dec != dec13+0.05 || s.Target.Source != state.SourceLX200 {
			t.Errorf("lx200 goto near M 13 is %+v", s.Target)
		}
		if c, _ = config.Load(path); len(c.RecentTargets) != 5 || c.RecentTargets[0].Name != m13.Name() {
			t.Errorf("saved after the goto: %+v", c.RecentTargets)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
