package api

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
)

// hostPolicy decides which Host headers the API answers (DNS-rebinding
// protection): see the package documentation for the rule.
type hostPolicy struct {
	names map[string]bool     // lower case, no trailing dot, no port
	addrs map[netip.Addr]bool // unmapped, no zone
}

// newHostPolicy builds the policy from Config.AllowedHosts; entries that
// are not a host name or IP literal are returned as bad.
func newHostPolicy(allowed []string) (p hostPolicy, bad []string) {
	p = hostPolicy{names: map[string]bool{"localhost": true}, addrs: map[netip.Addr]bool{}}
	for _, a := range allowed {
		name, ip, err := parseHost(strings.TrimSpace(a))
		switch {
		case err != nil:
			bad = append(bad, a)
		case ip.IsValid():
			p.addrs[ip] = true
		default:
			p.names[name] = true
		}
	}
	return p, bad
}

// parseHost splits a Host header value (or an AllowedHosts entry) into a
// lower-case name without its trailing dot, or an IP address (unmapped,
// without zone); the port, if any, is dropped. Exactly one of name and ip
// is set when err is nil.
func parseHost(h string) (name string, ip netip.Addr, err error) {
	if h == "" {
		return "", netip.Addr{}, fmt.Errorf("empty host")
	}
	host, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", netip.Addr{}, fmt.Errorf("host %q: unclosed [", h)
		}
		host, port = h[1:end], h[end+1:]
		if port != "" && port[0] != ':' {
			return "", netip.Addr{}, fmt.Errorf("host %q: junk after ]", h)
		}
		// An IPv6 zone is written %25 in a URL's host.
		if i := strings.IndexByte(host, '%'); i >= 0 {
			host = host[:i]
		}
		a, perr := netip.ParseAddr(host)
		if perr != nil || !a.Is6() {
			return "", netip.Addr{}, fmt.Errorf("host %q: not an IPv6 literal", h)
		}
		if err := checkPort(h, port); err != nil {
			return "", netip.Addr{}, err
		}
		return "", a.Unmap(), nil
	}
	if i := strings.IndexByte(h, ':'); i >= 0 {
		host, port = h[:i], h[i:]
		if strings.IndexByte(port[1:], ':') >= 0 {
			return "", netip.Addr{}, fmt.Errorf("host %q: an IPv6 literal must be in brackets", h)
		}
	}
	if err := checkPort(h, port); err != nil {
		return "", netip.Addr{}, err
	}
	// A trailing dot makes a name absolute; "127.0.0.1." is still the literal.
	host = strings.TrimSuffix(host, ".")
	if a, perr := netip.ParseAddr(host); perr == nil {
		return "", a.Unmap(), nil
	}
	name = strings.ToLower(host)
	if name == "" {
		return "", netip.Addr{}, fmt.Errorf("host %q: empty name", h)
	}
	if len(name) > 253 {
		return "", netip.Addr{}, fmt.Errorf("host %q: name too long", h)
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return "", netip.Addr{}, fmt.Errorf("host %q: empty or long label", h)
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", netip.Addr{}, fmt.Errorf("host %q: bad character %q", h, c)
			}
		}
	}
	return name, netip.Addr{}, nil
}

// checkPort accepts "", or ":" followed by up to 5 digits.
func checkPort(h, port string) error {
	if port == "" {
		return nil
	}
	digits := port[1:]
	if len(digits) > 5 {
		return fmt.Errorf("host %q: bad port", h)
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return fmt.Errorf("host %q: bad port", h)
		}
	}
	return nil
}

// addrIP returns the IP address of a, unmapped and without zone.
func addrIP(a net.Addr) (netip.Addr, bool) {
	if t, ok := a.(*net.TCPAddr); ok {
		ip, ok := netip.AddrFromSlice(t.IP)
		return ip.Unmap().WithZone(""), ok
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// transport describes the connection a request came on.
type transport struct {
	// ip: the connection is over IP (TCP), so a browser may have made it
	// and the Host and peer rules apply.
	ip bool
	// local is the machine's address the client connected to (invalid when
	// unknown, as for a handler called outside an http.Server).
	local netip.Addr
	// remote: the peer is another machine (not a loopback address).
	remote bool
}

func transportOf(r *http.Request) transport {
	t := transport{ip: true}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && a != nil {
		ip, ok := addrIP(a)
		if !ok {
			// A Unix socket or an in-memory pipe: no browser can reach it
			// by a DNS name, and the peer is on this machine.
			return transport{}
		}
		t.local = ip
	}
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	// An unknown peer is treated as another machine.
	t.remote = err != nil || !peer.Addr().Unmap().IsLoopback()
	return t
}

// allowed reports whether host (a Host header) names this server for a
// request that came on t.
func (p hostPolicy) allowed(host string, t transport) bool {
	name, ip, err := parseHost(host)
	if err != nil {
		return false
	}
	if ip.IsValid() {
		return ip.IsLoopback() || p.addrs[ip] || t.local.IsValid() && ip == t.local
	}
	return p.names[name]
}

// checkHost wraps h with the Host check.
func (s *Server) checkHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := transportOf(r); t.ip && !s.hosts.allowed(r.Host, t) {
			writeError(w, http.StatusMisdirectedRequest, fmt.Sprintf(
				"host %q is not a name of this server (DNS rebinding protection): use localhost, an IP address of the machine, or a name in the API's allowed hosts", r.Host))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// MachineHostNames returns the names this machine is reached by on the
// local network, for Config.AllowedHosts: its host name and, when that is a
// single label, its mDNS name <name>.local (pifinder.local on a PiFinder).
// It returns nil when the host name is unknown.
func MachineHostNames() []string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return nil
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	names := []string{h}
	if !strings.Contains(h, ".") {
		names = append(names, h+".local")
	}
	return names
}
