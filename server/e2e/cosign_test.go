package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/wire"
)

// addNurse makes a second nurse of the first nurse's units, through the
// admin API, so that a dose of Nord can be co-signed by a colleague on
// her own phone.
func addNurse(t *testing.T, srv *server, username, password string, units []string) {
	t.Helper()
	body, _ := json.Marshal(wire.NewUserRequest{Username: username, Name: "Eva Nygård", Role: care.RoleNurse, Units: units, Password: password})
	req, _ := http.NewRequest("POST", srv.url("/api/v1/users"), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+loginToken(t, srv, "admin"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("add user: %d", resp.StatusCode)
	}
}

// loginWithPassword is loginWithPIN for a user whose password is not the
// demo's.
func loginWithPassword(t *testing.T, ctx context.Context, srv *server, username, password, pin string) {
	t.Helper()
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
		chromedp.SendKeys(sel("username"), username),
		chromedp.SendKeys(sel("password"), password),
		click(sel("login")),
		chromedp.WaitVisible(sel("pin-confirm")),
		chromedp.SendKeys(sel("pin"), pin),
		chromedp.SendKeys(sel("pin-confirm"), pin),
		click(sel("pin-save")),
		chromedp.WaitVisible(sel("cosign-link")),
	)
}

// addDoubleCheckDose imports, as the record system's plan would bring
// it, a double-check dose at the user's first own visit in the bundle, so
// that the test does not depend on the hour the demo's doses fall at.
func addDoubleCheckDose(t *testing.T, srv *server, username string) {
	t.Helper()
	b := fetchBundle(t, srv, username)
	for _, v := range b.Visits {
		if !b.Own(v) {
			continue
		}
		pt, _ := b.Patient(v.PatientID)
		importPlan(t, srv, loginToken(t, srv, "kari"), plan.Plan{Visits: []plan.Visit{{SourceID: v.SourceID, PatientSourceID: pt.SourceID, Worker: username,
			Start: v.Start, DurationMinutes: v.DurationMinutes, Tasks: v.Tasks}}, Medications: []plan.Dose{{SourceID: "E2E-COSIGN-1", PatientSourceID: pt.SourceID,
			VisitSourceID: v.SourceID, Medication: "Morfin", Dose: "5 mg", Route: "s.c.", Due: v.Start, DoubleCheck: true}}})
		return
	}
	t.Fatalf("%s has no visit of her own", username)
}

// openDoseThatNeedsCosign opens the first own visit with a dose marked
// for a double check or as a controlled drug, and that dose's form.
func openDoseThatNeedsCosign(t *testing.T, ctx context.Context) {
	t.Helper()
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")))
	hrefs := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="visit"]')].map(a => a.getAttribute("href"))`)
	for _, h := range hrefs {
		within(t, ctx, 30*time.Second, click(chromedp.CSS(`a[href="`+h+`"]`)), chromedp.WaitVisible(sel("doses")))
		i := eval[int](t, ctx, `[...document.querySelectorAll('[data-testid="dose"]')].findIndex(d => d.querySelector('.tag-vital') !== null)`)
		if i >= 0 {
			eval[bool](t, ctx, `(() => { const b = document.querySelectorAll('[data-testid="dose"]')[`+strconv.Itoa(i)+`].querySelector('[data-testid="med-sign"]');
				b.scrollIntoView({block: "center"}); b.click(); return true; })()`)
			within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("dose-form")), chromedp.WaitVisible(sel("cosign-on-phone")))
			return
		}
		within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("visit")))
	}
	t.Fatal("no own visit with a dose that needs a second signature")
}

// TestCosignOnHerOwnPhone: two nurses of Nord, each on her own phone, both
// offline. The first gives a double-check dose and her phone shows its
// code, which she leaves and finds again on the visit; the second types
// the code on her phone, sees the dose from her own shift and signs. Back
// online both phones send, and the desk shows the administration linked
// to the co-signature with no cosigner_unverified finding.
func TestCosignOnHerOwnPhone(t *testing.T) {
	srv := startServer(t)
	nilsLogin := func() wire.LoginResponse {
		body, _ := json.Marshal(wire.LoginRequest{Username: "nils", Password: "demo"})
		resp, err := http.Post(srv.url("/api/v1/session"), "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var lr wire.LoginResponse
		if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil {
			t.Fatal(err)
		}
		return lr
	}()
	addNurse(t, srv, "eva", "lang-passord-for-eva", nilsLogin.User.Units)
	addDoubleCheckDose(t, srv, "nils")

	first, second := browser(t), browser(t)
	loginWithPIN(t, first, srv, "nils", "246802")
	waitServiceWorker(t, first)
	loginWithPassword(t, second, srv, "eva", "lang-passord-for-eva", "135791")
	waitServiceWorker(t, second)
	srv.stop()

	// The first phone, offline: the dose, and its code.
	within(t, first, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	unlock(t, first, "246802")
	openDoseThatNeedsCosign(t, first)
	drawSignature(t, first, "signature-pad")
	within(t, first, 30*time.Second, click(sel("med-save")), chromedp.WaitVisible(sel("cosign-code-shown")))
	shot(t, first, "cosign-code")
	code := strings.ReplaceAll(eval[string](t, first, `document.querySelector('[data-testid="cosign-code-shown"]').textContent`), "-", "")
	if !care.IsCosignCode(code) {
		t.Fatalf("the phone shows %q, not a code", code)
	}
	within(t, first, 30*time.Second, click(sel("cosign-code-done")), chromedp.WaitVisible(sel("cosign-waiting")))
	within(t, first, 30*time.Second, click(sel("cosign-show")), chromedp.WaitVisible(sel("cosign-code-shown")))
	if again := strings.ReplaceAll(eval[string](t, first, `document.querySelector('[data-testid="cosign-code-shown"]').textContent`), "-", ""); again != code {
		t.Fatalf("shown again as %q, first as %q", again, code)
	}
	within(t, first, 30*time.Second, click(sel("cosign-code-done")), chromedp.WaitVisible(sel("cosign-waiting")))

	// The second phone, offline: a wrong code is refused, the right one
	// finds the dose in her own shift.
	within(t, second, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	unlock(t, second, "135791")
	within(t, second, 30*time.Second, click(sel("cosign-link")), chromedp.WaitVisible(sel("cosign-code")))
	wrong := "2" + code[1:]
	if code[0] == '2' {
		wrong = "3" + code[1:]
	}
	within(t, second, 30*time.Second, chromedp.SendKeys(sel("cosign-code"), strings.ToLower(wrong)), click(sel("cosign-find")),
		chromedp.WaitVisible(sel("cosign-error")))
	// go-app keeps an input's value in the component: the field is
	// emptied through the page's own input event, then typed into.
	eval[bool](t, second, `(() => { const e = document.querySelector('[data-testid="cosign-code"]'); e.value = "";
		e.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
	within(t, second, 30*time.Second, chromedp.SendKeys(sel("cosign-code"), code[:4]+"-"+strings.ToLower(code[4:])), click(sel("cosign-find")),
		chromedp.WaitVisible(sel("cosign-form")))
	if got := eval[string](t, second, `document.querySelector('[data-testid="cosign-dose"]').textContent`); !strings.Contains(got, "·") {
		t.Fatalf("the dose reads %q", got)
	}
	drawSignature(t, second, "cosign-pad")
	shot(t, second, "cosign-form")
	within(t, second, 30*time.Second, click(sel("cosign-save")), chromedp.WaitVisible(sel("cosign-saved")))

	// Network back: both phones send.
	srv.start()
	for _, ctx := range []context.Context{first, second} {
		within(t, ctx, 30*time.Second, click(sel("tab-sync")), chromedp.WaitVisible(sel("record")))
		waitFor(t, ctx, `(() => {
			const s = [...document.querySelectorAll('[data-testid="sync-state"]')].map(e => e.dataset.state);
			return s.length > 0 && s.every(x => x === "sent");
		})()`)
	}

	// The desk: the administration is linked to her co-signature, and
	// no co-signature finding names it.
	kari := loginToken(t, srv, "kari")
	var recs wire.RecordsResponse
	deskGet(t, srv, kari, "/api/v1/records?type=medication&author="+nilsLogin.User.ID, &recs)
	var admin wire.RecordView
	for _, r := range recs.Records {
		var v wire.RecordView
		deskGet(t, srv, kari, "/api/v1/records/"+r.ID, &v)
		if v.Record != nil && v.Record.CosignCode == code {
			admin = v
		}
	}
	if admin.ID == "" || len(admin.Cosigns) != 1 || admin.Cosigns[0].Problem != "" || admin.Cosigns[0].AuthorName != "Eva Nygård" {
		t.Fatalf("the administration with code %s: %+v", code, admin)
	}
	// The record page at the desk shows the link, in the coordinator's
	// language, and nothing unverified.
	dctx := desk(t)
	within(t, dctx, 60*time.Second,
		chromedp.Navigate(srv.url("/office/records/"+admin.ID)),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")),
		chromedp.SendKeys(sel("username"), "kari"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("cosign-link")),
	)
	shot(t, dctx, "cosign-record")
	page := eval[string](t, dctx, `document.querySelector('[data-testid="record-detail"]').textContent`)
	if !strings.Contains(page, "Medsignert på egen telefon") || !strings.Contains(page, "Eva Nygård") || strings.Contains(page, "ikke bekreftet") {
		t.Errorf("the record page reads %q", page)
	}
	for _, kind := range []string{wire.FindingCosignerUnverified, wire.FindingMissingCosignature} {
		var fr wire.FindingsResponse
		deskGet(t, srv, kari, "/api/v1/findings?kind="+kind+"&patient="+admin.PatientID, &fr)
		for _, f := range fr.Findings {
			for _, id := range f.RecordIDs {
				if id == admin.ID {
					t.Errorf("the co-signed dose has a %s finding: %+v", kind, f)
				}
			}
		}
	}
}
