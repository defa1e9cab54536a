package app

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/wire"
)

// TestMarkAllPanelReadsInTheCoordinatorsLanguage: a bulk job's progress,
// end and failure read in the coordinator's language, with numbers
// grouped the way that language groups them.
func TestMarkAllPanelReadsInTheCoordinatorsLanguage(t *testing.T) {
	running := wire.ReconcileJob{Status: wire.JobRunning, Total: 31417, Done: 1195, Skipped: 3, Held: 2}
	done := wire.ReconcileJob{Status: wire.JobDone, Total: 31417, Done: 31410, Skipped: 5, Held: 2}
	failed := wire.ReconcileJob{Status: wire.JobFailed, Total: 31417, Done: 1500, FailureKey: "bulk.failure.starter", Failure: "the user who started the job may no longer reconcile records"}
	unknown := wire.ReconcileJob{Status: wire.JobFailed, Total: 10, Done: 0, FailureKey: "bulk.failure.new_in_a_later_server"}
	cases := []struct {
		lang string
		job  wire.ReconcileJob
		want []string
	}{
		{"nb", running, []string{"Merker som ført inn: 1\u00a0200 av 31\u00a0417 …", `value="1200"`, `max="31417"`, "3 var allerede ført inn", "2 i karantene"}},
		{"da", running, []string{"Markerer som ført ind: 1.200 af 31.417 …"}},
		{"en", done, []string{"31,410 marked entered.", "5 were already entered or voided by someone else.", "2 quarantined were not marked"}},
		{"sv", done, []string{"31\u00a0410 markerade som införda."}},
		{"nb", failed, []string{"Merkingen stoppet etter 1\u00a0500: den som startet den, kan ikke lenger føre inn registreringer."}},
		{"en", unknown, []string{"Marking stopped after 0: Something went wrong on the server."}},
	}
	for _, c := range cases {
		s := shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{})
		s.Prefs().SetLang(context.Background(), c.lang)
		j := c.job
		p := &recordsPage{officePage: officePage{page: page{shift: s}}, job: &j}
		out := html.UnescapeString(app.HTMLString(p.markAllPanel()))
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s, %s job: %q not in\n%s", c.lang, c.job.Status, w, out)
			}
		}
	}
	// The confirmation names the number and the reference.
	s := shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{})
	s.Prefs().SetLang(context.Background(), "en")
	p := &recordsPage{officePage: officePage{page: page{shift: s}}, confirming: true, confirmCount: 31417, ehrRef: " EPJ-7 "}
	if out := html.UnescapeString(app.HTMLString(p.markAllPanel())); !strings.Contains(out, "Mark 31,417 new records of your units as entered, with the reference “EPJ-7”?") {
		t.Errorf("confirmation: %s", out)
	}
	if out := app.HTMLString((&recordsPage{officePage: officePage{page: page{shift: s}}}).markAllPanel()); strings.Contains(out, "data-testid") {
		t.Errorf("nothing to show, yet: %s", out)
	}
}
