package api

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pifinder-go/pifinder/state/statetest"
)

// TestHostLoopback: the Host header check on a server bound to loopback,
// over real connections. Only names of this server are answered; the
// others get 421 with a JSON error, whatever the path or method.
func TestHostLoopback(t *testing.T) {
	store, _ := statetest.Run(t, solvedState(10, 20, 0, 10))
	plain := serve(t, Config{Store: store, Token: token})
	configured := serve(t, Config{Store: store, Token: token, AllowedHosts: []string{"PiFinder.local.", "192.168.1.20"}})
	for _, tc := range []struct {
		host          string
		plain, config int
	}{
		{"127.0.0.1:8080", 200, 200},
		{"127.0.0.1", 200, 200},
		{"127.1.2.3:8080", 200, 200}, // all of 127/8 is loopback
		{"localhost:8080", 200, 200},
		{"LOCALHOST", 200, 200},
		{"localhost.", 200, 200},
		{"[::1]:8080", 200, 200},
		{"[::1]", 200, 200},
		{"[::ffff:127.0.0.1]:8080", 200, 200},
		{"evil.example", 421, 421},
		{"evil.example:8080", 421, 421},
		{"localhost.evil.example:8080", 421, 421},
		{"127.0.0.1.evil.example", 421, 421},
		{"pifinder.local:8080", 421, 200},
		{"pifinder.local", 421, 200},
		{"192.168.1.20:8080", 421, 200}, // not the address the client dialled
		{"0.0.0.0:8080", 421, 421},
		{"[::]:8080", 421, 421},
		{"10.0.0.1", 421, 421},
		{"127.0.0.1:80:80", 421, 421},
		{"[::1", 421, 421},
	} {
		for _, srv := range []struct {
			name, base string
			want       int
		}{{"plain", plain, tc.plain}, {"AllowedHosts", configured, tc.config}} {
			req, _ := http.NewRequest("GET", srv.base+"/api/state", nil)
			req.Host = tc.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("Host %q: %v", tc.host, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != srv.want {
				t.Errorf("%s: Host %q: %d, want %d: %s", srv.name, tc.host, resp.StatusCode, srv.want, b)
			}
			if srv.want == 421 && !strings.Contains(errorOf(t, b), "DNS rebinding") {
				t.Errorf("%s: Host %q: 421 does not say why: %s", srv.name, tc.host, b)
			}
		}
	}

	// The check comes before routing and before the token: a POST, the
	// frame, the stream and an unknown path are refused alike.
	for _, path := range []string{"/api/frame.png", "/api/events", "/nope", "/healthz"} {
		req, _ := http.NewRequest("GET", plain+path, nil)
		req.Host = "evil.example"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 421 {
			t.Errorf("GET %s with Host evil.example: %d %s", path, resp.StatusCode, b)
		}
	}
	req, _ := http.NewRequest("POST", plain+"/api/goto", strings.NewReader(`{"ra_deg": 1, "dec_deg": 2}`))
	req.Host = "evil.example"
	req.Header.Set("X-API-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 421 {
		t.Errorf("POST with Host evil.example and the token: %d", resp.StatusCode)
	}

	// An empty Host (HTTP/1.0 without the header) is refused too.
	conn, err := net.Dial("tcp", strings.TrimPrefix(plain, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "GET /api/state HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 421 || !strings.Contains(errorOf(t, b), `host ""`) {
		t.Errorf("empty Host: %d %s", resp.StatusCode, b)
	}
	if st, err := store.Snapshot(context.Background()); err != nil || st.HasTarget {
		t.Errorf("a refused POST set a target: %+v (%v)", st.Target, err)
	}
}

// TestHostWildcard: a server bound beyond loopback (0.0.0.0:8080), seen
// through the handler with the connection's addresses a real server would
// give it: the machine's own IP literal works, other hosts do not; a
// client on another machine reads freely by default, and with
// PrivateReads needs the token or a session (but not for /healthz or
// GET /api/session).
func TestHostWildcard(t *testing.T) {
	store, _ := statetest.Run(t, solvedState(10, 20, 0, 10))
	const machine = "192.168.1.20"
	withToken := New(Config{Store: store, Token: token})
	configured := New(Config{Store: store, Token: token, AllowedHosts: []string{"pifinder.local"}})
	noToken := New(Config{Store: store})
	private := New(Config{Store: store, Token: token, PrivateReads: true})
	privateConfigured := New(Config{Store: store, Token: token, PrivateReads: true, AllowedHosts: []string{"pifinder.local"}})
	privateNoToken := New(Config{Store: store, PrivateReads: true})
	type client struct{ local, remote string }
	phone := client{machine + ":8080", "192.168.1.50:40000"}
	phone6 := client{"[2001:db8::20]:8080", "[2001:db8::50]:40000"}
	phoneMapped := client{"[::ffff:" + machine + "]:8080", "[::ffff:192.168.1.50]:40000"}
	self := client{"127.0.0.1:8080", "127.0.0.1:40000"}
	for _, tc := range []struct {
		name   string
		srv    *Server
		c      client
		host   string
		path   string
		tok    bool
		status int
	}{
		{"phone, machine IP, token", withToken, phone, machine + ":8080", "/api/state", true, 200},
		{"phone, machine IP, no token", withToken, phone, machine + ":8080", "/api/state", false, 200},
		{"phone, frame without token", withToken, phone, machine + ":8080", "/api/frame.png", false, 200},
		{"phone, events without token", withToken, phone, machine + ":8080", "/api/events", false, 200},
		{"phone, healthz without token", withToken, phone, machine + ":8080", "/healthz", false, 200},
		{"private, machine IP, token", private, phone, machine + ":8080", "/api/state", true, 200},
		{"private, machine IP, no token", private, phone, machine + ":8080", "/api/state", false, 401},
		{"private, frame without token", private, phone, machine + ":8080", "/api/frame.png", false, 401},
		{"private, frame.json without token", private, phone, machine + ":8080", "/api/frame.json", false, 401},
		{"private, events without token", private, phone, machine + ":8080", "/api/events", false, 401},
		{"private, healthz without token", private, phone, machine + ":8080", "/healthz", false, 200},
		{"private, session without token", private, phone, machine + ":8080", "/api/session", false, 200},
		{"private, pifinder.local configured, no token", privateConfigured, phone, "pifinder.local:8080", "/api/state", false, 401},
		{"private, no token configured", privateNoToken, phone, machine + ":8080", "/api/state", false, 403},
		{"private, no token configured, healthz", privateNoToken, phone, machine + ":8080", "/healthz", false, 200},
		{"private, local client", private, self, "localhost:8080", "/api/state", false, 200},
		{"phone, mapped v4", withToken, phoneMapped, machine + ":8080", "/api/state", true, 200},
		{"phone, v6 literal", withToken, phone6, "[2001:db8::20]:8080", "/api/state", true, 200},
		{"phone, another IP literal", withToken, phone, "192.168.1.21:8080", "/api/state", true, 421},
		{"phone, evil name", withToken, phone, "evil.example", "/api/state", true, 421},
		{"phone, evil name, healthz", withToken, phone, "evil.example:8080", "/healthz", false, 421},
		{"phone, empty host", withToken, phone, "", "/api/state", true, 421},
		{"phone, pifinder.local not configured", withToken, phone, "pifinder.local:8080", "/api/state", true, 421},
		{"phone, pifinder.local configured", configured, phone, "pifinder.local:8080", "/api/state", true, 200},
		{"phone, pifinder.local configured, no token", configured, phone, "pifinder.local:8080", "/api/state", false, 200},
		{"phone, no token configured", noToken, phone, machine + ":8080", "/api/state", false, 200},
		{"phone, no token configured, healthz", noToken, phone, machine + ":8080", "/healthz", false, 200},
		{"local client, localhost", withToken, self, "localhost:8080", "/api/state", false, 200},
		{"local client, 127.0.0.1", noToken, self, "127.0.0.1:8080", "/api/state", false, 200},
		{"local client, [::1]", noToken, self, "[::1]:8080", "/api/state", false, 200},
		{"local client, machine IP", noToken, self, machine + ":8080", "/api/state", false, 421},
		{"local client, evil name", noToken, self, "evil.example", "/api/state", false, 421},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			local, err := net.ResolveTCPAddr("tcp", tc.c.local)
			if err != nil {
				t.Fatal(err)
			}
			ctx = context.WithValue(ctx, http.LocalAddrContextKey, local)
			req := httptest.NewRequestWithContext(ctx, "GET", tc.path, nil)
			req.Host, req.RemoteAddr = tc.host, tc.c.remote
			if tc.tok {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			if tc.path == "/api/events" {
				cancel() // the stream ends at once; only the status matters
			}
			tc.srv.Handler().ServeHTTP(rec, req)
			// No frame source (404) and the stream's cancelled context
			// (503) are past the checks.
			passed := tc.path == "/api/frame.png" && rec.Code == 404 || tc.path == "/api/events" && rec.Code == 503
			if rec.Code != tc.status && !(tc.status == 200 && passed) {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status != 200 {
				errorOf(t, rec.Body.Bytes())
			}
		})
	}
}

// TestHostNonIP: connections that are not over IP (an in-memory pipe, a
// Unix socket) are not checked: no browser reaches them by name.
func TestHostNonIP(t *testing.T) {
	store, _ := statetest.Run(t, solvedState(10, 20, 0, 10))
	srv := New(Config{Store: store})
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	ctx := context.WithValue(context.Background(), http.LocalAddrContextKey, c1.LocalAddr())
	req := httptest.NewRequestWithContext(ctx, "GET", "/api/state", nil)
	req.Host, req.RemoteAddr = "pifinder", "pipe"
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("pipe: %d %s", rec.Code, rec.Body)
	}
}

func TestParseHost(t *testing.T) {
	for _, tc := range []struct {
		in   string
		name string
		ip   string
		ok   bool
	}{
		{"localhost", "localhost", "", true},
		{"LocalHost.:8080", "localhost", "", true},
		{"pifinder.local", "pifinder.local", "", true},
		{"127.0.0.1:80", "", "127.0.0.1", true},
		{"[::1]:80", "", "::1", true},
		{"[fe80::1%25wlan0]:8080", "", "fe80::1", true},
		{"[::ffff:10.0.0.1]", "", "10.0.0.1", true},
		{"", "", "", false},
		{":8080", "", "", false},
		{"::1", "", "", false},
		{"[127.0.0.1]", "", "", false},
		{"[::1]x", "", "", false},
		{"a:b", "", "", false},
		{"a:123456", "", "", false},
		{"evil.example/x", "", "", false},
		{"ev il", "", "", false},
		{".", "", "", false},
	} {
		name, ip, err := parseHost(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("parseHost(%q): %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		wantIP := netip.Addr{}
		if tc.ip != "" {
			wantIP = netip.MustParseAddr(tc.ip)
		}
		if name != tc.name || ip != wantIP {
			t.Errorf("parseHost(%q) = %q, %v; want %q, %v", tc.in, name, ip, tc.name, wantIP)
		}
	}
}

func TestMachineHostNames(t *testing.T) {
	names := MachineHostNames()
	if len(names) == 0 {
		t.Skip("no host name")
	}
	p, bad := newHostPolicy(names)
	if len(bad) != 0 {
		t.Errorf("machine names %v not accepted: %v", names, bad)
	}
	for _, n := range names {
		if !p.allowed(n+":8080", transport{ip: true}) {
			t.Errorf("%q not allowed", n)
		}
	}
}
