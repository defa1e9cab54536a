package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCoordinatorReconciles: records a nurse synced appear for kari, who
// marks one entered and voids one with a reason; the states show in the
// table and the decisions in the audit log.
func TestCoordinatorReconciles(t *testing.T) {
	srv := startServer(t)
	phone := browser(t)
	loginWithPIN(t, phone, srv, "nils", "864209")
	openVisitWithDose(t, phone)
	writeNote(t, phone, "Sår stelt, ny bandasje.")
	signFirstDose(t, phone)
	waitFor(t, phone, `(() => {
		const s = [...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state);
		return s.length >= 2 && s.every(x => x === "sent");
	})()`)

	ctx := desk(t)
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/office")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
		chromedp.SendKeys(sel("username"), "kari"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("tile-records")),
	)
	waitFor(t, ctx, `document.querySelector('[data-testid="tile-new"] strong').textContent === "2"`)
	shot(t, ctx, "dashboard")
	within(t, ctx, 30*time.Second, click(sel("office-records")), chromedp.WaitVisible(sel("record-row")))
	waitFor(t, ctx, `document.querySelectorAll('[data-testid="record-row"]').length === 2`)
	shot(t, ctx, "records")
	ids := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="record-row"]')].map(r => r.dataset.id)`)

	// The first: entered, with a reference in the record system.
	within(t, ctx, 30*time.Second,
		click(chromedp.CSS(`[data-id="`+ids[0]+`"] [data-testid="record-link"]`)),
		chromedp.WaitVisible(sel("record-detail")),
		chromedp.SendKeys(sel("ehr-ref"), "EPJ-2026-0042"),
		click(sel("mark-entered")),
	)
	waitFor(t, ctx, `document.querySelector('[data-testid="record-state"]').textContent.length > 0 && !document.querySelector('[data-testid="mark-entered"]')`)
	shot(t, ctx, "record-entered")
	if n := count(t, ctx, "signature"); strings.Contains(eval[string](t, ctx, `document.querySelector('[data-testid="record-detail"] h2').textContent`), "Legemiddel") && n != 1 {
		t.Errorf("a medication record without its signature drawn")
	}

	// The second: void, which needs a reason.
	within(t, ctx, 30*time.Second, chromedp.Navigate(srv.url("/office/records/"+ids[1])), chromedp.WaitVisible(sel("mark-void")))
	within(t, ctx, 10*time.Second, click(sel("mark-void")), chromedp.WaitVisible(sel("office-error")))
	within(t, ctx, 30*time.Second,
		chromedp.SendKeys(sel("void-reason"), "Skrevet på feil pasient"),
		click(sel("mark-void")),
		chromedp.WaitNotPresent(sel("mark-void")),
	)

	within(t, ctx, 30*time.Second, click(sel("office-records")), chromedp.WaitVisible(sel("record-row")))
	waitFor(t, ctx, `(() => {
		const s = Object.fromEntries([...document.querySelectorAll('[data-testid="record-row"]')].map(r => [r.dataset.id, r.dataset.state]));
		return s["`+ids[0]+`"] === "entered" && s["`+ids[1]+`"] === "void";
	})()`)
	shot(t, ctx, "records-after")

	within(t, ctx, 30*time.Second, click(sel("office-audit")), chromedp.WaitVisible(sel("audit-row")))
	for _, id := range ids {
		if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="audit-row"][data-action="record.reconcile"][data-subject="`+id+`"]').length`); n != 1 {
			t.Errorf("audit log has %d reconcile entries for %s", n, id)
		}
	}
	shot(t, ctx, "audit")

	// Findings and the per-author view render.
	within(t, ctx, 30*time.Second, click(sel("office-findings")), chromedp.WaitVisible(sel("filter-kind")))
	shot(t, ctx, "findings")
	within(t, ctx, 30*time.Second, click(sel("office-authors")), chromedp.WaitVisible(sel("authors-table")))
}
