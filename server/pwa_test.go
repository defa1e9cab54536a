package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	ui "beredskap/app"
	"beredskap/app/shift"
	"beredskap/app/vault"
)

var routesOnce sync.Once

func staticFS(wasm string) fstest.MapFS {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(wasm))
	w.Close()
	return fstest.MapFS{
		"app.wasm":              {Data: []byte(wasm)},
		"app.wasm.br":           {Data: []byte("BROTLI:" + wasm)},
		"app.wasm.gz":           {Data: gz.Bytes()},
		"app.css":               {Data: []byte("body{}")},
		"icon-192.png":          {Data: []byte("png")},
		"icon-512.png":          {Data: []byte("png")},
		"icon-maskable-512.png": {Data: []byte("png")},
		"icon.svg":              {Data: []byte("<svg/>")},
		"apple-touch-icon.png":  {Data: []byte("png")},
		"boot.js":               {Data: []byte("// boot")},
		"embed.go":              {Data: []byte("package web")},
	}
}

func appServer(t *testing.T, fsys fstest.MapFS) *httptest.Server {
	t.Helper()
	routesOnce.Do(func() { ui.Routes(shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{})) })
	h, err := NewAppHandler(AppOptions{Static: fsys})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(New(Config{}, nil, nil, h).Handler())
	t.Cleanup(hs.Close)
	return hs
}

func get(t *testing.T, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	// A transport that does not decompress, so the test sees the bytes sent.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestWasmIsServedPrecompressed(t *testing.T) {
	wasm := strings.Repeat("\x00asm", 1000)
	hs := appServer(t, staticFS(wasm))
	cases := []struct {
		accept, encoding, bodyPrefix string
	}{
		{"gzip, deflate, br, zstd", "br", "BROTLI:"},
		{"gzip", "gzip", "\x1f\x8b"},
		{"br;q=0, gzip", "gzip", "\x1f\x8b"},
		{"", "", "\x00asm"},
		{"identity", "", "\x00asm"},
	}
	for _, c := range cases {
		resp, body := get(t, hs.URL+"/web/app.wasm", c.accept)
		if resp.StatusCode != 200 {
			t.Fatalf("%q: %d", c.accept, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Encoding"); got != c.encoding {
			t.Errorf("%q: Content-Encoding %q, want %q", c.accept, got, c.encoding)
		}
		if !strings.HasPrefix(string(body), c.bodyPrefix) {
			t.Errorf("%q: body starts %q", c.accept, body[:8])
		}
		if resp.Header.Get("Content-Type") != "application/wasm" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%q: headers %v", c.accept, resp.Header)
		}
		if resp.ContentLength != int64(len(body)) {
			t.Errorf("%q: Content-Length %d for %d bytes", c.accept, resp.ContentLength, len(body))
		}
	}
	// go-app's progress bar counts decoded bytes against this.
	_, appJS := get(t, hs.URL+"/app.js", "")
	if !strings.Contains(string(appJS), `const goappWasmContentLength = "4000"`) {
		t.Fatal("app.js does not carry the raw wasm size")
	}
}

func TestStaticFilesRefuseSourceAndCompressedNames(t *testing.T) {
	hs := appServer(t, staticFS("wasm"))
	for _, p := range []string{"/web/embed.go", "/web/app.wasm.br", "/web/app.wasm.gz", "/web/missing.png", "/web/../server.go", "/web/%2e%2e/server.go"} {
		resp, body := get(t, hs.URL+p, "")
		if resp.StatusCode == 200 {
			t.Errorf("%s: 200 %q", p, body)
		}
	}
}

func TestVersionFollowsContent(t *testing.T) {
	a, err := contentVersion(staticFS("one"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := contentVersion(staticFS("one"))
	c, _ := contentVersion(staticFS("two"))
	if a != b || a == c || len(a) != 16 {
		t.Fatalf("versions %q %q %q", a, b, c)
	}
}

func TestServiceWorkerAndManifest(t *testing.T) {
	hs := appServer(t, staticFS("wasm"))
	_, worker := get(t, hs.URL+"/app-worker.js", "")
	w := string(worker)
	for _, want := range []string{"event.waitUntil", `request.mode === "navigate"`, `caches.match("/"`, `url.pathname.startsWith("/api/")`, `"/web/app.wasm"`} {
		if !strings.Contains(w, want) {
			t.Errorf("worker lacks %q", want)
		}
	}
	if strings.Contains(w, "githubusercontent") || strings.Contains(w, "http://") || strings.Contains(w, "https://") {
		t.Error("worker caches a remote URL: one unreachable URL empties the whole cache")
	}
	var resources []string
	start := strings.Index(w, "const resourcesToCache = ") + len("const resourcesToCache = ")
	end := strings.Index(w[start:], ";")
	if err := json.Unmarshal([]byte(w[start:start+end]), &resources); err != nil {
		t.Fatal(err)
	}
	for _, r := range resources {
		resp, _ := get(t, hs.URL+r, "gzip")
		if resp.StatusCode != 200 {
			t.Errorf("cached resource %s answers %d: the worker install would fail", r, resp.StatusCode)
		}
	}
	_, manifest := get(t, hs.URL+"/manifest.webmanifest", "")
	if strings.Contains(string(manifest), "http") {
		t.Errorf("manifest points outside: %s", manifest)
	}
}

func TestPagesAndDeepLinks(t *testing.T) {
	hs := appServer(t, staticFS("wasm"))
	cases := []struct {
		path   string
		status int
	}{
		{"/", 200},
		{"/routines", 200},
		{"/routines/0190b6a2-0000-7000-8000-000000000000", 200},
		{"/visits/0190b6a2-0000-7000-8000-000000000000", 200},
		{"/no/such/page", 404},
	}
	for _, c := range cases {
		resp, body := get(t, hs.URL+c.path, "")
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d", c.path, resp.StatusCode)
		}
		if c.status == 200 && strings.Contains(string(body), "<script>") {
			t.Errorf("%s: the page has an inline script, which the CSP forbids", c.path)
		}
	}
}
