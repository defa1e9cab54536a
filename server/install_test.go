package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"beredskap/internal/i18n"
	"beredskap/web"
)

// realWebFS is the shipped web directory (icons, style sheet, boot.js)
// with a stand-in app.wasm, which is only there after make wasm.
func realWebFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := staticFS("\x00asm")
	err := fs.WalkDir(web.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "app.wasm") {
			return err
		}
		b, err := fs.ReadFile(web.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestInstallable checks what "add to home screen" needs: a manifest with
// names, colours, a standalone display and the icons (192 and 512 px, a
// maskable one, the SVG), each of which answers with an image of its
// stated size; and the iOS home-screen icon, referenced from the page.
func TestInstallable(t *testing.T) {
	hs := appServer(t, realWebFS(t))
	resp, body := get(t, hs.URL+"/manifest.webmanifest", "")
	if resp.StatusCode != 200 {
		t.Fatalf("manifest: %d", resp.StatusCode)
	}
	var m struct {
		Name            string `json:"name"`
		ShortName       string `json:"short_name"`
		StartURL        string `json:"start_url"`
		Display         string `json:"display"`
		Scope           string `json:"scope"`
		BackgroundColor string `json:"background_color"`
		ThemeColor      string `json:"theme_color"`
		Icons           []struct {
			Src     string `json:"src"`
			Type    string `json:"type"`
			Purpose string `json:"purpose"`
			Sizes   string `json:"sizes"`
		} `json:"icons"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest: %v: %s", err, body)
	}
	hex := regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	switch {
	case m.Name != "Beredskap" || m.ShortName != "Beredskap":
		t.Errorf("names %q / %q", m.Name, m.ShortName)
	case m.Display != "standalone" || m.StartURL != "/" || m.Scope != "/":
		t.Errorf("display %q, start %q, scope %q", m.Display, m.StartURL, m.Scope)
	case !hex.MatchString(m.ThemeColor) || !hex.MatchString(m.BackgroundColor):
		t.Errorf("colours %q / %q", m.ThemeColor, m.BackgroundColor)
	}

	want := map[string]bool{"192x192 any": false, "512x512 any": false, "512x512 maskable": false, "any svg": false}
	for _, ic := range m.Icons {
		resp, img := get(t, hs.URL+ic.Src, "")
		if resp.StatusCode != 200 {
			t.Errorf("icon %s: %d", ic.Src, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != ic.Type {
			t.Errorf("icon %s: Content-Type %q, manifest says %q", ic.Src, got, ic.Type)
		}
		purpose := ic.Purpose
		if purpose == "" {
			purpose = "any"
		}
		switch ic.Type {
		case "image/png":
			cfg, err := png.DecodeConfig(bytes.NewReader(img))
			if err != nil {
				t.Errorf("icon %s is not a PNG: %v", ic.Src, err)
				continue
			}
			if got := fmt.Sprintf("%dx%d", cfg.Width, cfg.Height); got != ic.Sizes {
				t.Errorf("icon %s is %s, manifest says %s", ic.Src, got, ic.Sizes)
			}
			want[ic.Sizes+" "+purpose] = true
		case "image/svg+xml":
			if !bytes.HasPrefix(bytes.TrimSpace(img), []byte("<svg")) {
				t.Errorf("icon %s is not an SVG", ic.Src)
			}
			want["any svg"] = true
		default:
			t.Errorf("icon %s has type %q", ic.Src, ic.Type)
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("the manifest has no %s icon", k)
		}
	}

	// iOS reads its home-screen icon from the page, not the manifest.
	_, page := get(t, hs.URL+"/", "")
	link := regexp.MustCompile(`<link rel="apple-touch-icon" sizes="180x180" href="([^"]+)"`).FindSubmatch(page)
	if link == nil {
		t.Fatal("the page has no 180×180 apple-touch-icon")
	}
	resp, img := get(t, hs.URL+string(link[1]), "")
	if cfg, err := png.DecodeConfig(bytes.NewReader(img)); resp.StatusCode != 200 || err != nil || cfg.Width != 180 || cfg.Height != 180 {
		t.Errorf("apple-touch-icon %s: %d, %v, %dx%d", link[1], resp.StatusCode, err, cfg.Width, cfg.Height)
	}
}

// TestLoadingScreen checks the page the phone shows while the wasm
// downloads: boot.js runs in <head> before the first paint, the loading
// line is there in every language from the catalogue, and go-app's label
// is the bare percentage that boot.js turns into a progress bar.
func TestLoadingScreen(t *testing.T) {
	hs := appServer(t, realWebFS(t))
	_, page := get(t, hs.URL+"/", "")
	p := string(page)
	head, _, _ := strings.Cut(p, "</head>")
	if !regexp.MustCompile(`<script src="/web/boot.js"\s*>`).MatchString(head) {
		t.Error("boot.js is not a blocking script in <head>: the theme would come after the first paint")
	}
	m := regexp.MustCompile(`<meta name="beredskap-loading" content="([^"]+)"`).FindStringSubmatch(head)
	if m == nil {
		t.Fatal("no loading texts in the page")
	}
	var texts map[string]string
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &texts); err != nil {
		t.Fatalf("loading texts: %v", err)
	}
	for _, l := range i18n.Languages() {
		if texts[l] == "" || texts[l] != i18n.T(l, "app.loading_wasm") {
			t.Errorf("loading text %s: %q", l, texts[l])
		}
	}
	if !strings.Contains(p, `id="app-wasm-loader-label"`) {
		t.Error("go-app's loader is not in the page")
	}
	_, appJS := get(t, hs.URL+"/app.js", "")
	if !strings.Contains(string(appJS), `const goappLoadingLabel = "{progress} %"`) {
		t.Error("app.js does not show the bare percentage")
	}
	resp, js := get(t, hs.URL+"/web/boot.js", "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("boot.js: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`"beredskap.theme"`, `"beredskap.lang"`, `"data-theme"`, "app-wasm-loader-label", `meta[name="beredskap-loading"]`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("boot.js lacks %s", want)
		}
	}
}
