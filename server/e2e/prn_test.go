package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/care"
)

// givePRN gives the visit's first PRN medication: its first indication,
// the prefilled dose and time, a drawn signature; it returns after the
// first press of save.
func givePRN(t *testing.T, ctx context.Context) {
	t.Helper()
	within(t, ctx, 30*time.Second, click(sel("prn-give")), chromedp.WaitVisible(sel("prn-form")))
	within(t, ctx, 10*time.Second, click(sel("prn-indication")))
	drawSignature(t, ctx, "signature-pad")
	within(t, ctx, 10*time.Second, click(sel("prn-save")))
}

// TestPRNOfflineWarnsOfTheInterval: offline, a nurse gives paracetamol as
// needed from a visit; the visit asks for its effect; a second dose at
// once is stopped with the interval warning, saved only with a reason;
// the first dose's effect is recorded; back online all three reach the
// server, the second dose carrying the reason and the effect its dose.
func TestPRNOfflineWarnsOfTheInterval(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "nils", "246802")
	waitServiceWorker(t, ctx)
	srv.stop()

	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	unlock(t, ctx, "246802")
	within(t, ctx, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("prn")))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="prn-row"]').textContent`); !strings.Contains(got, "Paracetamol") {
		t.Fatalf("the first PRN row reads %q", got)
	}

	givePRN(t, ctx)
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("saved")), chromedp.WaitVisible(sel("prn-effect-pending")), chromedp.WaitVisible(sel("prn-last")))

	// The second dose, a minute later: the warning, and no saving
	// without a reason.
	givePRN(t, ctx)
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("prn-warning-interval")))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="prn-warning"]').textContent`); !strings.Contains(got, "For tidlig") {
		t.Fatalf("warning %q", got)
	}
	shot(t, ctx, "prn-warning")
	within(t, ctx, 10*time.Second, click(sel("prn-save")), chromedp.WaitVisible(sel("dose-error")))
	within(t, ctx, 10*time.Second, chromedp.SendKeys(sel("prn-override-reason"), "Lege ga klarsignal på telefon"))
	within(t, ctx, 30*time.Second, click(sel("prn-save")), chromedp.WaitVisible(sel("saved")))
	if n := count(t, ctx, "prn-effect-pending"); n != 2 {
		t.Fatalf("%d doses wait for their effect, want 2", n)
	}
	// The first dose's effect, evaluated now (before its time: a worker
	// may see it early); the second still waits, on the visit list too.
	within(t, ctx, 30*time.Second, click(sel("prn-effect-open")), chromedp.WaitVisible(sel("prn-effect-form")))
	within(t, ctx, 10*time.Second, click(sel("prn-effect-partial")))
	within(t, ctx, 30*time.Second, click(sel("prn-effect-save")), chromedp.WaitVisible(sel("saved")))
	if n := count(t, ctx, "prn-effect-pending"); n != 1 {
		t.Fatalf("%d doses wait for their effect after one was evaluated, want 1", n)
	}
	within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("prn-effects-due")))

	within(t, ctx, 30*time.Second, click(sel("tab-sync")), chromedp.WaitVisible(sel("record")))
	srv.start()
	waitFor(t, ctx, `(() => {
		const s = [...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state);
		return s.length === 3 && s.every(x => x === "sent");
	})()`)
	srv.stop()
	var prn, effects []care.Record
	for _, r := range serverRecords(t, srv) {
		switch {
		case r.Type == care.RecordMedication && r.PRNID != "":
			prn = append(prn, r)
		case r.Type == care.RecordPRNEffect:
			effects = append(effects, r)
		}
	}
	if len(prn) > 0 && (len(effects) != 1 || effects[0].AdministrationID != prn[0].ID || effects[0].Effect != care.EffectPartial) {
		t.Fatalf("effects %+v, want one of %s", effects, prn[0].ID)
	}
	if len(prn) != 2 || prn[0].Indication == "" || prn[0].OverrideReason != "" || prn[1].OverrideReason != "Lege ga klarsignal på telefon" {
		t.Fatalf("the server holds %+v", prn)
	}
}
