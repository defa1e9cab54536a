package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"beredskap/internal/i18n"
)

// setQuota overrides the browser's storage quota for the server's origin;
// nil gives the default back.
func setQuota(t *testing.T, ctx context.Context, srv *server, bytes *float64) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(c, storage.OverrideQuotaForOrigin, storage.OverrideQuotaForOriginParams{Origin: srv.url(""), QuotaSize: bytes}); err != nil {
		t.Fatalf("override the storage quota: %v", err)
	}
}

// probeWriteJS writes a few bytes to a database of its own on the app's
// origin (same storage bucket as the app's) and says how it ended.
const probeWriteJS = `new Promise(res => {
	const r = indexedDB.open("quota-probe");
	r.onupgradeneeded = () => r.result.createObjectStore("s");
	r.onerror = () => res("open: " + r.error);
	r.onsuccess = () => {
		const db = r.result, tx = db.transaction("s", "readwrite");
		tx.objectStore("s").put(new Uint8Array(64), "k" + Date.now());
		tx.oncomplete = () => { db.close(); res("complete"); };
		tx.onabort = () => { db.close(); res("abort: " + tx.error); };
	};
})`

// fillQuota sets a quota far below what the origin already uses (the
// cached app alone is megabytes), so that no write to IndexedDB fits, and
// waits until the browser applies it: Chromium keeps granting writes from
// the space it last learnt was free for up to 30 s
// (BucketContext::kBucketSpaceCacheTimeLimit). Probe writes beside the
// app's database show when it stops.
func fillQuota(t *testing.T, ctx context.Context, srv *server) {
	t.Helper()
	if got := eval[string](t, ctx, probeWriteJS); got != "complete" {
		t.Fatalf("probe write before the quota: %s", got)
	}
	full := float64(1000)
	setQuota(t, ctx, srv, &full)
	deadline := time.Now().Add(90 * time.Second)
	for {
		got := eval[string](t, ctx, probeWriteJS)
		if strings.Contains(got, "QuotaExceededError") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the quota override never took effect: %s", got)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// shown is what an element shows: a field's value, or its text.
func shown(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	return eval[string](t, ctx, `(() => { const e = document.querySelector(`+"`"+css+"`"+`);
		if (!e) return ""; return ("value" in e ? e.value : e.textContent).trim(); })()`)
}

// TestFullPhoneStorageSaysNotSaved: with the browser's storage quota used
// up, saving a note or a dose says that it was NOT saved, keeps what was
// entered and never says "saved"; with room again, the same entry saves.
func TestFullPhoneStorageSaysNotSaved(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "nils", "582046")
	lang := eval[string](t, ctx, `document.documentElement.lang`)
	notSaved := i18n.T(lang, "error.quota_not_saved")
	openVisitWithDose(t, ctx)
	outbox := eval[int](t, ctx, storeCountJS("outbox"))

	// A note.
	const text = "Pasienten var svimmel, målte blodtrykk 95/60"
	fillQuota(t, ctx, srv)
	within(t, ctx, 30*time.Second,
		chromedp.ScrollIntoView(sel("note-text")),
		chromedp.SendKeys(sel("note-text"), text),
		click(sel("note-save")),
	)
	within(t, ctx, 30*time.Second,
		chromedp.WaitVisible(chromedp.CSS(`form:has([data-testid="note-text"]) .error[role="alert"]`)),
	)
	shot(t, ctx, "note-not-saved")
	if got := shown(t, ctx, `form:has([data-testid="note-text"]) .error[role="alert"]`); got != notSaved {
		t.Fatalf("the note form says %q, want %q", got, notSaved)
	}
	if got := shown(t, ctx, `[data-testid="note-text"]`); got != text {
		t.Fatalf("the note field holds %q after the failed save, want what was typed", got)
	}
	if n := count(t, ctx, "note-saved"); n != 0 {
		t.Fatal(`"saved" shown for a note that was not saved`)
	}
	if n := eval[int](t, ctx, storeCountJS("outbox")); n != outbox {
		t.Fatalf("outbox holds %d records after a refused save, want %d", n, outbox)
	}
	// Room again: the same text saves.
	setQuota(t, ctx, srv, nil)
	within(t, ctx, 30*time.Second,
		chromedp.ScrollIntoView(sel("note-save")),
		click(sel("note-save")),
		chromedp.WaitVisible(sel("note-saved")),
	)
	if n := eval[int](t, ctx, storeCountJS("outbox")); n != outbox+1 {
		t.Fatalf("outbox holds %d records once the note saved, want %d", n, outbox+1)
	}

	// A dose, with its signature.
	fillQuota(t, ctx, srv)
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
	amount := shown(t, ctx, `[data-testid="dose-amount"]`)
	within(t, ctx, 30*time.Second, click(sel("med-save")), chromedp.WaitVisible(sel("dose-error")))
	shot(t, ctx, "dose-not-saved")
	if got := shown(t, ctx, `[data-testid="dose-error"]`); got != notSaved {
		t.Fatalf("the dose form says %q, want %q", got, notSaved)
	}
	if count(t, ctx, "saved") != 0 || count(t, ctx, "dose-form") != 1 || shown(t, ctx, `[data-testid="dose-amount"]`) != amount {
		t.Fatal("after a refused dose the form must stay open with what was entered, and nothing may say saved")
	}
	if n := eval[int](t, ctx, storeCountJS("outbox")); n != outbox+1 {
		t.Fatalf("outbox holds %d records after a refused dose, want %d", n, outbox+1)
	}
	// Room again: the same dose, signature and all, saves.
	setQuota(t, ctx, srv, nil)
	within(t, ctx, 30*time.Second, click(sel("med-save")))
	waitFor(t, ctx, `!!document.querySelector('[data-testid="saved"]') && !document.querySelector('[data-testid="dose-form"]')`)
	if n := eval[int](t, ctx, storeCountJS("outbox")); n != outbox+2 {
		t.Fatalf("outbox holds %d records once the dose saved, want %d", n, outbox+2)
	}
	if strings.Contains(shown(t, ctx, `body`), notSaved) {
		t.Fatal("the not-saved message stays after a successful save")
	}
}
