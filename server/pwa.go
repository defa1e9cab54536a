package server

import (
	"crypto/sha256"
	_ "embed" // the service worker template
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/internal/i18n"
)

//go:embed worker.js
var workerTemplate string

// AppOptions configure the app handler.
type AppOptions struct {
	// Static holds the web directory: app.css, icons, app.wasm (+ .br, .gz).
	Static fs.FS
	// Lang is the page's default language.
	Lang string
}

// NewAppHandler returns the go-app handler that serves the PWA: the page
// shell, app.js, the service worker, the manifest and /web/* from the
// embedded files. Routes must already be registered (app.Routes).
func NewAppHandler(o AppOptions) (http.Handler, error) {
	wasm, err := fs.Stat(o.Static, "app.wasm")
	if err != nil {
		return nil, fmt.Errorf("app handler: web/app.wasm is missing (run make wasm): %w", err)
	}
	version, err := contentVersion(o.Static)
	if err != nil {
		return nil, fmt.Errorf("app handler: %w", err)
	}
	lang := o.Lang
	if lang == "" {
		lang = "nb"
	}
	return &app.Handler{
		Name:        "Beredskap",
		ShortName:   "Beredskap",
		Title:       "Beredskap",
		Description: "Home care when the systems are down",
		Lang:        lang,
		Icon: app.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-maskable-512.png",
			SVG:      "/web/icon.svg",
		},
		Styles: []string{"/web/app.css"},
		// boot.js runs in <head> before anything is drawn: the chosen theme
		// and language, and a progress bar on the loading screen.
		Scripts:            []string{"/web/boot.js"},
		CacheableResources: []string{"/web/icon.svg", "/web/apple-touch-icon.png"},
		RawHeaders:         pageHeaders(),
		ThemeColor:         "#0b3d5c",
		BackgroundColor:    "#0b3d5c",
		// Only the number: boot.js puts a line in the user's language
		// above it, which the server cannot know.
		LoadingLabel:          "{progress} %",
		Version:               version,
		WasmContentLength:     strconv.FormatInt(wasm.Size(), 10),
		Resources:             staticFiles{fsys: o.Static},
		ServiceWorkerTemplate: workerTemplate,
	}, nil
}

// pageHeaders are extra tags for the page's <head>: the loading screen's
// line in each language (boot.js picks the user's), and the icon iOS puts
// on the home screen, which go-app's Icon has no field for (it would use
// the 512 px maskable icon, whose safe-zone padding looks small there).
func pageHeaders() []string {
	loading := map[string]string{}
	for _, l := range i18n.Languages() {
		loading[l] = i18n.T(l, "app.loading_wasm")
	}
	b, _ := json.Marshal(loading) // a map of strings always encodes
	return []string{
		`<meta name="beredskap-loading" content="` + html.EscapeString(string(b)) + `">`,
		`<meta name="apple-mobile-web-app-title" content="Beredskap">`,
		`<link rel="apple-touch-icon" sizes="180x180" href="/web/apple-touch-icon.png">`,
	}
}

// contentVersion hashes every embedded file and the worker, so that the
// app's version changes exactly when what phones cache changes.
func contentVersion(fsys fs.FS) (string, error) {
	h := sha256.New()
	io.WriteString(h, workerTemplate)
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash web files: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		f, err := fsys.Open(n)
		if err != nil {
			return "", fmt.Errorf("hash web files: %w", err)
		}
		fmt.Fprintf(h, "%s\x00", n)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("hash web files: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// staticFiles serves /web/* from the embedded files. go-app hands it
// every /web/ request because it is also an http.Handler.
type staticFiles struct{ fsys fs.FS }

// Resolve keeps paths as they are: everything is served from the origin
// root.
func (staticFiles) Resolve(p string) string {
	if p == "" {
		return "/"
	}
	if strings.HasPrefix(p, "web/") {
		return "/" + p
	}
	return p
}

// ServeHTTP serves one file. app.wasm goes out precompressed when the
// browser takes brotli or gzip; go-app's progress bar counts decoded bytes
// against WasmContentLength, so the compressed length is fine.
func (s staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/web/")
	if name == "" || strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
		http.NotFound(w, r)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".wasm" {
		ctype = "application/wasm"
	}
	served := name
	if name == "app.wasm" {
		w.Header().Add("Vary", "Accept-Encoding")
		accept := r.Header.Get("Accept-Encoding")
		for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if acceptsEncoding(accept, enc.token) {
				if _, err := fs.Stat(s.fsys, name+enc.ext); err == nil {
					served = name + enc.ext
					w.Header().Set("Content-Encoding", enc.token)
					break
				}
			}
		}
	}
	b, err := fs.ReadFile(s.fsys, served)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b)
}

// acceptsEncoding reports whether an Accept-Encoding header takes token
// with a non-zero quality.
func acceptsEncoding(header, token string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), token) {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}
