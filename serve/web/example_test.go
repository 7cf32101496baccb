package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/pifinder-go/pifinder/serve/web"
)

// The page handler answers GET / with index.html, compressed for clients
// that accept gzip; serve/api mounts it as Config.Page.
func ExampleHandler() {
	h := web.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Encoding"))

	// Revalidation with the ETag: 304, no body.
	req2 := httptest.NewRequest(http.MethodGet, "/", nil)
	req2.Header.Set("Accept-Encoding", "gzip")
	req2.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec2 := httptest.NewRecorder()
	h.ServeHTTP(rec2, req2)
	fmt.Println(rec2.Code, rec2.Body.Len())
	// Output:
	// 200 text/html; charset=utf-8 gzip
	// 304 0
}
