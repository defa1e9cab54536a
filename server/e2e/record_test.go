package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

// drawSignature draws a stroke across the pad with real (DevTools) mouse
// input, which the browser turns into pointer events.
func drawSignature(t *testing.T, ctx context.Context, testid string) {
	t.Helper()
	within(t, ctx, 10*time.Second, chromedp.ScrollIntoView(sel(testid)))
	rect := eval[[]float64](t, ctx, `(() => { const r = document.querySelector('[data-testid="`+testid+`"]').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()`)
	x0, y0, w, h := rect[0], rect[1], rect[2], rect[3]
	mouse := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		p := input.DispatchMouseEventParams{Type: typ, X: x0 + x*w, Y: y0 + y*h, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1}
		if _, err := chromedp.Call(c, input.DispatchMouseEvent, p); err != nil {
			t.Fatalf("mouse: %v", err)
		}
	}
	mouse(input.DispatchMouseEventTypeMouseMoved, 0.1, 0.6, 0)
	mouse(input.DispatchMouseEventTypeMousePressed, 0.1, 0.6, 1)
	for i := 1; i <= 20; i++ {
		f := float64(i) / 20
		mouse(input.DispatchMouseEventTypeMouseMoved, 0.1+0.8*f, 0.6-0.3*f*(1-f)*4, 1)
	}
	mouse(input.DispatchMouseEventTypeMouseReleased, 0.9, 0.6, 0)
}

// openVisitWithDose opens the first own visit that has a dose to sign.
func openVisitWithDose(t *testing.T, ctx context.Context) {
	t.Helper()
	hrefs := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="visit"]')].map(a => a.getAttribute("href"))`)
	for _, h := range hrefs {
		within(t, ctx, 30*time.Second,
			click(chromedp.CSS(`a[href="`+h+`"]`)),
			chromedp.WaitVisible(sel("doses")),
		)
		if count(t, ctx, "med-sign") > 0 {
			return
		}
		within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("visit")))
	}
	t.Fatal("no own visit with a dose")
}

// signFirstDose signs the visit's first dose as given, with a second signer
// when the dose needs a double check.
func signFirstDose(t *testing.T, ctx context.Context) {
	t.Helper()
	within(t, ctx, 30*time.Second, click(sel("med-sign")), chromedp.WaitVisible(sel("dose-form")))
	drawSignature(t, ctx, "signature-pad")
	if count(t, ctx, "cosign-here") > 0 {
		// The co-signer has no phone: her name and drawing on this one.
		within(t, ctx, 10*time.Second, click(sel("cosign-here")), chromedp.WaitVisible(sel("cosigner")))
	}
	if count(t, ctx, "cosigner") > 0 {
		within(t, ctx, 10*time.Second, chromedp.SendKeys(sel("cosigner"), "Kari Lunde"))
		drawSignature(t, ctx, "cosignature-pad")
	}
	shot(t, ctx, "dose-form")
	within(t, ctx, 30*time.Second, click(sel("med-save")), chromedp.WaitVisible(sel("saved")))
}

func writeNote(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	writeNoteUntil(t, ctx, text, sel("note-saved"))
}

// writeNoteOnARevokedPhone writes a note on a phone whose access is gone:
// the note is saved, syncs at once, and the server's answer wipes the
// phone, which can happen before a poll of the page saw "saved". Either
// screen ends the wait; the caller then waits for the wiped one.
func writeNoteOnARevokedPhone(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	writeNoteUntil(t, ctx, text, chromedp.CSS(string(sel("note-saved"))+", "+string(sel("wiped"))))
}

func writeNoteUntil(t *testing.T, ctx context.Context, text string, shown chromedp.CSS) {
	t.Helper()
	within(t, ctx, 30*time.Second,
		chromedp.ScrollIntoView(sel("note-text")),
		chromedp.SendKeys(sel("note-text"), text),
		click(sel("note-save")),
		chromedp.WaitVisible(shown),
	)
}

// serverRecords opens the stopped server's store and returns its records.
func serverRecords(t *testing.T, srv *server) []care.Record {
	t.Helper()
	db, err := badger.Open(filepath.Join(srv.dataDir, "db"), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := map[string]bool{}
	entries, err := db.AuditLog(context.Background(), 1, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []care.Record
	for _, e := range entries {
		if e.Action != store.AuditSync || ids[e.Subject] {
			continue
		}
		ids[e.Subject] = true
		sr, err := db.StoredRecordByID(context.Background(), e.Subject)
		if err != nil {
			t.Fatal(err)
		}
		r, err := sr.Record()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if n, _ := db.CountRecords(context.Background()); n != len(out) {
		t.Fatalf("the store holds %d records, the audit log accepted %d", n, len(out))
	}
	return out
}

// TestRecordOfflineThenSync: offline, write a note and sign a dose with a
// drawn signature; reload; bring the server back; the app sends by itself
// and shows both as sent; the server holds exactly one of each.
func TestRecordOfflineThenSync(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "nils", "246802")
	waitServiceWorker(t, ctx)
	srv.stop()

	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	unlock(t, ctx, "246802")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")))
	openVisitWithDose(t, ctx)
	writeNote(t, ctx, "Blodsukker 7,2. Spiste frokost.")
	signFirstDose(t, ctx)
	within(t, ctx, 10*time.Second, chromedp.WaitVisible(sel("today")))
	if got := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state)`); len(got) < 2 {
		t.Fatalf("sync states %v", got)
	}
	shot(t, ctx, "recorded-offline")
	badge := eval[string](t, ctx, `document.querySelector('[data-testid="sync-badge"]').textContent`)
	if !strings.Contains(badge, "2") {
		t.Fatalf("badge %q", badge)
	}

	// Reload offline: nothing is lost.
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	unlock(t, ctx, "246802")
	within(t, ctx, 30*time.Second, click(sel("tab-sync")), chromedp.WaitVisible(sel("record")))
	if n := count(t, ctx, "record"); n != 2 {
		t.Fatalf("%d records after an offline reload", n)
	}

	// The server comes back; the app notices and sends by itself.
	srv.start()
	waitFor(t, ctx, `(() => {
		const s = [...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state);
		return s.length === 2 && s.every(x => x === "sent");
	})()`)
	within(t, ctx, 10*time.Second, chromedp.WaitNotPresent(sel("sync-badge")))
	shot(t, ctx, "sent")
	srv.stop()

	types := map[care.RecordType]int{}
	for _, r := range serverRecords(t, srv) {
		types[r.Type]++
		if r.Type == care.RecordMedication && (len(r.SignatureSVG) < 20 || !strings.HasPrefix(r.SignatureSVG, "M")) {
			t.Errorf("signature %q", r.SignatureSVG)
		}
	}
	if types[care.RecordNote] != 1 || types[care.RecordMedication] != 1 || len(types) != 2 {
		t.Fatalf("the server holds %v", types)
	}
}

// TestSavedSurvivesKilledBrowser: the browser is killed right after the
// app says "saved"; after a restart the record is there and goes out.
func TestSavedSurvivesKilledBrowser(t *testing.T) {
	srv := startServer(t)
	profile := t.TempDir()
	ctx := browserWithProfile(t, profile)
	loginWithPIN(t, ctx, srv, "anna", "112358")
	within(t, ctx, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("note-text")))
	// Keep the note from going out before the kill: the server is away.
	srv.stop()
	writeNote(t, ctx, "Written just before the phone died")
	if p := chromedp.FromContext(ctx).Browser.Process(); p != nil {
		_ = p.Signal(syscall.SIGKILL)
		_, _ = p.Wait()
	} else {
		t.Fatal("no browser process to kill")
	}

	srv.start()
	ctx = browserWithProfile(t, profile)
	within(t, ctx, 60*time.Second, chromedp.Navigate(srv.url("/sync")), chromedp.WaitVisible(mounted))
	unlock(t, ctx, "112358")
	waitFor(t, ctx, `(() => {
		const s = [...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state);
		return s.length === 1 && s[0] === "sent";
	})()`)
	srv.stop()
	recs := serverRecords(t, srv)
	if len(recs) != 1 || recs[0].Text != "Written just before the phone died" {
		t.Fatalf("server records %+v", recs)
	}
}
