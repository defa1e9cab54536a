package e2e

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReadmeScreens walks the app at phone size and takes the README's
// screenshots: login, today's visits, a person card, medication signing
// with a drawn signature, the sync state, the coordinator's dashboard.
// Every run checks that each screen renders (a phone-sized image with real
// content); `make screens` sets README_SCREENS to keep the pictures in
// server/e2e/screens, where the README shows them.
func TestReadmeScreens(t *testing.T) {
	dir := os.Getenv("README_SCREENS")
	if dir == "" {
		dir = t.TempDir()
	}
	srv := startServer(t)
	ctx := browser(t)
	snap := func(name string) {
		t.Helper()
		time.Sleep(300 * time.Millisecond) // let transitions settle
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		b, err := chromedp.Run(c, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		checkScreen(t, name, b)
		if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("username")),
		chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
		chromedp.SendKeys(sel("username"), "nils"),
	)
	snap("login")
	loginWithPIN(t, ctx, srv, "nils", "482915")
	waitServiceWorker(t, ctx)
	// Headless Chromium refuses persistent storage; the worker would read
	// the warning once and close it.
	eval[bool](t, ctx, `(() => { const b = document.querySelector('[data-testid="storage-warning"] button'); if (b) b.click(); return true; })()`)
	// The morning's message has been read: the list shows it once, below
	// the next visit, instead of as a new message above everything.
	// Both go by the buttons' own click(), not a pointer at a spot: the
	// page moves up as each banner goes.
	within(t, ctx, 10*time.Second, chromedp.WaitNotPresent(sel("storage-warning")))
	for i := 0; i < 5 && count(t, ctx, "announcement-ack") > 0; i++ {
		eval[bool](t, ctx, `(() => { const b = document.querySelector('[data-testid="announcement-ack"]'); if (b) b.click(); return true; })()`)
		time.Sleep(300 * time.Millisecond)
	}
	within(t, ctx, 10*time.Second, chromedp.WaitNotPresent(sel("new-announcement")))
	snap("visits")

	openVisitWithDose(t, ctx)
	within(t, ctx, 10*time.Second, chromedp.ScrollIntoView(sel("person-card")))
	snap("person-card")

	within(t, ctx, 30*time.Second, click(sel("med-sign")), chromedp.WaitVisible(sel("dose-form")))
	drawSignature(t, ctx, "signature-pad")
	if count(t, ctx, "cosigner") > 0 {
		within(t, ctx, 10*time.Second, chromedp.SendKeys(sel("cosigner"), "Kari Lunde"))
		drawSignature(t, ctx, "cosignature-pad")
	}
	within(t, ctx, 10*time.Second, chromedp.ScrollIntoView(sel("signature-pad")))
	snap("medication-signing")
	// Offline: the signed dose waits in the outbox until the server is back.
	srv.stop()
	within(t, ctx, 30*time.Second, click(sel("med-save")), chromedp.WaitVisible(sel("saved")))
	writeNote(t, ctx, "Blodsukker 7,2 før frokost. Spiste godt.")
	within(t, ctx, 30*time.Second, click(sel("tab-sync")), chromedp.WaitVisible(sel("sync-state")))
	waitFor(t, ctx, `document.querySelectorAll('[data-state="waiting"]').length === 2`)
	snap("sync-state")
	srv.start()

	office := browser(t)
	within(t, office, 60*time.Second,
		chromedp.Navigate(srv.url("/office")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
		chromedp.SendKeys(sel("username"), "kari"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid^="count-"]`)),
	)
	ctx = office
	snap("dashboard")
}

// checkScreen fails unless the PNG is a phone screen (390 px wide at the
// emulated density) with content: more than a few colours, so a blank or
// error page does not pass.
func checkScreen(t *testing.T, name string, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	r := img.Bounds()
	if r.Dx() != 390 || r.Dy() != 844 {
		t.Fatalf("%s: %v, want 390×844", name, r.Size())
	}
	colours := map[[3]uint32]bool{}
	for y := r.Min.Y; y < r.Max.Y; y += 7 {
		for x := r.Min.X; x < r.Max.X; x += 7 {
			c := img.At(x, y)
			cr, cg, cb, _ := c.RGBA()
			colours[[3]uint32{cr >> 12, cg >> 12, cb >> 12}] = true
		}
	}
	if len(colours) < 8 {
		t.Fatalf("%s looks empty: %d colours", name, len(colours))
	}
}
