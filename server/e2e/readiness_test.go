package e2e

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/wire"
)

// TestReadinessOnTheDesk: the overview counts what no phone would hold if
// the network died now; the readiness page lists the visits, with names
// and local times in Norwegian, for a window the coordinator widens to
// tomorrow; the reminder goes to exactly the workers the page names, as
// important announcements addressed to them.
func TestReadinessOnTheDesk(t *testing.T) {
	srv := startServer(t)
	// A visit for anna within the hours a shift fetched now would last,
	// so that the reminder has someone to go to at any time of day.
	token := loginToken(t, srv, "kari")
	soon := time.Now().Add(time.Hour).Truncate(time.Minute)
	importPlan(t, srv, token, plan.Plan{
		Patients: []plan.Patient{{SourceID: "EPJ-READY-1", Unit: "Hjemmetjenesten Nord", Name: "Rut Klarsen", Address: "Bakken 1, 3210 Fjordvik", Priority: 2}},
		Visits:   []plan.Visit{{SourceID: "SPIDER-READY-1", PatientSourceID: "EPJ-READY-1", Worker: "anna", Start: soon, DurationMinutes: 30, Tasks: []string{"Tilsyn"}}},
	})

	ctx := officeLogin(t, srv, "kari")

	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("overview-readiness")), chromedp.WaitVisible(sel("readiness-count-uncovered")))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="overview-readiness"] h2').textContent`); !strings.Contains(got, "Klar for nettbrudd") {
		t.Fatalf("overview heading %q", got)
	}
	shot(t, ctx, "readiness-overview")

	within(t, ctx, 30*time.Second, click(sel("readiness-open")), chromedp.WaitVisible(sel("readiness-window")))
	// Widen the window to 47 hours: tomorrow's visits, which no phone holds yet.
	// The field's handler reads the field when it runs, and the page may
	// be drawn again from the state in between (its first answer coming
	// in): the time is set again every 1.5 s until the visits show.
	waitFor(t, ctx, `(() => {
		if (document.querySelectorAll('[data-testid="readiness-visit"]').length > 0) return true;
		if (window.__setAt && Date.now() - window.__setAt < 1500) return false;
		const d = new Date(Date.now() + 47*3600e3);
		const p = n => String(n).padStart(2, "0");
		const e = document.querySelector('[data-testid="readiness-until"]');
		e.value = d.getFullYear() + "-" + p(d.getMonth()+1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes());
		e.dispatchEvent(new Event("change", {bubbles: true}));
		window.__setAt = Date.now(); return false;
	})()`)
	waitFor(t, ctx, `document.querySelector('[data-testid="readiness-count-uncovered"] .tile-num').textContent == String(document.querySelectorAll('[data-testid="readiness-visit"]').length)`)

	if got := eval[string](t, ctx, `document.querySelector('[data-testid="readiness-uncovered"]').textContent`); !strings.Contains(got, "Rut Klarsen") || !strings.Contains(got, "Anna Berg") || !strings.Contains(got, "ingen gyldig vakt") {
		t.Fatalf("the uncovered visits do not name anna or say she has no shift: %q", got)
	}
	first := eval[string](t, ctx, `document.querySelector('[data-testid="readiness-visit"] td').textContent`)
	if !regexp.MustCompile(`\d\d:\d\d–\d\d:\d\d`).MatchString(first) {
		t.Fatalf("visit time %q, want local clock times", first)
	}
	remind, err := strconv.Atoi(eval[string](t, ctx, `document.querySelector('[data-testid="readiness-count-remind"] .tile-num').textContent`))
	if err != nil || remind == 0 {
		t.Fatalf("to remind: %d %v", remind, err)
	}
	// The page at phone size, for the README.
	within(t, ctx, 10*time.Second, chromedp.EmulateViewport(390, 844))
	shot(t, ctx, "readiness")
	within(t, ctx, 10*time.Second, chromedp.EmulateViewport(1280, 900))

	before := time.Now()
	within(t, ctx, 30*time.Second, click(sel("readiness-remind")), chromedp.WaitVisible(sel("readiness-notice")))
	want := "Viktig melding sendt til " + strconv.Itoa(remind) + " ansatte"
	if remind == 1 {
		want = "Viktig melding sendt til 1 ansatt."
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="readiness-notice"]').textContent`); !strings.Contains(got, want) {
		t.Fatalf("notice %q, want %d workers", got, remind)
	}

	var anns wire.AnnouncementsResponse
	deskGet(t, srv, token, "/api/v1/announcements?since="+url.QueryEscape(before.Add(-time.Minute).UTC().Format(time.RFC3339)), &anns)
	var to []string
	for _, a := range anns.Announcements {
		if len(a.Users) > 0 {
			if a.Level != care.LevelImportant {
				t.Errorf("reminder %+v is not important", a)
			}
			to = append(to, a.Users...)
		}
	}
	slices.Sort(to)
	if len(slices.Compact(to)) != remind {
		t.Fatalf("the reminders are addressed to %d workers, the page named %d", len(to), remind)
	}

	// Anna, one of them, reads it on her phone when she fetches her shift.
	phone := browser(t)
	loginWithPIN(t, phone, srv, "anna", "975310")
	waitFor(t, phone, `[...document.querySelectorAll('[data-testid="new-announcement"]')].some(e => e.textContent.includes("Viktig før et mulig nettbrudd"))`)
	shot(t, phone, "readiness-reminder")
}
