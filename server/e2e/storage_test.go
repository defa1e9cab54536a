package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestStorageWarningSurvivesReload: where the browser will not keep the
// phone's data (persisted() answers false, or there is no
// navigator.storage at all, as in some WebKit builds) the warning shows
// after the PIN is chosen and again after every reload, online and off.
func TestStorageWarningSurvivesReload(t *testing.T) {
	for _, tc := range []struct{ name, stub string }{
		{"not persisted", `(() => {
			const s = navigator.storage;
			s.persisted = () => Promise.resolve(false);
			s.persist = () => Promise.resolve(false);
		})()`},
		{"no navigator.storage", `delete Navigator.prototype.storage;`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t)
			ctx := browser(t)
			c, cancel := context30(ctx)
			defer cancel()
			if _, err := chromedp.Call(c, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: tc.stub}); err != nil {
				t.Fatal(err)
			}
			loginWithPIN(t, ctx, srv, "anna", "246810")
			within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("storage-warning")))
			waitServiceWorker(t, ctx)

			within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
			unlock(t, ctx, "246810")
			within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")), chromedp.WaitVisible(sel("storage-warning")))

			srv.stop()
			within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
			unlock(t, ctx, "246810")
			within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")), chromedp.WaitVisible(sel("storage-warning")))
		})
	}
}

func context30(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 30*time.Second)
}
