package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOfficeErrorsInNorwegian (issue 15): a Norwegian coordinator reads
// what is wrong in Norwegian, not the server's English. A plan whose
// routine has no steps is refused by the server, and its problem row says
// so in Norwegian; a routine saved without a title says «Tittel må fylles
// ut.» where the page once showed «Ugyldig forespørsel: invalid_input:
// title is required».
func TestOfficeErrorsInNorwegian(t *testing.T) {
	srv := startServer(t)
	ctx := officeLogin(t, srv, "kari")

	plan := filepath.Join(t.TempDir(), "plan.json")
	body := `{"routines":[{"id":"R-tom","title":"Strømbrudd","scenario":"power_loss","steps":[]}]}`
	if err := os.WriteFile(plan, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 30*time.Second,
		click(sel("office-plan")),
		chromedp.WaitVisible(sel("plan-file")),
		chromedp.SetUploadFiles(sel("plan-file"), []string{plan}),
		chromedp.WaitVisible(sel("plan-problem")),
	)
	row := eval[string](t, ctx, `document.querySelector('[data-testid="plan-problem"]').textContent`)
	if !strings.Contains(row, "Trinn: det må være fra 1 til 50.") || strings.Contains(row, "a routine needs") {
		t.Fatalf("plan problem row %q", row)
	}
	shot(t, ctx, "plan-problem-nb")

	within(t, ctx, 30*time.Second,
		click(sel("office-routines")),
		chromedp.WaitVisible(sel("routine-new")),
		click(sel("routine-new")),
		chromedp.WaitVisible(sel("routine-title")),
		chromedp.SendKeys(sel("routine-title"), "   "),
		chromedp.SendKeys(sel("routine-steps"), "Ring basen"),
		click(sel("routine-save")),
		chromedp.WaitVisible(sel("office-error")),
	)
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="office-error"]').textContent`); got != "Tittel må fylles ut." {
		t.Fatalf("office error %q", got)
	}
	shot(t, ctx, "routine-error-nb")
}
