package lx200

import (
	"bufio"
	"context"
	"io"
	"math"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

func TestSiteParsers(t *testing.T) {
	num := []struct {
		name string
		fn   func(string) (float64, error)
		in   string
		want float64
		ok   bool
	}{
		{"lat SkySafari", ParseLatitude, "+50*51", 50.85, true},
		{"lat south", ParseLatitude, "-33*52", -(33 + 52.0/60), true},
		{"lat INDI seconds", ParseLatitude, "+47:56:00", 47 + 56.0/60, true},
		{"lat south of -1°", ParseLatitude, "-00*30", -0.5, true},
		{"lat beyond the pole", ParseLatitude, "+91*00", 0, false},
		{"lat one digit", ParseLatitude, "+5*00", 0, false},
		{"lat minutes 60", ParseLatitude, "+50*60", 0, false},
		{"lon west positive: 355°39′ W is 4°21′ E", ParseLongitude, "355*39", 4.35, true},
		{"lon with a space", ParseLongitude, " 355*39", 4.35, true},
		{"lon 122°25′ W", ParseLongitude, "122*25", -(122 + 25.0/60), true},
		{"lon signed east", ParseLongitude, "-010*30", 10.5, true},
		{"lon INDI colon", ParseLongitude, "010:44", -(10 + 44.0/60), true},
		{"lon 180", ParseLongitude, "180*00", 180, true},
		{"lon 0", ParseLongitude, "000*00", 0, true},
		{"lon degree sign", ParseLongitude, "355\xdf39", 4.35, true},
		{"lon beyond 360", ParseLongitude, "361*00", 0, false},
		{"lon no minutes", ParseLongitude, "355", 0, false},
		{"lon letters", ParseLongitude, "abc*de", 0, false},
		{"lon four digits", ParseLongitude, "0355*39", 0, false},
		{"offset SkySafari", ParseUTCOffset, "+05.0", 5, true},
		{"offset negative half", ParseUTCOffset, "-05.5", -5.5, true},
		{"offset bare", ParseUTCOffset, "8", 8, true},
		{"offset too far", ParseUTCOffset, "+15", 0, false},
		{"offset two signs", ParseUTCOffset, "+-5", 0, false},
		{"offset exponent", ParseUTCOffset, "1e1", 0, false},
		{"offset empty", ParseUTCOffset, "", 0, false},
		{"offset NaN", ParseUTCOffset, "NaN", 0, false},
	}
	for _, c := range num {
		got, err := c.fn(c.in)
		if (err == nil) != c.ok || c.ok && math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %q → %v, %v; want %v ok=%v", c.name, c.in, got, err, c.want, c.ok)
		}
	}
	tod := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"21:30:05", 21*time.Hour + 30*time.Minute + 5*time.Second, true},
		{" 00:00:00", 0, true},
		{"24:00:00", 0, false},
		{"12:60:00", 0, false},
		{"12:00", 0, false},
		{"1a:00:00", 0, false},
	}
	for _, c := range tod {
		got, err := ParseLocalTime(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("local time %q → %v, %v", c.in, got, err)
		}
	}
	dates := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"03/15/26", time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), true},
		{"02/29/28", time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"12/31/2026", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{"02/29/26", time.Time{}, false},
		{"13/01/26", time.Time{}, false},
		{"00/10/26", time.Time{}, false},
		{"3/15/26", time.Time{}, false},
		{"03/15/-6", time.Time{}, false},
	}
	for _, c := range dates {
		got, err := ParseDate(c.in)
		if (err == nil) != c.ok || !got.Equal(c.want) {
			t.Errorf("date %q → %v, %v", c.in, got, err)
		}
	}
	formats := []struct{ got, want string }{
		{FormatLatitude(50.85), "+50*51#"},
		{FormatLatitude(-0.25), "-00*15#"},
		{FormatLatitude(-0.001), "+00*00#"},
		{FormatLongitude(4.35), "-004*21#"},
		{FormatLongitude(-122.4167), "+122*25#"},
		{FormatLongitude(180), "+180*00#"},
		{FormatUTCOffset(-1), "-01#"},
		{FormatUTCOffset(5.5), "+05.5#"},
		{FormatUTCOffset(0), "+00#"},
	}
	for _, f := range formats {
		if f.got != f.want {
			t.Errorf("format %q, want %q", f.got, f.want)
		}
	}
}

// TestSiteTimeSession runs the set and get commands through a session.
func TestSiteTimeSession(t *testing.T) {
	now := time.Date(2026, 3, 15, 20, 0, 0, 0, time.UTC)
	local := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := Input{State: state.Default(), Now: now, Local: local}
	in.State.Location.Lat, in.State.Location.Lon = 50.85, 4.35
	var s Session
	h := func(cmd string) Result {
		cs := (&Scanner{}).Feed([]byte(cmd), nil)
		if len(cs) != 1 {
			t.Fatalf("%q is %d commands", cmd, len(cs))
		}
		return s.Handle(cs[0], in)
	}
	if r := h(":St+50*51#"); r.Reply != "1" || r.Site == nil || !r.Site.HasLat || r.Site.HasLon || r.Site.Lat != 50.85 {
		t.Errorf(":St → %+v", r)
	}
	if r := h(":Sg355*39#"); r.Reply != "1" || r.Site == nil || !r.Site.HasLon || math.Abs(r.Site.Lon-4.35) > 1e-9 {
		t.Errorf(":Sg → %+v", r)
	}
	if r := h(":St+95*00#"); r.Reply != "0" || r.Site != nil {
		t.Errorf("bad :St → %+v", r)
	}
	if r := h(":Gt#"); r.Reply != "+50*51#" {
		t.Errorf(":Gt → %q", r.Reply)
	}
	if r := h(":Gg#"); r.Reply != "-004*21#" {
		t.Errorf(":Gg → %q", r.Reply)
	}
	// UTC = local + offset: local 16:00 at offset +4 is 20:00 UTC.
	if r := h(":SG+04.0#"); r.Reply != "1" || s.OffsetHours() != 4 {
		t.Errorf(":SG → %+v, offset %v", r, s.OffsetHours())
	}
	if r := h(":GG#"); r.Reply != "+04#" {
		t.Errorf(":GG → %q", r.Reply)
	}
	if r := h(":GL#"); r.Reply != "16:00:00#" {
		t.Errorf(":GL → %q", r.Reply)
	}
	if r := h(":GC#"); r.Reply != "03/15/26#" {
		t.Errorf(":GC → %q", r.Reply)
	}
	// :SL alone takes the local date of the current clock.
	if r := h(":SL17:30:00#"); r.Reply != "1" || !r.DateTime.Equal(time.Date(2026, 3, 15, 21, 30, 0, 0, time.UTC)) {
		t.Errorf(":SL → %+v", r)
	}
	// :SC 2 s later takes the :SL time of day plus the 2 s.
	in.Local = local.Add(2 * time.Second)
	if r := h(":SC03/20/26#"); r.Reply != dateReply || !r.DateTime.Equal(time.Date(2026, 3, 20, 21, 30, 2, 0, time.UTC)) {
		t.Errorf(":SC → %+v", r)
	}
	// Once a date is known, :SL uses it.
	if r := h(":SL23:00:00#"); !r.DateTime.Equal(time.Date(2026, 3, 21, 3, 0, 0, 0, time.UTC)) {
		t.Errorf(":SL after :SC → %v", r.DateTime)
	}
	for _, bad := range []string{":SC02/30/26#", ":SL25:00:00#", ":SG+20#"} {
		if r := h(bad); r.Reply != "0" || !r.DateTime.IsZero() {
			t.Errorf("%s → %+v", bad, r)
		}
	}
	// :CM# without a target answers and asks for nothing.
	if r := h(":CM#"); r.Reply != syncReply || r.Sync == nil || !r.Sync.NoTarget {
		t.Errorf(":CM# without target → %+v", r)
	}
}

// FuzzSetCommands: no set command panics; a refused one ("0") asks the
// state for nothing; an accepted one asks only for values in range.
func FuzzSetCommands(f *testing.F) {
	for _, s := range []string{"St+50*51", "Sg355*39", "SG+05.0", "SL21:30:00", "SC03/15/26", "St-91*00",
		"Sg 1000*00", "SG++1", "SL99:99:99", "SC13/45/99", "Sg-180*00", "St+00*00:00.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		cs := (&Scanner{}).Feed([]byte(":"+body+"#"), nil)
		in := Input{State: state.Default(), Now: time.Date(2026, 3, 15, 20, 0, 0, 0, time.UTC)}
		for _, c := range cs {
			var s Session
			r := s.Handle(c, in)
			switch r.Reply {
			case "0":
				if r.Site != nil || !r.DateTime.IsZero() || s.offsetH != 0 {
					t.Fatalf("%q refused but changed something: %+v", c, r)
				}
			}
			if st := r.Site; st != nil && (!(st.Lat >= -90 && st.Lat <= 90) || !(st.Lon > -180 && st.Lon <= 180)) {
				t.Fatalf("%q gave site %+v", c, st)
			}
			if !(math.Abs(s.offsetH) <= 14) {
				t.Fatalf("%q gave offset %v", c, s.offsetH)
			}
		}
	})
}

// skySafariConnect is what SkySafari 7 sends when it connects to a "Meade
// LX200 Classic/GPS" scope with "Set Time & Location" on: the site (:St,
// :Sg), then the UTC offset, local time and date (:SG, :SL, :SC), as the
// longsight project's telescope_server.py documents it from SkySafari's
// own log; the formats are those of the Meade Telescope Serial Command
// Protocol. It then polls :GR#:GD#. Here: 50°51′ N 4°21′ E (355°39′ W in
// Meade's west-positive longitude), UTC+1 (Meade offset -01), local
// 2026-03-15 21:30:00 (20:30:00 UTC).
const skySafariConnect = ":St+50*51#:Sg355*39#:SG-01.0#:SL21:30:00#:SC03/15/26#:GR#:GD#"

// TestSkySafariConnectAndAlign: the connect transcript sets the site and
// the time, :Gt#/:Gg# read them back, and SkySafari's Align (:Sr, :Sd,
// :CM#) reaches the sync hook with the target.
func TestSkySafariConnectAndAlign(t *testing.T) {
	initial := state.Default()
	initial.Clock = state.NewClock(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), false)
	initial.Estimate.Aligned.Estimate = state.PointingOf(83.6331, 22.0145, 0)
	store := statetest.Start(t, initial)
	var mu sync.Mutex
	var syncs []SyncRequest
	syncHook := func(_ context.Context, ra, dec float64) (state.Pixel, error) {
		mu.Lock()
		defer mu.Unlock()
		syncs = append(syncs, SyncRequest{RA: ra, Dec: dec})
		return state.Pixel{Y: 250, X: 260}, nil
	}
	srv, addr, logBuf := startServer(t, Config{Store: store, Sync: syncHook, FromDate: identity, ToDate: identity})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, skySafariConnect); err != nil {
		t.Fatal(err)
	}
	want := "1" + "1" + "1" + "1" + dateReply + "05:34:32#" + "+22*00'52#"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil || string(got) != want {
		t.Fatalf("connect replies %q, %v; want %q", got, err, want)
	}
	snap, err := store.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l := snap.Location; l.Source != state.LocationApp || l.Lat != 50.85 || math.Abs(l.Lon-4.35) > 1e-9 || !l.Lock {
		t.Errorf("site %+v", l)
	}
	now, _ := snap.Clock.Now()
	if wantUTC := time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC); snap.Clock.Source() != state.TimeApp || now.Sub(wantUTC).Abs() > 2*time.Second {
		t.Errorf("clock %v from %s, want about %v from APP", now, snap.Clock.Source(), wantUTC)
	}
	got5 := exchange(t, c, r, ":Gt#:Gg#:GG#:GL#:GC#", 5)
	if strings.Join(got5[:3], "") != "+50*51#-004*21#-01#" || !strings.HasPrefix(got5[3], "21:30:0") || got5[4] != "03/15/26#" {
		t.Errorf("read back %q", got5)
	}
	// A set and a get in one read: the get sees the set.
	if got := exchange(t, c, r, ":St-33*52#:Gt#:St+50*51#", 1); got[0] != "1-33*52#" {
		t.Errorf("set then get in one read: %q", got)
	}
	if b, err := r.ReadByte(); err != nil || b != '1' {
		t.Fatalf("last :St reply %q, %v", b, err)
	}
	// Align: SkySafari sends the object, then :CM#, and reads a string.
	if got := exchange(t, c, r, ":Sr05:34:32#:Sd+22*00:52#:CM#", 1); got[0] != "11"+syncReply {
		t.Errorf("align replies %q", got)
	}
	mu.Lock()
	if len(syncs) != 1 || math.Abs(syncs[0].RA-83.6333) > 1e-3 || math.Abs(syncs[0].Dec-22.0144) > 1e-3 {
		t.Errorf("sync hook got %+v", syncs)
	}
	mu.Unlock()
	// Motion and rate commands are ignored and the session goes on.
	if got := exchange(t, c, r, ":RS#:Me#:Qe#:Q#:RG#:Mn#:Qn#:GVP#", 1); got[0] != "PiFinder#" {
		t.Errorf("after motion commands %q", got)
	}
	if st := srv.Stats(); st.Syncs != 1 {
		t.Errorf("stats %+v", st)
	}
	// A refused sync is logged once however often it is asked for.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	r2 := bufio.NewReader(c2)
	for range 3 {
		if got := exchange(t, c2, r2, ":CM#", 1); got[0] != syncReply {
			t.Errorf("refused sync answer %q", got)
		}
	}
	if n := strings.Count(logBuf.String(), "lx200 sync refused"); n != 1 {
		t.Errorf("refused sync logged %d times, want once", n)
	}
}
