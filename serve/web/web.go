package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed assets
var assetFS embed.FS

// ContentSecurityPolicy is the Content-Security-Policy of every reply: the
// page's own files only, no inline script or style, and no framing.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// representation is one encoding of an asset.
type representation struct {
	body []byte
	etag string // strong: a quoted SHA-256 prefix of body
}

// asset is one embedded file, plain and gzip-compressed.
type asset struct {
	name       string
	ctype      string
	plain, gz  representation
	compressed bool // gz is smaller than plain and worth sending
}

var (
	loadOnce sync.Once
	assets   map[string]*asset // by file name under assets/
	loadErr  error             // why the embedded files could not be read (never, in a built binary)
)

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	_, _ = zw.Write(b) // a bytes.Buffer does not fail
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// load reads and compresses the embedded files, once.
func load() {
	loadOnce.Do(func() {
		assets = map[string]*asset{}
		entries, err := fs.ReadDir(assetFS, "assets")
		if err != nil {
			loadErr = fmt.Errorf("web: embedded assets: %w", err)
			return
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := assetFS.ReadFile("assets/" + e.Name())
			if err == nil {
				var gz []byte
				if gz, err = gzipBytes(b); err == nil {
					a := &asset{name: e.Name(), ctype: contentType(e.Name()), plain: representation{body: b, etag: etagOf(b)}}
					a.gz = representation{body: gz, etag: etagOf(gz)}
					a.compressed = len(gz) < len(b)
					assets[e.Name()] = a
					continue
				}
			}
			loadErr = fmt.Errorf("web: embedded asset %s: %w", e.Name(), err)
			return
		}
	})
}

// Names returns the names of the embedded assets (index.html, app.js...).
func Names() []string {
	load()
	out := make([]string, 0, len(assets))
	for n := range assets {
		out = append(out, n)
	}
	return out
}

// Handler serves the page: GET / is index.html, GET /assets/<file> the
// other files; HEAD too. It sends the gzip form to clients that accept it,
// answers If-None-Match with 304, and an unknown path with a plain 404.
func Handler() http.Handler {
	// The files are compressed on the first request, not at start: the
	// compressor's buffers would add a megabyte to the start-up peak.
	return http.HandlerFunc(serve)
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("404 page not found\n"))
}

func serve(w http.ResponseWriter, r *http.Request) {
	load()
	h := w.Header()
	securityHeaders(h)
	if loadErr != nil {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(loadErr.Error() + "\n"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = w.Write([]byte("method not allowed\n"))
		return
	}
	var name string
	switch p := r.URL.Path; {
	case p == "/" || p == "":
		name = "index.html"
	case strings.HasPrefix(p, "/assets/"):
		name = strings.TrimPrefix(p, "/assets/")
	}
	a := assets[name]
	if name == "" || strings.Contains(name, "/") || a == nil {
		notFound(w)
		return
	}
	rep := a.plain
	if a.compressed {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			rep = a.gz
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", rep.etag)
	h.Set("Cache-Control", "no-cache")
	if matches(r.Header.Values("If-None-Match"), rep.etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(rep.body)
	}
}

// acceptsGzip reports whether Accept-Encoding values accept gzip: named
// (or x-gzip, or *) with a q-value other than 0.
func acceptsGzip(values []string) bool {
	star, gz := false, -1
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			ok := qNonZero(params)
			switch coding {
			case "gzip", "x-gzip":
				if ok {
					gz = 1
				} else if gz < 0 {
					gz = 0
				}
			case "*":
				star = ok
			}
		}
	}
	if gz >= 0 {
		return gz == 1
	}
	return star
}

// qNonZero reads the parameters of one Accept-Encoding item: false only
// for q=0 (0, 0.0, 0.00...).
func qNonZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err != nil || q > 0
	}
	return true
}

// matches reports whether If-None-Match values name etag (weak
// comparison, as RFC 9110 wants for If-None-Match) or are "*".
func matches(values []string, etag string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}
