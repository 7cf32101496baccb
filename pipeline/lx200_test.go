package pipeline

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pifinder-go/pifinder/hw/simworld"
	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/geom"
	"github.com/pifinder-go/pifinder/serve/lx200"
	"github.com/pifinder-go/pifinder/state"
)

// A SkySafari-like session against the running simulated pipeline (real
// time, loopback): poll :GR#/:GD# several times a second, goto, disconnect.
func TestLX200SessionAgainstPipeline(t *testing.T) {
	target := geom.Attitude{RA: 83.8, Dec: -5.4, Roll: 30}
	world := simworld.New(time.Now(), simworld.Script{Start: target, Steps: []simworld.Step{{To: target, Hold: time.Hour}}})
	p, err := New(Config{Log: zerolog.Nop(), World: world, LX200Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	// Wait for the first solve.
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := p.Store().Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Estimate.HasPointing() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no pointing within 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	conn, err := net.Dial("tcp", p.LX200Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	readReply := func() string {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		s, err := rd.ReadString('#')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return s
	}
	for i := 0; i < 15; i++ {
		if _, err := conn.Write([]byte(":GR#:GD#")); err != nil {
			t.Fatal(err)
		}
		raReply, decReply := readReply(), readReply()
		ra, err1 := lx200.ParseRA(strings.TrimSuffix(raReply, "#"))
		dec, err2 := lx200.ParseDec(strings.TrimSuffix(decReply, "#"))
		if err1 != nil || err2 != nil {
			t.Fatalf("replies %q %q: %v %v", raReply, decReply, err1, err2)
		}
		// Against the simulated truth, moved to the equator of date: the
		// protocol's precision (1 s of RA, 1″) plus the solve's error.
		s, err := p.Store().Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := s.Clock.Now()
		tra, tdec := astro.JNow(target.RA, target.Dec, now)
		if sep := geom.Separation(ra, dec, tra, tdec) * 3600; sep > 30 {
			t.Errorf("poll %d: %s %s is %.1f″ from the simulated truth", i, raReply, decReply, sep)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Goto the Crab (JNow of the state's date), as SkySafari sends it.
	s, _ := p.Store().Snapshot(ctx)
	now, _ := s.Clock.Now()
	cra, cdec := astro.JNow(83.6331, 22.0145, now)
	cmd := ":Sr" + strings.TrimSuffix(lx200.FormatRA(cra), "#") + "#:Sd" + strings.Replace(strings.TrimSuffix(lx200.FormatDec(cdec), "#"), "'", ":", 1) + "#:MS#"
	if _, err := conn.Write([]byte(cmd)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := rd.Read(buf[:1]); err != nil {
		t.Fatal(err)
	}
	for n := 1; n < 3; {
		m, err := rd.Read(buf[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += m
	}
	if string(buf) != "110" {
		t.Fatalf("goto replies %q, want 110", buf)
	}
	conn.Close()
	var got state.State
	for i := 0; i < 50; i++ {
		got, _ = p.Store().Snapshot(ctx)
		if got.HasTarget {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !got.HasTarget || geom.Separation(got.Target.RA, got.Target.Dec, 83.6331, 22.0145)*3600 > 20 {
		t.Fatalf("goto target %+v, want the Crab within 20″", got.Target)
	}
}
