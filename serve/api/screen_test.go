package api

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/statetest"
)

// fakeScreen is a Screen whose image the test sets and whose keys it reads.
type fakeScreen struct {
	mu     sync.Mutex
	img    image.Image
	ver    uint64
	keys   []keypad.Event
	keyErr error
}

func (f *fakeScreen) Latest() (image.Image, uint64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.img, f.ver, f.img != nil
}

func (f *fakeScreen) Key(ctx context.Context, ev keypad.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keyErr != nil {
		return f.keyErr
	}
	f.keys = append(f.keys, ev)
	return nil
}

func (f *fakeScreen) set(img image.Image) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.img, f.ver = img, f.ver+1
}

func (f *fakeScreen) pressed() []keypad.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]keypad.Event, len(f.keys))
	for i, e := range f.keys {
		e.Time = e.Time.Truncate(0)
		out[i] = keypad.Event{Key: e.Key, Kind: e.Kind, Square: e.Square}
	}
	return out
}

// redScreen is a 128×128 image with one lit pixel per call's pattern.
func redScreen(x int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 128, 128))
	for i := range img.Pix {
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	img.Set(x, 5, color.RGBA{R: 200, A: 255})
	return img
}

func TestScreenPNG(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	scr := &fakeScreen{}
	base := serve(t, Config{Store: store, Screen: scr})

	if code, b := do(t, "GET", base+"/api/screen.png", ""); code != 503 || !strings.Contains(errorOf(t, b), "not been drawn") {
		t.Fatalf("before the first draw: %d %s, want 503", code, b)
	}
	want := redScreen(17)
	scr.set(want)
	resp, err := http.Get(base + "/api/screen.png")
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	for y := 0; y < 128; y++ {
		for x := 0; x < 128; x++ {
			if g, w := color.RGBAModel.Convert(got.At(x, y)), want.At(x, y); g != w {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, g, w)
			}
		}
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if code, _ := do(t, "GET", base+"/api/screen.png", "", "If-None-Match", etag); code != 304 {
		t.Errorf("same screen with its ETag: %d, want 304", code)
	}
	scr.set(redScreen(18))
	if code, _ := do(t, "GET", base+"/api/screen.png", "", "If-None-Match", etag); code != 200 {
		t.Errorf("new screen with the old ETag: %d, want 200", code)
	}
	if code, b := do(t, "HEAD", base+"/api/screen.png", ""); code != 200 || len(b) != 0 {
		t.Errorf("HEAD: %d with %d bytes", code, len(b))
	}
}

func TestScreenAbsent(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	base := serve(t, Config{Store: store, Token: token})
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/screen.png", ""},
		{"POST", "/api/keys", `{"key":"up"}`},
	} {
		if code, b := do(t, r.method, base+r.path, r.body, "X-API-Token", token); code != 404 || !strings.Contains(errorOf(t, b), "--display") {
			t.Errorf("%s %s without a screen: %d %s, want 404 naming --display", r.method, r.path, code, b)
		}
	}
}

// TestKeys: the bodies and who may press keys (the token, or with no token
// configured the machine itself).
func TestKeys(t *testing.T) {
	const self, other = "127.0.0.1:50000", "192.0.2.7:50000"
	cases := []struct {
		name      string
		token     string // configured
		peer      string
		hdr       []string
		body      string
		code      int
		want      []keypad.Event
		errSubstr string
	}{
		{"press", "", self, nil, `{"key":"up"}`, 204, []keypad.Event{{Key: keypad.KeyUp, Kind: keypad.Press}}, ""},
		{"long", "", self, nil, `{"key":"right","kind":"long"}`, 204, []keypad.Event{{Key: keypad.KeyRight, Kind: keypad.Long}}, ""},
		{"chord", "", self, nil, `{"key":"5","square":true}`, 204, []keypad.Event{{Key: keypad.Key5, Kind: keypad.Press, Square: true}}, ""},
		{"repeat", "", self, nil, `{"key":"down","kind":"repeat"}`, 204, []keypad.Event{{Key: keypad.KeyDown, Kind: keypad.Repeat}}, ""},
		{"unknown key", "", self, nil, `{"key":"enter"}`, 400, nil, "unknown key"},
		{"upper case", "", self, nil, `{"key":"UP"}`, 400, nil, "unknown key"},
		{"no key", "", self, nil, `{}`, 400, nil, "unknown key"},
		{"unknown kind", "", self, nil, `{"key":"up","kind":"double"}`, 400, nil, "kind"},
		{"square chord on square", "", self, nil, `{"key":"square","square":true}`, 400, nil, "another key"},
		{"unknown field", "", self, nil, `{"key":"up","x":1}`, 400, nil, "unknown field"},
		{"not JSON", "", self, nil, `up`, 400, nil, "bad JSON"},
		{"too big", "", self, nil, `{"key":"up","kind":"` + strings.Repeat("a", 70<<10) + `"}`, 413, nil, "larger than"},
		{"cross-site from this machine", "", self, []string{"Sec-Fetch-Site", "cross-site"}, `{"key":"up"}`, 403, nil, "cross-site"},
		{"another machine, no token configured", "", other, nil, `{"key":"up"}`, 403, nil, "--api-token"},
		{"another machine with the token", token, other, []string{"Authorization", "Bearer " + token}, `{"key":"1"}`, 204, []keypad.Event{{Key: keypad.Key1, Kind: keypad.Press}}, ""},
		{"token configured, none sent, this machine", token, self, nil, `{"key":"up"}`, 401, nil, "token"},
		{"token configured, wrong one", token, other, []string{"X-API-Token", "nope"}, `{"key":"up"}`, 401, nil, "token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := statetest.Run(t, state.Default())
			scr := &fakeScreen{}
			srv := New(Config{Store: store, Token: tc.token, Screen: scr})
			local, _ := net.ResolveTCPAddr("tcp", "127.0.0.1:8080")
			if tc.peer == other {
				local, _ = net.ResolveTCPAddr("tcp", "192.0.2.1:8080")
			}
			ctx := context.WithValue(context.Background(), http.LocalAddrContextKey, local)
			req := httptest.NewRequestWithContext(ctx, "POST", "/api/keys", strings.NewReader(tc.body))
			req.Host, req.RemoteAddr = "127.0.0.1:8080", tc.peer
			for i := 0; i+1 < len(tc.hdr); i += 2 {
				req.Header.Set(tc.hdr[i], tc.hdr[i+1])
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if tc.errSubstr != "" && !strings.Contains(errorOf(t, rec.Body.Bytes()), tc.errSubstr) {
				t.Errorf("error %s does not say %q", rec.Body, tc.errSubstr)
			}
			if diff := cmp.Diff(tc.want, scr.pressed(), cmp.Comparer(func(a, b keypad.Event) bool { return a == b })); tc.want != nil && diff != "" {
				t.Errorf("keys delivered (-want +got):\n%s", diff)
			}
			if tc.want == nil && len(scr.pressed()) != 0 {
				t.Errorf("a refused request delivered keys %v", scr.pressed())
			}
		})
	}
}

func TestKeysScreenStuck(t *testing.T) {
	store, _ := statetest.Run(t, state.Default())
	scr := &fakeScreen{keyErr: errors.New("queue full")}
	base := serve(t, Config{Store: store, Screen: scr})
	if code, b := do(t, "POST", base+"/api/keys", `{"key":"up"}`); code != 503 || !strings.Contains(errorOf(t, b), "queue full") {
		t.Errorf("stuck screen: %d %s, want 503 with the cause", code, b)
	}
	if code, _ := do(t, "GET", base+"/api/keys", ""); code != 405 {
		t.Errorf("GET /api/keys: %d, want 405", code)
	}
}

func FuzzKeyBody(f *testing.F) {
	for _, s := range []string{`{"key":"up"}`, `{"key":"5","square":true,"kind":"long"}`, `{"key":""}`, `[]`, `{"key":"square","square":true}`} {
		f.Add(s)
	}
	store, _ := statetest.Run(f, state.Default())
	scr := &fakeScreen{}
	srv := New(Config{Store: store, Screen: scr})
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/keys", strings.NewReader(body))
		req.Host, req.RemoteAddr = "127.0.0.1:8080", "127.0.0.1:5000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 204, 400, 413:
		default:
			t.Fatalf("body %q: status %d %s", body, rec.Code, rec.Body)
		}
		if rec.Code != 204 {
			errorOf(t, rec.Body.Bytes())
		}
	})
}

// checkPostKeys is FuzzMutatingBodies' rule for POST /api/keys: a key is
// taken (204) exactly when the body is one valid key request, and the
// state is never touched (keys go to the screen).
func checkPostKeys(t *testing.T, body string, rec *httptest.ResponseRecorder, before, after state.State) {
	var q keyRequest
	d := json.NewDecoder(strings.NewReader(body))
	d.DisallowUnknownFields()
	err := d.Decode(&q)
	if err == nil {
		if _, terr := d.Token(); terr != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		_, err = parseKeyRequest(q)
	}
	switch {
	case rec.Code == http.StatusNoContent && err != nil:
		t.Fatalf("keys %q accepted, but it is not a valid key request: %v", body, err)
	case rec.Code == http.StatusBadRequest || rec.Code == http.StatusRequestEntityTooLarge:
		if err == nil && len(body) < 60<<10 {
			t.Fatalf("keys %q refused (%d: %s), but it is valid", body, rec.Code, rec.Body)
		}
	case rec.Code != http.StatusNoContent:
		t.Fatalf("keys %q: status %d: %s", body, rec.Code, rec.Body)
	}
	if after.Version != before.Version {
		t.Errorf("keys %q changed the state", body)
	}
}
