package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// copyWeb copies the app's files (not the Go source) into a directory the
// test may change, served with --static-dir.
func copyWeb(t *testing.T) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "web")
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// cacheNames lists the service worker's caches.
func cacheNames(t *testing.T, ctx context.Context) []string {
	return eval[[]string](t, ctx, `caches.keys()`)
}

// TestUpdateNeverBreaksOffline: a new version whose download fails leaves
// the working cache alone (the phone still boots offline), and a complete
// new version is announced and taken on reload.
func TestUpdateNeverBreaksOffline(t *testing.T) {
	web := copyWeb(t)
	srv := startServer(t, "--static-dir", web)
	ctx := browser(t)
	within(t, ctx, 60*time.Second, chromedp.Navigate(srv.url("/")), chromedp.WaitVisible(mounted))
	waitServiceWorker(t, ctx)
	v1 := cacheNames(t, ctx)
	if len(v1) != 1 {
		t.Fatalf("caches after first visit: %v", v1)
	}

	// A broken update: the style sheet changed (new version) but an icon
	// is missing, so the new worker cannot cache the whole app.
	srv.stop()
	appendFile(t, filepath.Join(web, "app.css"), "\n/* v2 */\n")
	icon := filepath.Join(web, "icon-512.png")
	iconBytes, err := os.ReadFile(icon)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(icon); err != nil {
		t.Fatal(err)
	}
	srv.start()
	state := eval[string](t, ctx, `(async () => {
		const reg = await navigator.serviceWorker.getRegistration();
		try { await reg.update(); } catch (e) { return "update rejected: " + e.name; }
		const w = reg.installing;
		if (!w) return "no install";
		return await new Promise(res => {
			if (w.state === "redundant") return res("redundant");
			w.addEventListener("statechange", () => { if (w.state === "redundant" || w.state === "activated") res(w.state); });
		});
	})()`)
	if state != "redundant" && !strings.HasPrefix(state, "update rejected") {
		t.Fatalf("broken update ended as %q, want the new worker discarded", state)
	}
	if got := cacheNames(t, ctx); strings.Join(got, ",") != strings.Join(v1, ",") {
		t.Fatalf("caches after a failed update: %v, want %v", got, v1)
	}
	srv.stop()
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	shot(t, ctx, "offline-after-failed-update")

	// A complete update: announced, and taken on reload.
	if err := os.WriteFile(icon, iconBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	srv.start()
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	within(t, ctx, 60*time.Second, chromedp.WaitVisible(sel("update-ready")))
	shot(t, ctx, "update-ready")
	within(t, ctx, 60*time.Second, click(sel("update-ready")+" button"), chromedp.WaitVisible(mounted))
	got := cacheNames(t, ctx)
	if len(got) != 1 || got[0] == v1[0] {
		t.Fatalf("caches after the update: %v (was %v)", got, v1)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestFirstVisitShowsNoUpdateBanner: when the first worker activates after
// clients.claim() has already given the page a controller, go-app's app.js
// calls goappOnUpdate() as if a new version had come (WebKit nearly always
// sees that order, Firefox sometimes, Chromium almost never, so the test
// makes the call itself, exactly as app.js does). The page booted with the
// worker's own version: no banner.
func TestFirstVisitShowsNoUpdateBanner(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	within(t, ctx, 60*time.Second, chromedp.Navigate(srv.url("/")), chromedp.WaitVisible(mounted))
	waitServiceWorker(t, ctx)
	if !eval[bool](t, ctx, `(goappOnUpdate(), true)`) {
		t.Fatal("goappOnUpdate did not run")
	}
	// Done when the app has its answer (or, as before this fix, shows the
	// banner at once).
	waitFor(t, ctx, `Number(document.querySelector('[data-mounted="true"]').dataset.updateChecks) >= 1 ||
		!!document.querySelector('[data-testid="update-ready"]')`)
	if n := count(t, ctx, "update-ready"); n != 0 {
		shot(t, ctx, "spurious-update")
		t.Fatalf("the first visit shows the update banner (%d)", n)
	}
}
