package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeTags are the rule sets every page is checked against: WCAG 2.0 and
// 2.1, levels A and AA, and axe's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// axeExceptions turns single rules off on single pages, each for a reason
// written beside it. A rule is only ever listed here when it is wrong
// about the page, never because the page is hard to fix.
var axeExceptions = map[string][]string{}

// axeSource reads axe-core as fetched and verified by `make axe`, or from
// AXE_JS.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_JS")
	if path == "" {
		path = filepath.Join(repoRoot(t), ".build", "axe", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run `make axe` (make test does), or set AXE_JS to an axe.min.js", err)
	}
	return string(b)
}

// axeViolation is one rule broken on a page, as axe reports it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Nodes   int      `json:"nodes"`
}

// axeAudit checks pages with axe-core in both colour themes and collects
// what it finds.
type axeAudit struct {
	t      *testing.T
	source string
	pages  int
}

// check runs axe on the page as it is now, in the light and then the dark
// theme, and reports every serious or critical violation. The theme is
// set the way the app sets it (web/boot.js reads the same key), so the
// page the app shows is the page that is checked.
func (a *axeAudit) check(ctx context.Context, page string) {
	a.t.Helper()
	for _, theme := range []string{"light", "dark"} {
		a.setTheme(ctx, theme)
		found := a.run(ctx, page, theme)
		a.pages++
		for _, v := range found {
			line := fmt.Sprintf("%s (%s theme): %s [%s] %s; %d element(s): %s",
				page, theme, v.ID, v.Impact, v.Help, v.Nodes, strings.Join(v.Targets, " | "))
			if v.Impact == "serious" || v.Impact == "critical" {
				a.t.Error(line)
			} else {
				a.t.Log("below serious, not failing: " + line)
			}
		}
	}
	shot(a.t, ctx, "a11y-"+page)
}

func (a *axeAudit) setTheme(ctx context.Context, theme string) {
	a.t.Helper()
	eval[bool](a.t, ctx, `(async () => {
		try { localStorage.setItem("beredskap.theme", `+strconv.Quote(theme)+`); } catch (e) {}
		document.documentElement.setAttribute("data-theme", `+strconv.Quote(theme)+`);
		await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
		return true;
	})()`)
}

// run injects axe-core when the document does not have it yet (the app
// changes pages without loading a new document) and runs it.
func (a *axeAudit) run(ctx context.Context, page, theme string) []axeViolation {
	a.t.Helper()
	if !eval[bool](a.t, ctx, `typeof window.axe === "object" && typeof window.axe.run === "function"`) {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := chromedp.Run(c, chromedp.Evaluate[bool](a.source+"\n;true", chromedp.EvalAsValue))
		cancel()
		if err != nil {
			a.t.Fatalf("%s: inject axe-core: %v", page, err)
		}
	}
	disabled := map[string]any{}
	for _, id := range axeExceptions[page] {
		disabled[id] = map[string]bool{"enabled": false}
	}
	opts, err := json.Marshal(map[string]any{
		"runOnly":     map[string]any{"type": "tag", "values": axeTags},
		"rules":       disabled,
		"resultTypes": []string{"violations", "incomplete"},
	})
	if err != nil {
		a.t.Fatal(err)
	}
	// axe cannot tell the background of text that the sticky status bar or
	// the fixed tab bar covers at the moment it looks, and says so as
	// "incomplete" rather than pass or fail. Each such element is brought to
	// the middle of the screen and measured again, so that no text escapes
	// the contrast check by sitting near the bottom of the page.
	c, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	raw, err := chromedp.Run(c, chromedp.Evaluate[string](`(async () => {
		const opts = `+string(opts)+`;
		const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
		window.scrollTo(0, 0);
		await frames();
		const r = await axe.run(document, opts);
		const found = new Map();
		const add = (v, nodes) => {
			const f = found.get(v.id) || {id: v.id, impact: v.impact || "", help: v.help, nodes: 0, targets: []};
			const rank = {minor: 1, moderate: 2, serious: 3, critical: 4};
			if ((rank[v.impact] || 0) > (rank[f.impact] || 0)) f.impact = v.impact;
			f.nodes += nodes.length;
			for (const n of nodes) if (f.targets.length < 4) f.targets.push(n.target.join(" "));
			found.set(v.id, f);
		};
		for (const v of r.violations) add(v, v.nodes);
		const unmeasured = [];
		if (!(opts.rules["color-contrast"])) {
			for (const v of r.incomplete.filter(v => v.id === "color-contrast")) {
				for (const n of v.nodes) {
					const el = n.target.length === 1 ? document.querySelector(n.target[0]) : null;
					if (!el) { unmeasured.push(n.target.join(" ")); continue; }
					el.scrollIntoView({block: "center"});
					await frames();
					const again = await axe.run(el, {runOnly: {type: "rule", values: ["color-contrast"]}, resultTypes: ["violations", "incomplete"]});
					for (const w of again.violations) add(w, w.nodes);
					for (const w of again.incomplete) for (const m of w.nodes) unmeasured.push(m.target.join(" ") + ": " + ((m.any[0] || {}).message || ""));
				}
			}
			window.scrollTo(0, 0);
		}
		return JSON.stringify({violations: [...found.values()], unmeasured});
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		a.t.Fatalf("%s: axe.run: %v", page, err)
	}
	var out struct {
		Violations []axeViolation `json:"violations"`
		Unmeasured []string       `json:"unmeasured"`
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		a.t.Fatalf("%s: axe result: %v", page, err)
	}
	for _, u := range out.Unmeasured {
		a.t.Logf("%s (%s theme): contrast not measurable, look at it: %s", page, theme, u)
	}
	return out.Violations
}

// TestAccessibility runs axe-core over every page of the phone and of the
// office, in the light and the dark theme, and fails on every violation
// axe rates serious or critical.
func TestAccessibility(t *testing.T) {
	audit := &axeAudit{t: t, source: axeSource(t)}
	srv := startServer(t)
	start := time.Now()

	t.Run("phone", func(t *testing.T) {
		audit.t = t
		ctx := browser(t)

		// Signed out: the login page, the settings panel, and the routines,
		// which are readable without an account.
		within(t, ctx, 60*time.Second,
			chromedp.Navigate(srv.url("/")),
			chromedp.WaitVisible(mounted),
			chromedp.WaitVisible(sel("username")),
		)
		audit.check(ctx, "login")
		openSettings(t, ctx)
		audit.check(ctx, "login-settings")
		closeSettings(t, ctx)
		within(t, ctx, 30*time.Second, click(sel("routines-link")), chromedp.WaitVisible(sel("routines")))
		audit.check(ctx, "routines-signed-out")

		// Log in and choose a PIN.
		within(t, ctx, 60*time.Second,
			chromedp.Navigate(srv.url("/")),
			chromedp.WaitVisible(mounted),
			chromedp.WaitVisible(sel("username")),
			chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
			chromedp.SendKeys(sel("username"), "anna"),
			chromedp.SendKeys(sel("password"), "demo"),
			click(sel("login")),
			chromedp.WaitVisible(sel("pin-confirm")),
		)
		audit.check(ctx, "pin-setup")
		within(t, ctx, 60*time.Second,
			chromedp.SendKeys(sel("pin"), "264831"),
			chromedp.SendKeys(sel("pin-confirm"), "264831"),
			click(sel("pin-save")),
			chromedp.WaitVisible(sel("visit")),
		)
		audit.check(ctx, "visits")
		openSettings(t, ctx)
		audit.check(ctx, "visits-settings")
		closeSettings(t, ctx)

		// A visit with its person card, the dose form with the signature
		// pad, the deviation form.
		openVisitWithDose(t, ctx)
		within(t, ctx, 10*time.Second, chromedp.WaitVisible(sel("person-card")))
		audit.check(ctx, "visit")
		writeNote(t, ctx, "Tilsyn gjennomført, alt i orden.")
		audit.check(ctx, "visit-note-saved")
		// A form takes the place of the button that opened it, and the
		// visit takes the place of the form: focus goes with them, to the
		// form's title and back to the visit's, not to the top of the page.
		within(t, ctx, 30*time.Second, click(sel("med-sign")), chromedp.WaitVisible(sel("dose-form")), chromedp.WaitVisible(sel("signature-pad")))
		waitFor(t, ctx, `document.activeElement && document.activeElement.closest('[data-testid="dose-form"]') !== null && document.activeElement.tagName === "H2"`)
		audit.check(ctx, "dose-form")
		drawSignature(t, ctx, "signature-pad")
		within(t, ctx, 30*time.Second, click(sel("med-save")), chromedp.WaitVisible(sel("saved")))
		waitFor(t, ctx, `document.activeElement === document.querySelector("main section h2")`)
		audit.check(ctx, "visit-dose-saved")
		// An as-needed dose: its form, the visit asking for the effect, the
		// interval warning on a second dose, the effect form.
		within(t, ctx, 30*time.Second, click(sel("prn-give")), chromedp.WaitVisible(sel("prn-form")))
		audit.check(ctx, "prn-form")
		within(t, ctx, 10*time.Second, click(sel("prn-indication")))
		drawSignature(t, ctx, "signature-pad")
		within(t, ctx, 30*time.Second, click(sel("prn-save")), chromedp.WaitVisible(sel("prn-effect-pending")))
		audit.check(ctx, "visit-prn-effect-pending")
		within(t, ctx, 30*time.Second, click(sel("prn-give")), chromedp.WaitVisible(sel("prn-form")))
		within(t, ctx, 10*time.Second, click(sel("prn-indication")))
		drawSignature(t, ctx, "signature-pad")
		within(t, ctx, 30*time.Second, click(sel("prn-save")), chromedp.WaitVisible(sel("prn-warning")))
		audit.check(ctx, "prn-warning")
		within(t, ctx, 30*time.Second, click(chromedp.CSS(`[data-testid="prn-form"] .form-actions .btn:not(.btn-primary)`)),
			chromedp.WaitVisible(sel("prn-effect-open")))
		within(t, ctx, 30*time.Second, click(sel("prn-effect-open")), chromedp.WaitVisible(sel("prn-effect-form")))
		audit.check(ctx, "prn-effect-form")
		within(t, ctx, 10*time.Second, click(sel("prn-effect-good")))
		within(t, ctx, 30*time.Second, click(sel("prn-effect-save")), chromedp.WaitVisible(sel("saved")))
		within(t, ctx, 30*time.Second, click(sel("deviation-new")), chromedp.WaitVisible(sel("deviation-form")))
		waitFor(t, ctx, `document.activeElement && document.activeElement.closest('[data-testid="deviation-form"]') !== null && document.activeElement.tagName === "H2"`)
		audit.check(ctx, "deviation-form")

		// The unit's patients, the priority list, and a colleague's visit,
		// which asks for a reason first.
		within(t, ctx, 30*time.Second, click(sel("tab-unit")), chromedp.WaitVisible(sel("unit-list")))
		audit.check(ctx, "unit")
		within(t, ctx, 30*time.Second, click(sel("priority-link")), chromedp.WaitVisible(sel("priority-list")))
		audit.check(ctx, "priority")
		within(t, ctx, 30*time.Second,
			click(sel("tab-unit")), chromedp.WaitVisible(sel("unit-list")),
			click(chromedp.CSS(`[data-testid="unit-list"] a`)), chromedp.WaitVisible(sel("emergency-gate")))
		audit.check(ctx, "emergency-gate")
		within(t, ctx, 30*time.Second,
			chromedp.SendKeys(sel("emergency-reason"), "Kollega syk, overtar besøket."),
			click(sel("emergency-open")),
			chromedp.WaitVisible(sel("emergency-active")),
			chromedp.WaitVisible(sel("person-card")),
		)
		audit.check(ctx, "visit-emergency")

		// Sync: what is waiting, then sent.
		within(t, ctx, 30*time.Second, click(sel("tab-sync")), chromedp.WaitVisible(sel("sync-now")))
		audit.check(ctx, "sync")
		within(t, ctx, 60*time.Second, click(sel("sync-now")), chromedp.WaitVisible(sel("sync-result")))
		audit.check(ctx, "sync-sent")

		within(t, ctx, 30*time.Second, click(sel("tab-routines")), chromedp.WaitVisible(sel("routine")))
		audit.check(ctx, "routines")
		within(t, ctx, 30*time.Second, click(sel("routine")), chromedp.WaitVisible(sel("routine-detail")))
		audit.check(ctx, "routine")

		// Locked: the unlock page, and the routines, which the phone shows
		// without the PIN.
		within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("lock")),
			click(sel("lock")), chromedp.WaitVisible(sel("unlock")))
		audit.check(ctx, "unlock")
		within(t, ctx, 30*time.Second, click(sel("tab-routines")), chromedp.WaitVisible(sel("routine")))
		audit.check(ctx, "routines-locked")
		within(t, ctx, 30*time.Second, click(sel("routine")), chromedp.WaitVisible(sel("routine-detail")))
		audit.check(ctx, "routine-locked")
	})

	t.Run("office", func(t *testing.T) {
		audit.t = t
		ctx := desk(t)
		within(t, ctx, 60*time.Second,
			chromedp.Navigate(srv.url("/office")),
			chromedp.WaitVisible(mounted),
			chromedp.WaitVisible(sel("username")),
		)
		audit.check(ctx, "office-login")
		within(t, ctx, 60*time.Second,
			chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
			chromedp.SendKeys(sel("username"), "admin"),
			chromedp.SendKeys(sel("password"), "demo"),
			click(sel("login")),
			chromedp.WaitVisible(sel("office-logout")),
			chromedp.WaitVisible(chromedp.CSS(`.tiles`)),
		)
		audit.check(ctx, "office-dashboard")

		pages := []struct {
			name, tab string
			ready     chromedp.CSS
		}{
			{"office-records", "office-records", sel("record-row")},
			{"office-findings", "office-findings", sel("finding")},
			{"office-authors", "office-authors", sel("authors-table")},
			{"office-announcements", "office-status", sel("announcement-text")},
			{"office-priority", "office-priority", sel("priority-table")},
			{"office-readiness", "office-readiness", sel("readiness-window")},
			{"office-sync-health", "office-sync-health", sel("sync-health-window")},
			{"office-drills", "office-drills", sel("drill-form")},
			{"office-routines", "office-routines", sel("routine-new")},
			{"office-plan", "office-plan", sel("plan-file")},
			{"office-audit", "office-audit", sel("audit-row")},
			{"office-admin", "office-users", sel("users-table")},
		}
		for _, pg := range pages {
			within(t, ctx, 30*time.Second, click(sel(pg.tab)), chromedp.WaitVisible(pg.ready))
			audit.check(ctx, pg.name)
			switch pg.name {
			case "office-records":
				// Every kind of record the phone sent: a note, a signed dose
				// (its signature drawn), an emergency access.
				hrefs := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="record-link"]')].map(a => a.getAttribute("href"))`)
				if len(hrefs) < 3 {
					t.Fatalf("the office lists %d records, want the phone's note, dose and emergency access", len(hrefs))
				}
				for i, h := range hrefs {
					within(t, ctx, 30*time.Second,
						chromedp.Navigate(srv.url(h)), chromedp.WaitVisible(mounted), chromedp.WaitVisible(sel("record-detail")))
					audit.check(ctx, fmt.Sprintf("office-record-%d", i+1))
				}
			case "office-routines":
				within(t, ctx, 30*time.Second, click(sel("routine-new")), chromedp.WaitVisible(sel("routine-title")))
				audit.check(ctx, "office-routine-editor")
			}
		}
	})
	t.Logf("axe-core checked %d page states in %s", audit.pages, time.Since(start).Round(time.Second))
}
