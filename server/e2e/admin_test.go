package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestAdminRevokesALostPhone: the admin revokes a nurse's phone from the
// users page; the phone's next record lands in quarantine, the phone
// wipes its shift (keeping nothing it could not send), and the
// coordinator sees the record held for review.
func TestAdminRevokesALostPhone(t *testing.T) {
	srv := startServer(t)
	phone := browser(t)
	loginWithPIN(t, phone, srv, "nils", "314159")

	desk := officeLogin(t, srv, "admin")
	within(t, desk, 30*time.Second,
		click(sel("office-users")),
		chromedp.WaitVisible(chromedp.CSS(`[data-username="nils"] [data-testid="revoke"]`)),
	)
	shot(t, desk, "users")
	if err := chromedp.Do(desk, chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`)); err != nil {
		t.Fatal(err)
	}
	within(t, desk, 30*time.Second,
		click(chromedp.CSS(`[data-username="nils"] [data-testid="revoke"]`)),
		chromedp.WaitVisible(sel("admin-flash")),
	)

	// The nurse's phone, still holding its shift, writes a note.
	within(t, phone, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("note-text")))
	writeNoteOnARevokedPhone(t, phone, "Skrevet etter at telefonen ble sperret")
	within(t, phone, 60*time.Second, chromedp.WaitVisible(sel("wiped")))
	shot(t, phone, "revoked")

	// The desk's exposure report of the revoked phone: the bundle it was
	// given, its patients (those with key-box or door access first), and
	// a checklist item ticked with who and when.
	within(t, desk, 30*time.Second,
		click(chromedp.CSS(`[data-username="nils"] [data-testid="exposure-link"]`)),
		chromedp.WaitVisible(sel("exposure-revoked")),
		chromedp.WaitVisible(sel("exposure-patient")),
	)
	if n := count(t, desk, "office-error"); n != 0 {
		t.Fatalf("the exposure page shows an error: %s", eval[string](t, desk, `document.querySelector('[data-testid="office-error"]').textContent`))
	}
	if n := count(t, desk, "exposure-bundle"); n != 1 {
		t.Fatalf("%d bundles in the exposure report, want 1", n)
	}
	if !eval[bool](t, desk, `document.querySelector('[data-testid="exposure-patient"]').dataset.access === "true"`) {
		t.Fatal("the first patient of the report has no access information (the demo's cards all have)")
	}
	within(t, desk, 30*time.Second,
		click(chromedp.CSS(`[data-testid="exposure-item"] input`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="exposure-item"][data-ticked="true"] .exposure-who`)),
	)
	if err := chromedp.Do(desk, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	shot(t, desk, "exposure")

	// Printed, the report is the sheet alone: no desk navigation, no
	// buttons, the checklist and its ticks kept.
	c, cancel := context.WithTimeout(desk, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(c, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	printed := eval[string](t, desk, `[".office-nav", "[data-testid=exposure-print]", ".topbar", "[data-testid=exposure]", ".exposure-who"]
		.map(s => { const e = document.querySelector(s); return e ? getComputedStyle(e).display : "missing"; }).join(",")`)
	if printed != "none,none,none,block,block" {
		t.Fatalf("printed: nav, print button, topbar, sheet, tick = %s", printed)
	}
	shot(t, desk, "exposure-print")

	coordinator := officeLogin(t, srv, "kari")
	within(t, coordinator, 30*time.Second,
		chromedp.Navigate(srv.url("/office/records?state=quarantined")),
		chromedp.WaitVisible(sel("record-row")),
	)
	if n := count(t, coordinator, "record-row"); n != 1 {
		t.Fatalf("%d quarantined records", n)
	}
}

// TestWorkerReportsALostPhoneFromAnother: a worker who lost her phone
// logs in on another, opens "My phones" from the settings and reports
// the lost one; it wipes at its next contact, and the coordinator finds
// its exposure report from the audit log.
func TestWorkerReportsALostPhoneFromAnother(t *testing.T) {
	srv := startServer(t)
	lost := browser(t)
	loginWithPIN(t, lost, srv, "anna", "314159")
	held := browser(t)
	loginWithPIN(t, held, srv, "anna", "271828")

	if err := chromedp.Do(held, chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`)); err != nil {
		t.Fatal(err)
	}
	within(t, held, 30*time.Second,
		click(sel("settings-toggle")),
		click(sel("phones-link")),
		chromedp.WaitVisible(sel("report-lost")),
	)
	if n := count(t, held, "own-phone"); n != 2 {
		t.Fatalf("%d phones listed, want 2", n)
	}
	within(t, held, 30*time.Second, click(sel("report-lost")), chromedp.WaitVisible(sel("phones-done")))
	shot(t, held, "phones")

	within(t, lost, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("note-text")))
	writeNoteOnARevokedPhone(t, lost, "Skrevet på den mistede telefonen")
	within(t, lost, 60*time.Second, chromedp.WaitVisible(sel("wiped")))

	coordinator := officeLogin(t, srv, "kari")
	within(t, coordinator, 30*time.Second,
		click(sel("office-audit")),
		click(chromedp.CSS(`[data-action="device.lost"] [data-testid="audit-exposure"]`)),
		chromedp.WaitVisible(sel("exposure-revoked")),
		chromedp.WaitVisible(sel("exposure-bundle")),
	)
	if n := count(t, coordinator, "office-error"); n != 0 {
		t.Fatalf("the exposure page shows an error: %s", eval[string](t, coordinator, `document.querySelector('[data-testid="office-error"]').textContent`))
	}
	shot(t, coordinator, "exposure")
}
