package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// officeLogin logs a coordinator in on a desk browser.
func officeLogin(t *testing.T, srv *server, username string) context.Context {
	t.Helper()
	ctx := desk(t)
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/office")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
		chromedp.SendKeys(sel("username"), username),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("office-logout")),
	)
	return ctx
}

// TestPreparedness: a coordinator imports a plan, writes a routine in two
// versions, declares the outage and posts a status update; a worker's
// phone gets the routine and the message, and a priority list.
func TestPreparedness(t *testing.T) {
	srv := startServer(t)
	ctx := officeLogin(t, srv, "kari")

	// Plan import through the upload page.
	sample, err := filepath.Abs(filepath.Join(repoRoot(t), "internal", "plan", "testdata", "plan.csv"))
	if err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 30*time.Second,
		click(sel("office-plan")),
		chromedp.WaitVisible(sel("plan-file")),
		chromedp.SetUploadFiles(sel("plan-file"), []string{sample}),
		chromedp.WaitVisible(sel("plan-stored")),
	)
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="plan-stored"]').textContent`); !strings.Contains(got, "2") {
		t.Fatalf("plan report %q", got)
	}
	shot(t, ctx, "plan")

	// A routine, then a second version.
	within(t, ctx, 30*time.Second,
		click(sel("office-routines")),
		chromedp.WaitVisible(sel("routine-new")),
		click(sel("routine-new")),
		chromedp.WaitVisible(sel("routine-title")),
		chromedp.SendKeys(sel("routine-title"), "Nødrutine: vannlekkasje på basen"),
		chromedp.SendKeys(sel("routine-steps"), "Steng hovedkranen\nRing vaktmester"),
		chromedp.SendKeys(sel("contact-name"), "Vaktmester"),
		chromedp.SendKeys(sel("contact-phone"), "+47 900 00 999"),
		click(sel("routine-save")),
		chromedp.WaitVisible(sel("routine-saved")),
	)
	within(t, ctx, 30*time.Second,
		chromedp.SendKeys(sel("routine-steps"), "\nFlytt medisiner til tørt sted"),
		click(sel("routine-save")),
		chromedp.WaitVisible(sel("routine-versions")),
	)
	waitFor(t, ctx, `document.querySelectorAll('[data-testid="routine-versions"] ol.history > li').length === 2`)
	shot(t, ctx, "routine")

	// Declare the outage and post the status update.
	within(t, ctx, 30*time.Second,
		click(sel("office-status")),
		chromedp.WaitVisible(sel("outage-start")),
		click(sel("outage-start")),
		chromedp.WaitVisible(sel("outage-active")),
		click(sel("level-important")),
		chromedp.SendKeys(sel("announcement-text"), "Status 09:00: EPJ er fortsatt nede. Dokumenter i Beredskap."),
		click(sel("announcement-post")),
	)
	waitFor(t, ctx, `[...document.querySelectorAll('[data-testid="office-announcement"]')].some(e => e.textContent.includes("Status 09:00"))`)
	// The posted text leaves the field: posting again must not repeat it.
	if v := eval[string](t, ctx, `document.querySelector('[data-testid="announcement-text"]').value`); v != "" {
		t.Fatalf("the announcement field still holds %q after posting", v)
	}
	shot(t, ctx, "status")

	// The worker's phone.
	phone := browser(t)
	loginWithPIN(t, phone, srv, "anna", "975310")
	within(t, phone, 30*time.Second, chromedp.WaitVisible(sel("new-announcement")))
	if got := eval[string](t, phone, `document.querySelector('[data-testid="new-announcement"]').textContent`); !strings.Contains(got, "Status 09:00") {
		t.Fatalf("phone shows %q", got)
	}
	shot(t, phone, "announcement")
	within(t, phone, 30*time.Second, click(sel("announcement-ack")), chromedp.WaitNotPresent(sel("new-announcement")))
	within(t, phone, 30*time.Second, click(sel("tab-routines")), chromedp.WaitVisible(sel("routine")))
	if n := count(t, phone, "routine"); n != 7 {
		t.Fatalf("the phone has %d routines, want 7", n)
	}
	within(t, phone, 30*time.Second,
		click(sel("tab-unit")),
		click(sel("priority-link")),
		chromedp.WaitVisible(sel("priority-item")),
	)
	first := eval[string](t, phone, `document.querySelector('[data-testid="priority-item"] .tag').className`)
	if !strings.Contains(first, "tag-p1") {
		t.Fatalf("the priority list starts with %q", first)
	}
	shot(t, phone, "priority")

	// The desk's priority list.
	within(t, ctx, 30*time.Second, click(sel("office-priority")), chromedp.WaitVisible(sel("priority-row")))
	if p := eval[string](t, ctx, `document.querySelector('[data-testid="priority-row"]').dataset.priority`); p != "1" {
		t.Fatalf("desk priority list starts with priority %s", p)
	}
	shot(t, ctx, "priority")

	// The desk's print choices (issue 19): a range that runs backwards is
	// refused by the server, and its key reads in the user's language.
	change := func(testid, js string) {
		t.Helper()
		eval[bool](t, ctx, `(() => { const e = document.querySelector('[data-testid="`+testid+`"]'); `+js+`;
			e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	}
	change("priority-unit", "e.selectedIndex = 1")
	change("print-span", "e.value = 'custom'")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("print-from")))
	// A date field's handler reads the field when it runs, and the page
	// may have been drawn again from the state in between: set each date
	// again until the drawn field has kept it for 400 ms.
	setDate := func(testid, v string) {
		t.Helper()
		waitFor(t, ctx, `(() => {
			const e = document.querySelector('[data-testid="`+testid+`"]');
			if (e.value !== '`+v+`') {
				e.value = '`+v+`'; e.dispatchEvent(new Event('change', {bubbles: true}));
				window.__setAt = Date.now(); return false;
			}
			return Date.now() - (window.__setAt || 0) > 400;
		})()`)
	}
	setDate("print-from", "2026-03-21")
	setDate("print-to", "2026-03-20")
	setDate("print-from", "2026-03-21")
	within(t, ctx, 30*time.Second, click(sel("binder")), chromedp.WaitVisible(sel("office-error")))
	if msg := eval[string](t, ctx, `document.querySelector('[data-testid="office-error"]').textContent`); !strings.Contains(msg, "fra-datoen") {
		t.Fatalf("a reversed range reads %q", msg)
	}
	// Two days chosen: the list shows each day's first visit.
	change("print-span", "e.value = 'tomorrow'")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("priority-day")))
	if rows, days := count(t, ctx, "priority-row"), count(t, ctx, "priority-day"); days != 2*rows {
		t.Fatalf("%d day cells for %d patients over two days", days, rows)
	}
	if n := count(t, ctx, "equipment-list"); n != 1 {
		t.Fatalf("%d equipment list buttons on the print page", n)
	}
	shot(t, ctx, "print-range-refused")
}
