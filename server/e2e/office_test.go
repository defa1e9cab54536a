package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"beredskap/internal/plan"
	"beredskap/internal/wire"
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

// TestFindingsReadInNorwegian: on a phone-sized desk in Oslo, each of the
// demo's findings reads in Norwegian, with the worker's name and the time
// in Oslo time, never the server's English message, RFC 3339 times or user
// ids (issue 16: «visit at 2026-12-01T06:30:00Z by 5ce174a2-… has no status
// or note»); the page says which of how many it shows, and a finding
// resolved leaves the open ones and shows among the resolved.
func TestFindingsReadInNorwegian(t *testing.T) {
	srv := startServer(t)
	token := loginToken(t, srv, "kari")
	// A visit and a dose three hours ago that nobody documented, so that
	// there are findings at any hour: just after midnight the demo's own
	// day has not begun.
	ago := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	importPlan(t, srv, token, plan.Plan{
		Patients: []plan.Patient{{SourceID: "EPJ-FIND-1", Unit: "Hjemmetjenesten Nord", Name: "Rut Klarsen", Address: "Bakken 1, 3210 Fjordvik", Priority: 2}},
		Visits:   []plan.Visit{{SourceID: "SPIDER-FIND-1", PatientSourceID: "EPJ-FIND-1", Worker: "anna", Start: ago, DurationMinutes: 30, Tasks: []string{"Tilsyn"}}},
		Medications: []plan.Dose{{SourceID: "FIND-DOSE-1", PatientSourceID: "EPJ-FIND-1", VisitSourceID: "SPIDER-FIND-1",
			Medication: "Paracetamol", Dose: "1 g", Route: "oral", Due: ago}},
	})
	var dir wire.Directory
	getJSON(t, srv, "/api/v1/directory", token, &dir)
	var all wire.FindingsResponse
	getJSON(t, srv, "/api/v1/findings?since="+url.QueryEscape(time.Now().Add(-72*time.Hour).UTC().Format(time.RFC3339)), token, &all)
	byID := map[string]wire.Finding{}
	for _, f := range all.Findings {
		byID[f.ID] = f
	}
	users := map[string]string{}
	for _, u := range dir.Users {
		users[u.ID] = u.Name
	}
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}

	ctx := desk(t)
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	if _, err := chromedp.Call(c, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Oslo"}); err != nil {
		t.Fatal(err)
	}
	cancel()
	within(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.url("/office/findings")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")),
		chromedp.SendKeys(sel("username"), "kari"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("finding")),
	)
	screenShot(t, ctx, "findings-nb")
	eval[bool](t, ctx, `(() => { document.querySelector('[data-testid="finding"]').scrollIntoView(); return true; })()`)
	screenShot(t, ctx, "findings-nb-card")
	eval[bool](t, ctx, `(() => { const c = document.querySelector('[data-kind="missing_administration"]');
		const d = c && c.querySelector("details");
		if (d) { d.open = true; c.scrollIntoView(); } return true; })()`)
	screenShot(t, ctx, "findings-nb-dose")

	type card struct{ ID, Kind, Text string }
	cards := eval[[]card](t, ctx, `[...document.querySelectorAll('[data-testid="finding"]')].map(c =>
		({ID: c.dataset.id, Kind: c.dataset.kind, Text: c.querySelector('[data-testid="finding-text"]').textContent}))`)
	if len(cards) == 0 {
		t.Fatal("no findings shown")
	}
	rfc3339 := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d`)
	uuid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-`)
	for _, c := range cards {
		f, ok := byID[c.ID]
		if !ok {
			t.Errorf("finding %s shown but not answered by the API", c.ID)
			continue
		}
		if c.Text == f.Message || rfc3339.MatchString(c.Text) {
			t.Errorf("%s reads %q: the server's English, or its times", c.Kind, c.Text)
		}
		for name, v := range f.Args {
			switch {
			case strings.HasSuffix(name, "_at"):
				at, err := time.Parse(time.RFC3339, v)
				if err != nil {
					t.Fatalf("%s %s=%q: %v", c.ID, name, v, err)
				}
				if want := at.In(oslo).Format("02.01.2006 15:04"); !strings.Contains(c.Text, want) {
					t.Errorf("%s reads %q, without %s in Oslo time (%s)", c.Kind, c.Text, name, want)
				}
			case name == "author" || name == "worker":
				if want := users[v]; want == "" || !strings.Contains(c.Text, want) || strings.Contains(c.Text, v) {
					t.Errorf("%s reads %q: want the name %q for %s, not the id", c.Kind, c.Text, want, v)
				}
			}
		}
	}
	if !slices.ContainsFunc(cards, func(c card) bool { return c.Kind == wire.FindingUndocumentedVisit }) {
		t.Errorf("the demo's undocumented visits are not shown")
	}
	want := fmt.Sprintf("1–%d av %s", len(cards), groupNB(max(all.Total, len(cards))))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="findings-count"]').textContent`); got != want {
		t.Errorf("count reads %q, want %q", got, want)
	}

	// Resolve the first: it leaves the open findings, and shows among the
	// resolved with the comment.
	first := cards[0].ID
	within(t, ctx, 30*time.Second,
		chromedp.SendKeys(chromedp.CSS(`[data-id="`+first+`"] [data-testid="resolve-comment"]`), "Ringt Nils: besøket ble gjort, ført i journalen."),
		click(chromedp.CSS(`[data-id="`+first+`"] [data-testid="resolve"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-id="`+first+`"]`)),
	)
	want = fmt.Sprintf("1–%d av %s", len(cards)-1, groupNB(max(all.Total, len(cards))-1))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="findings-count"]').textContent`); got != want {
		t.Errorf("after resolving, count reads %q, want %q", got, want)
	}
	eval[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid="filter-status"]');
		s.value = "resolved"; return s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	within(t, ctx, 30*time.Second,
		chromedp.WaitVisible(chromedp.CSS(`[data-id="`+first+`"] [data-testid="finding-resolved"]`)),
	)
	if n := count(t, ctx, "finding"); n != 1 {
		t.Errorf("%d resolved findings shown, want the one just resolved", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="finding-resolved"]').textContent`); !strings.HasPrefix(got, "Løst av ") || !strings.Contains(got, "ført i journalen") || uuid.MatchString(got) {
		t.Errorf("resolution reads %q", got)
	}
	screenShot(t, ctx, "findings-nb-resolved")
}

// groupNB writes n as Norwegian groups digits: "1 234" with a no-break
// space.
func groupNB(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u00a0" + s[i:]
	}
	return s
}

// getJSON makes an authenticated read and decodes its answer.
// importPlan imports p through the API as the record system's plan
// would bring it; the import must succeed.
func importPlan(t *testing.T, srv *server, token string, p plan.Plan) {
	t.Helper()
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", srv.url("/api/v1/plan"), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("plan import: %d %s", resp.StatusCode, raw)
	}
}

func getJSON(t *testing.T, srv *server, path, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.url(path), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
