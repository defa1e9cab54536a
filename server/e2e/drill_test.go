package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/wire"
)

// TestDrillFromDeskToReport: a coordinator starts a drill on the desk;
// anna's phone, fetching its shift, shows the drill banner; it loses the
// network and a note is written; the coordinator marks the network back;
// the phone syncs; the drill's page lists the note apart, and its report
// names anna and her phone's time to sync; the real records list and the
// export do not hold the note.
func TestDrillFromDeskToReport(t *testing.T) {
	srv := startServer(t)
	gw := newNetSwitch(t, srv)
	token := loginToken(t, srv, "kari")

	ctx := officeLogin(t, srv, "kari")
	within(t, ctx, 30*time.Second, click(sel("office-drills")), chromedp.WaitVisible(sel("drill-form")), chromedp.WaitVisible(sel("drill-unit")))
	waitFor(t, ctx, `document.body.textContent.includes("Ingen øvelser ennå")`) // the page's first answers are in
	within(t, ctx, 30*time.Second, chromedp.SendKeys(sel("drill-title"), "Strømbrudd i Nord"))
	// The fields' handlers read them when they run, and the page may be
	// drawn again from its state in between: the end and the units are
	// set again every 1.5 s until the form holds them, then it is sent.
	waitFor(t, ctx, `(() => {
		const boxes = [...document.querySelectorAll('[data-testid="drill-unit"]')];
		const end = document.querySelector('[data-testid="drill-end"]');
		if (end.value !== "" && boxes.every(b => b.checked)) return true;
		if (window.__setAt && Date.now() - window.__setAt < 1500) return false;
		const d = new Date(Date.now() + 3*3600e3);
		const p = n => String(n).padStart(2, "0");
		end.value = d.getFullYear() + "-" + p(d.getMonth()+1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes());
		end.dispatchEvent(new Event("change", {bubbles: true}));
		boxes.filter(b => !b.checked).forEach(b => b.click());
		window.__setAt = Date.now(); return false;
	})()`)
	within(t, ctx, 30*time.Second, click(sel("drill-create")), chromedp.WaitVisible(sel("drill-facts")))
	var drills wire.DrillsResponse
	deskGet(t, srv, token, "/api/v1/drills", &drills)
	if len(drills.Drills) != 1 || drills.Drills[0].Title != "Strømbrudd i Nord" {
		t.Fatalf("drills %+v", drills.Drills)
	}
	drillID := drills.Drills[0].ID

	phone := browser(t)
	loginWithPIN(t, phone, &server{t: t, addr: gw.addr}, "anna", "864208")
	within(t, phone, 30*time.Second, chromedp.WaitVisible(sel("drill-banner")))
	if got := eval[string](t, phone, `document.querySelector('[data-testid="drill-banner"]').textContent`); !strings.Contains(got, "ØVELSE") || !strings.Contains(got, "Strømbrudd i Nord") {
		t.Fatalf("the banner says %q", got)
	}
	shot(t, phone, "drill-banner")

	// The exercise's outage: the phone's network goes, a note waits.
	gw.down.Store(true)
	within(t, phone, 40*time.Second, chromedp.WaitVisible(chromedp.CSS(`[data-testid="net-status"].pill-offline`)))
	within(t, phone, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("note-text")), chromedp.WaitVisible(sel("drill-banner")))
	const text = "Øvelsesnotat skrevet uten nett"
	writeNote(t, phone, text)
	waitFor(t, phone, `document.querySelector('[data-testid="sync-badge"]')?.textContent.trim() === "1"`)

	within(t, ctx, 30*time.Second, click(sel("drill-mark-back")))
	waitFor(t, ctx, `!document.querySelector('[data-testid="drill-network-back"]').textContent.includes("ikke meldt")`)
	gw.down.Store(false)
	waitFor(t, phone, `!document.querySelector('[data-testid="sync-badge"]')`)

	within(t, ctx, 30*time.Second, chromedp.Reload(), chromedp.WaitVisible(sel("drill-record")))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="drill-records"]').textContent`); !strings.Contains(got, "Anna Berg") {
		t.Fatalf("the drill's records %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="drill-participants"]').textContent`); !strings.Contains(got, "Anna Berg") || !strings.Contains(got, "Ja") {
		t.Fatalf("participants %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="drill-phone"]')?.textContent ?? ""`); !strings.Contains(got, "Anna Berg") {
		t.Fatalf("the time to sync %q does not name anna", got)
	}
	shot(t, ctx, "drill-report")

	var real, drill wire.RecordsResponse
	deskGet(t, srv, token, "/api/v1/records?limit=1000", &real)
	deskGet(t, srv, token, "/api/v1/records?drill="+drillID, &drill)
	if len(drill.Records) != 1 || drill.Records[0].Record == nil || drill.Records[0].Record.Text != text || drill.Records[0].Record.DrillID != drillID {
		t.Fatalf("the drill's records %+v", drill.Records)
	}
	for _, r := range real.Records {
		if r.ID == drill.Records[0].ID {
			t.Fatal("the real records list holds the drill's note")
		}
	}
	req, _ := http.NewRequest("GET", srv.url("/api/v1/export/csv"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(csv), text) || strings.Contains(string(csv), drill.Records[0].ID) {
		t.Fatalf("the export (%d) holds the drill's note", resp.StatusCode)
	}
}
