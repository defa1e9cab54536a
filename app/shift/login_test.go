package shift_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	ui "beredskap/app/shift"
	"beredskap/internal/auth"
	"beredskap/internal/i18n"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// TestLoginProof: the proof's challenge is the S256 challenge the server
// checks the proof against (oauth2's), in the form its start endpoint
// accepts; every login has its own proof.
func TestLoginProof(t *testing.T) {
	form := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 20 {
		v, c, err := ui.NewLoginProof()
		if err != nil {
			t.Fatal(err)
		}
		if c != oauth2.S256ChallengeFromVerifier(v) {
			t.Fatalf("challenge %q of %q is not S256", c, v)
		}
		if !form.MatchString(c) || !form.MatchString(v) {
			t.Fatalf("proof %q, challenge %q: not 43 characters of base64url", v, c)
		}
		if seen[v] {
			t.Fatalf("proof %q twice", v)
		}
		seen[v] = true
	}
	u := ui.StartURL("helse id", "phone", "abc")
	if u != "/api/v1/oidc/start?challenge=abc&provider=helse+id&target=phone" {
		t.Fatalf("start URL %q", u)
	}
}

// TestLoginFallbackCodeOnce: an admin issues a sheet; its codes do not
// work until a provider outage is declared; then one code logs the
// phone in (PIN and shift as a password login), and the same code on
// another phone is refused with the server's key, in the user's
// language; the sheet has one code less, and the outage ends.
func TestLoginFallbackCodeOnce(t *testing.T) {
	ctx := context.Background()
	be := newBackend(t, 8*time.Hour)
	api := ui.NewAPI(be.url)
	admin, err := api.Login(ctx, "admin", "demo")
	if err != nil {
		t.Fatal(err)
	}
	ur, err := api.Users(ctx, admin.Token)
	if err != nil {
		t.Fatal(err)
	}
	var nils string
	for _, u := range ur.Users {
		if u.Username == "nils" {
			nils = u.ID
		}
	}
	sheet, err := api.IssueFallbackSheet(ctx, admin.Token, nils)
	if err != nil || len(sheet.Codes) < 2 || sheet.Username != "nils" {
		t.Fatalf("sheet %+v, %v", sheet, err)
	}
	if pr, err := api.Providers(ctx); err != nil || len(pr.Providers) != 0 {
		t.Fatalf("providers without --auth-config: %+v, %v", pr, err)
	}

	phone := newPhone(t, be)
	s := phone.open()
	err = s.Keyring().LoginFallback(ctx, "nils", sheet.Codes[0], "phone")
	if key := errorKey(err); key != "error.fallback_no_outage" {
		t.Fatalf("a code without an outage: %v (key %q)", err, key)
	}

	st, err := api.ChangeProviderOutage(ctx, admin.Token, wire.ProviderOutageRequest{Action: "declare", Reason: "HelseID er nede", Hours: 2})
	if err != nil || !st.Active || st.Until == nil {
		t.Fatalf("declare: %+v, %v", st, err)
	}
	if st, err := api.ProviderOutage(ctx); err != nil || !st.Active || st.Reason != "HelseID er nede" {
		t.Fatalf("status: %+v, %v", st, err)
	}
	// The code as a user types it from paper: lower case, spaces.
	typed := strings.ToLower(sheet.Codes[0])
	if err := s.Keyring().LoginFallback(ctx, "nils", " "+typed+" ", "phone"); err != nil {
		t.Fatalf("the first use: %v", err)
	}
	if s.Phase() != ui.PhasePIN {
		t.Fatalf("phase %v after the login, want the PIN choice", s.Phase())
	}
	if err := s.Keyring().SetPIN(ctx, "482915", "482915"); err != nil {
		t.Fatal(err)
	}
	if s.Phase() != ui.PhaseUnlocked {
		t.Fatalf("phase %v after the PIN", s.Phase())
	}

	other := newPhone(t, be).open()
	err = other.Keyring().LoginFallback(ctx, "nils", sheet.Codes[0], "other phone")
	if key := errorKey(err); key != "error.fallback_code_used" {
		t.Fatalf("the second use: %v (key %q)", err, key)
	}
	if got, want := ui.ErrorText("nb", err), i18n.T("nb", "error.fallback_code_used"); got != want {
		t.Fatalf("the refusal reads %q, want %q", got, want)
	}
	left, err := api.FallbackSheet(ctx, admin.Token, nils)
	if err != nil || !left.Issued || left.Left != left.Total-1 {
		t.Fatalf("sheet status %+v, %v", left, err)
	}
	if st, err := api.ChangeProviderOutage(ctx, admin.Token, wire.ProviderOutageRequest{Action: "end"}); err != nil || st.Active {
		t.Fatalf("end: %+v, %v", st, err)
	}
	if err := other.Keyring().LoginFallback(ctx, "nils", sheet.Codes[1], "other phone"); errorKey(err) != "error.fallback_no_outage" {
		t.Fatalf("a code after the outage: %v", err)
	}
}

func errorKey(err error) string {
	var we *wire.Error
	if !errors.As(err, &we) {
		return ""
	}
	return we.Key
}

// TestLoginBreakGlass: an admin with an enrolled authenticator logs in
// to the office by password and code (no outage needed), the desk lists
// the use; the same code again is refused as reused, in the user's
// language.
func TestLoginBreakGlass(t *testing.T) {
	ctx := context.Background()
	be := newBackend(t, 8*time.Hour)
	acct, err := be.db.AccountByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := auth.NewTOTP("Beredskap", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := be.db.PutTOTP(ctx, store.TOTPSecret{UserID: acct.ID, Secret: secret, Enrolled: time.Now()},
		store.Audit{Actor: acct.ID, Action: store.AuditTOTPEnrol, Subject: acct.ID}); err != nil {
		t.Fatal(err)
	}
	code, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := newPhone(t, be).open()
	if err := s.Keyring().LoginBreakGlass(ctx, "admin", "demo", code, "desk"); err != nil {
		t.Fatalf("break-glass login: %v", err)
	}
	token, user, ok := s.Keyring().OfficeSession()
	if !ok || user.ID != acct.ID {
		t.Fatalf("office session %v for %+v", ok, user)
	}
	uses, err := s.API().BreakGlassUses(ctx, token)
	if err != nil || len(uses.Uses) != 1 || uses.Uses[0].Username != "admin" {
		t.Fatalf("break-glass uses %+v, %v", uses, err)
	}
	other := newPhone(t, be).open()
	err = other.Keyring().LoginBreakGlass(ctx, "admin", "demo", code, "desk")
	if key := errorKey(err); key != "error.totp_reused" {
		t.Fatalf("the same code again: %v (key %q)", err, key)
	}
	if got, want := ui.ErrorText("sv", err), i18n.T("sv", "error.totp_reused"); got != want {
		t.Fatalf("the refusal reads %q, want %q", got, want)
	}
}
