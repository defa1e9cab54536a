package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestHeaders(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		path    string
		noStore bool
	}{
		{"/healthz", true},
		{"/api/v1/bundle", true},
		{"/api/v1/nope", true},
		{"/robots.txt", false},
	}
	for _, c := range cases {
		resp, err := http.Get(e.http.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "'wasm-unsafe-eval'") || strings.Contains(csp, "'unsafe-eval'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", c.path, csp)
		}
		for _, h := range []string{"X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s: no %s", c.path, h)
			}
		}
		if got := resp.Header.Get("Cache-Control") == "no-store"; got != c.noStore {
			t.Errorf("%s: Cache-Control %q", c.path, resp.Header.Get("Cache-Control"))
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS on plain HTTP", c.path)
		}
	}
}

func TestUnknownAPIPathIsJSON(t *testing.T) {
	e := newEnv(t)
	for _, m := range []string{"GET", "POST", "PUT"} {
		code, raw := e.call(m, "/api/v1/nothing-here", "", nil, nil)
		if code != 404 || errorCode(t, raw) != "not_found" {
			t.Fatalf("%s: %d %s", m, code, raw)
		}
	}
}
