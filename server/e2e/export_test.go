package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestExportDownloads: a coordinator exports the records table as CSV and
// as FHIR from the office page; the progress shows while the answer
// streams in, the browser saves each file whole, and the bar says how many
// records it holds, the same number the file has.
func TestExportDownloads(t *testing.T) {
	srv := startServer(t)
	d := setupDevice(t, srv, "anna", 3000)
	for len(d.pending) > 0 {
		if refused, err := d.syncOnce(srv.url("")); err != nil || refused {
			t.Fatalf("sync: %v (refused %v)", err, refused)
		}
	}
	dir := t.TempDir()
	ctx := desk(t)
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/office/records")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")),
		chromedp.SendKeys(sel("username"), "kari"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("record-row")),
	)
	for _, c := range []struct{ button, suffix string }{{"export-csv", ".csv"}, {"export-fhir", ".fhir.json"}} {
		// The progress is drawn as soon as the export starts; an observer
		// sees it however fast the answer comes.
		eval[bool](t, ctx, `(() => {
			window.sawProgress = false;
			new MutationObserver(() => { if (document.querySelector('[data-testid="export-progress"]')) window.sawProgress = true; })
				.observe(document.body, {childList: true, subtree: true});
			return true;
		})()`)
		within(t, ctx, 30*time.Second, click(sel(c.button)))
		waitFor(t, ctx, `!!document.querySelector('[data-testid="export-outcome"]')`)
		shot(t, ctx, c.button)
		if !eval[bool](t, ctx, `window.sawProgress`) {
			t.Errorf("%s: no progress shown", c.button)
		}
		if failed := eval[string](t, ctx, `document.querySelector('[data-testid="export-outcome"]').dataset.failed`); failed != "false" {
			t.Fatalf("%s failed: %s", c.button, eval[string](t, ctx, `document.querySelector('[data-testid="export-outcome"]').textContent`))
		}
		shown, err := strconv.Atoi(eval[string](t, ctx, `document.querySelector('[data-testid="export-outcome"]').dataset.records`))
		if err != nil || shown < 3000 {
			t.Fatalf("%s: the bar says %d records (%v), want at least anna's 3000", c.button, shown, err)
		}
		file := waitDownload(t, dir, c.suffix)
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inFile := 0
		if c.suffix == ".csv" {
			rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			inFile = len(rows) - 1
		} else {
			var b struct {
				ResourceType string            `json:"resourceType"`
				Entry        []json.RawMessage `json:"entry"`
			}
			if err := json.Unmarshal(raw, &b); err != nil || b.ResourceType != "Bundle" {
				t.Fatalf("bundle: %v", err)
			}
			inFile = len(b.Entry)
		}
		if inFile != shown {
			t.Errorf("%s: the file holds %d records, the bar said %d", c.button, inFile, shown)
		}
	}
}

// waitDownload waits for the browser to finish saving a file whose name
// ends in suffix and returns its path.
func waitDownload(t *testing.T, dir, suffix string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		matches, _ := filepath.Glob(filepath.Join(dir, "*"+suffix))
		if len(matches) == 1 {
			return matches[0]
		}
		select {
		case <-ctx.Done():
			entries, _ := os.ReadDir(dir)
			t.Fatalf("no finished download *%s in %v", suffix, entries)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
