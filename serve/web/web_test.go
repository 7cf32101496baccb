package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, method, target string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gunzip: %v", err)
		}
	}
	return b
}

func TestServe(t *testing.T) {
	for _, tc := range []struct {
		name, method, path string
		hdr                map[string]string
		code               int
		ctype              string
		encoding           string
		contains           string
	}{
		{"index", "GET", "/", nil, 200, "text/html; charset=utf-8", "", "<html"},
		{"index gzip", "GET", "/", map[string]string{"Accept-Encoding": "gzip, deflate, br"}, 200, "text/html; charset=utf-8", "gzip", "<html"},
		{"index gzip q=0", "GET", "/", map[string]string{"Accept-Encoding": "gzip;q=0, br"}, 200, "text/html; charset=utf-8", "", "<html"},
		{"index star", "GET", "/", map[string]string{"Accept-Encoding": "*"}, 200, "text/html; charset=utf-8", "gzip", "<html"},
		{"index head", "HEAD", "/", nil, 200, "text/html; charset=utf-8", "", ""},
		{"js", "GET", "/assets/app.js", nil, 200, "text/javascript; charset=utf-8", "", "'use strict'"},
		{"js gzip", "GET", "/assets/app.js", map[string]string{"Accept-Encoding": "gzip"}, 200, "text/javascript; charset=utf-8", "gzip", "EventSource"},
		{"css", "GET", "/assets/app.css", nil, 200, "text/css; charset=utf-8", "", "background"},
		{"index by name", "GET", "/assets/index.html", nil, 200, "text/html; charset=utf-8", "", "<html"},
		{"unknown", "GET", "/assets/nope.js", nil, 404, "text/plain; charset=utf-8", "", "not found"},
		{"dir", "GET", "/assets/", nil, 404, "text/plain; charset=utf-8", "", "not found"},
		{"traversal", "GET", "/assets/../web.go", nil, 404, "text/plain; charset=utf-8", "", ""},
		{"other path", "GET", "/api/state", nil, 404, "text/plain; charset=utf-8", "", ""},
		{"post", "POST", "/", nil, 405, "text/plain; charset=utf-8", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, tc.method, tc.path, tc.hdr)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			h := resp.Header
			if got := h.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type %q, want %q", got, tc.ctype)
			}
			if got := h.Get("Content-Encoding"); got != tc.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tc.encoding)
			}
			if got := h.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
				t.Errorf("CSP %q", got)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("security headers missing: %v", h)
			}
			b := body(t, resp)
			if tc.method == "HEAD" && len(b) != 0 {
				t.Errorf("HEAD has a body of %d bytes", len(b))
			}
			if !strings.Contains(string(b), tc.contains) {
				t.Errorf("body does not contain %q", tc.contains)
			}
			if tc.code == 200 {
				if h.Get("Cache-Control") != "no-cache" {
					t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
				}
				if !regexp.MustCompile(`^"[0-9a-f]{16,64}"$`).MatchString(h.Get("ETag")) {
					t.Errorf("ETag %q is not a strong hex tag", h.Get("ETag"))
				}
				if h.Get("Vary") != "Accept-Encoding" {
					t.Errorf("Vary %q", h.Get("Vary"))
				}
				if n := h.Get("Content-Length"); n == "" {
					t.Errorf("no Content-Length")
				}
			}
		})
	}
}

func TestGzipSameAsPlain(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			p := "/assets/" + name
			plainResp := get(t, "GET", p, nil)
			gzResp := get(t, "GET", p, map[string]string{"Accept-Encoding": "gzip"})
			if gzResp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("no gzip for %s", name)
			}
			plain, gz := body(t, plainResp), body(t, gzResp)
			if !bytes.Equal(plain, gz) {
				t.Errorf("gzip body decodes to %d bytes, plain is %d", len(gz), len(plain))
			}
			if plainResp.Header.Get("ETag") == gzResp.Header.Get("ETag") {
				t.Errorf("plain and gzip share ETag %s", plainResp.Header.Get("ETag"))
			}
			want, _ := assetFS.ReadFile("assets/" + name)
			if !bytes.Equal(plain, want) {
				t.Errorf("served %s differs from the embedded file", name)
			}
		})
	}
}

func TestETag(t *testing.T) {
	for _, tc := range []struct {
		name    string
		path    string
		gzip    bool
		inm     func(etag string) string
		code    int
		hasBody bool
	}{
		{"same", "/", false, func(e string) string { return e }, 304, false},
		{"same gzip", "/", true, func(e string) string { return e }, 304, false},
		{"weak", "/assets/app.js", false, func(e string) string { return "W/" + e }, 304, false},
		{"list", "/assets/app.css", false, func(e string) string { return `"x", ` + e }, 304, false},
		{"star", "/assets/app.css", false, func(string) string { return "*" }, 304, false},
		{"other", "/", false, func(string) string { return `"deadbeef"` }, 200, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.gzip {
				hdr["Accept-Encoding"] = "gzip"
			}
			first := get(t, "GET", tc.path, hdr)
			etag := first.Header.Get("ETag")
			hdr["If-None-Match"] = tc.inm(etag)
			resp := get(t, "GET", tc.path, hdr)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			if resp.Header.Get("ETag") != etag {
				t.Errorf("ETag %q, want %q", resp.Header.Get("ETag"), etag)
			}
			b, _ := io.ReadAll(resp.Body)
			if (len(b) > 0) != tc.hasBody {
				t.Errorf("body of %d bytes", len(b))
			}
		})
	}
	// The plain tag does not validate the gzip body.
	plain := get(t, "GET", "/", nil).Header.Get("ETag")
	resp := get(t, "GET", "/", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": plain})
	if resp.StatusCode != 200 {
		t.Errorf("gzip request with the plain ETag: %d, want 200", resp.StatusCode)
	}
}

func TestBudget(t *testing.T) {
	load()
	total, plain := 0, 0
	for _, a := range assets {
		total += len(a.gz.body)
		plain += len(a.plain.body)
	}
	t.Logf("%d assets: %d bytes, %d gzip", len(assets), plain, total)
	if total > 60<<10 {
		t.Errorf("assets are %d bytes gzip, budget 60 KiB", total)
	}
	for _, want := range []string{"index.html", "app.js", "app.css"} {
		if assets[want] == nil {
			t.Errorf("no asset %s", want)
		}
	}
}

func TestNoExternalURLs(t *testing.T) {
	for _, name := range Names() {
		b, _ := assetFS.ReadFile("assets/" + name)
		s := strings.ToLower(string(b))
		for _, bad := range []string{"//cdn", "https://", "http://", "@import", "url(http"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func TestIndexMarkup(t *testing.T) {
	b, err := assetFS.ReadFile("assets/index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, tc := range []struct {
		name string
		re   string
		want bool
	}{
		{"inline script", `(?i)<script(\s[^>]*)?>`, false}, // checked below per tag
		{"style element", `(?i)<style`, false},
		{"style attribute", `(?i)\sstyle\s*=`, false},
		{"on* handler", `(?i)\son[a-z]+\s*=`, false},
		{"javascript: URL", `(?i)javascript:`, false},
		{"color scheme", `<meta name="color-scheme" content="dark">`, true},
		{"favicon", `<link rel="icon" href="data:,">`, true},
		{"viewport", `<meta name="viewport"`, true},
		{"script", `<script src="/assets/app.js" defer></script>`, true},
		{"stylesheet", `<link rel="stylesheet" href="/assets/app.css">`, true},
	} {
		if tc.name == "inline script" {
			for _, m := range regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(html, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("inline script: %q", m[0])
				}
			}
			continue
		}
		if got := regexp.MustCompile(tc.re).MatchString(html); got != tc.want {
			t.Errorf("%s: match %v, want %v", tc.name, got, tc.want)
		}
	}
	// Every local URL is under /assets/ (or a data: URL, or an API path
	// the script uses).
	for _, m := range regexp.MustCompile(`(?i)\s(?:src|href)="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		u := m[1]
		if !strings.HasPrefix(u, "/assets/") && !strings.HasPrefix(u, "/api/") && u != "data:," && !strings.HasPrefix(u, "#") {
			t.Errorf("URL %q is not local", u)
		}
	}
	// The ids the script and the tests rely on.
	for _, id := range []string{"ra", "dec", "alt", "az", "const", "source", "matched", "conn", "power", "site", "time", "gps",
		"frame", "overlay", "align-yes", "align-no", "chart", "search", "guidance", "sep", "infield", "screen", "token", "login"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("no element with id %q", id)
		}
	}
	// The keypad has every key of hw/keypad.
	for _, k := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "plus", "minus", "square", "left", "up", "down", "right"} {
		if !strings.Contains(html, `data-key="`+k+`"`) {
			t.Errorf("no key %q on the keypad", k)
		}
	}
}

func TestNoWhiteInNightTheme(t *testing.T) {
	b, _ := assetFS.ReadFile("assets/app.css")
	css := strings.ToLower(string(b))
	// The night theme is the default: the rules before the day theme's
	// must not use white or other bright non-red colours.
	night, _, found := strings.Cut(css, "/* day theme */")
	if !found {
		t.Fatal("no /* day theme */ marker in app.css")
	}
	for _, bad := range []string{"#fff", "white", "#eee", "#ddd"} {
		if strings.Contains(night, bad) {
			t.Errorf("night CSS contains %q", bad)
		}
	}
	if !strings.Contains(css, "html{") && !strings.Contains(css, "html {") {
		t.Errorf("no html rule (background against the white flash)")
	}
}
