package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
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
	for _, c := range []struct{ format, button, suffix string }{{"csv", "export-csv", ".csv"}, {"fhir", "export-fhir", ".fhir.json"}} {
		// The progress is drawn as soon as the export starts; an observer
		// sees it however fast the answer comes.
		eval[bool](t, ctx, `(() => {
			window.sawProgress = false;
			new MutationObserver(() => { if (document.querySelector('[data-testid="export-progress"]')) window.sawProgress = true; })
				.observe(document.body, {childList: true, subtree: true});
			return true;
		})()`)
		within(t, ctx, 30*time.Second, click(sel(c.button)))
		outcome := `document.querySelector('[data-testid="export-outcome"][data-format="` + c.format + `"]')`
		waitFor(t, ctx, `!!`+outcome)
		shot(t, ctx, c.button)
		if !eval[bool](t, ctx, `window.sawProgress`) {
			t.Errorf("%s: no progress shown", c.button)
		}
		if failed := eval[string](t, ctx, outcome+`.dataset.failed`); failed != "false" {
			t.Fatalf("%s failed: %s", c.button, eval[string](t, ctx, outcome+`.textContent`))
		}
		shown, err := strconv.Atoi(eval[string](t, ctx, outcome+`.dataset.records`))
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

// cutBody ends an answer with an error after left bytes, as a server
// that fails in the middle of an export does.
type cutBody struct {
	io.ReadCloser
	left int
}

func (c *cutBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errors.New("cut off")
	}
	n, err := c.ReadCloser.Read(p[:min(len(p), c.left)])
	c.left -= n
	return n, err
}

// TestExportBrokenOffSavesNothing: an export whose answer stops in the
// middle (a proxy cuts it after 300 kB and aborts the connection, as the
// server does when its store fails) saves no file, and the bar says it
// broke off, after how many records.
func TestExportBrokenOffSavesNothing(t *testing.T) {
	srv := startServer(t)
	d := setupDevice(t, srv, "anna", 3000)
	for len(d.pending) > 0 {
		if refused, err := d.syncOnce(srv.url("")); err != nil || refused {
			t.Fatalf("sync: %v (refused %v)", err, refused)
		}
	}
	target, _ := url.Parse(srv.url(""))
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.FlushInterval = -1
	proxy.ModifyResponse = func(resp *http.Response) error {
		if strings.HasPrefix(resp.Request.URL.Path, "/api/v1/export/") {
			resp.Body = &cutBody{ReadCloser: resp.Body, left: 300_000}
		}
		return nil
	}
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	front := httptest.NewServer(proxy)
	defer front.Close()

	dir := t.TempDir()
	ctx := desk(t)
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(front.URL+"/office/records"),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")),
		chromedp.SendKeys(sel("username"), "kari"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("record-row")),
		click(sel("export-csv")),
	)
	outcome := `document.querySelector('[data-testid="export-outcome"][data-format="csv"]')`
	waitFor(t, ctx, `!!`+outcome)
	shot(t, ctx, "broken")
	if failed := eval[string](t, ctx, outcome+`.dataset.failed`); failed != "true" {
		t.Fatalf("a cut export reads as %s: %s", failed, eval[string](t, ctx, outcome+`.textContent`))
	}
	n, err := strconv.Atoi(eval[string](t, ctx, outcome+`.dataset.records`))
	// How many came before the error depends on when the browser hands
	// the last bytes to the stream; never all of them.
	if err != nil || n >= 3000 {
		t.Fatalf("the bar says %d records came before the cut (%v)", n, err)
	}
	if text := eval[string](t, ctx, outcome+`.textContent`); !strings.Contains(text, strconv.Itoa(n%1000)) {
		t.Errorf("the bar does not say after how many records it broke off: %q", text)
	}
	if role := eval[string](t, ctx, outcome+`.getAttribute("role")`); role != "alert" {
		t.Errorf("the failure is announced as %q, not an alert", role)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("a broken export left files: %v", entries)
	}
}
