package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"beredskap/internal/i18n"
	"beredskap/internal/oidclogin/oidctest"
	"beredskap/internal/wire"
)

// oidcSite is the real server binary started with --auth-config naming a
// real OpenID provider on loopback (oidctest: zitadel's pkg/op) that
// covers the workers, nurses and coordinators; admins keep their
// passwords, which the tests use to set things up through the API.
type oidcSite struct {
	srv      *server
	provider *oidctest.Provider
	admin    string // an admin's token
	ids      map[string]string
}

func startOIDCSite(t *testing.T) *oidcSite {
	t.Helper()
	return startOIDCSiteFor(t, `["worker", "nurse", "coordinator"]`)
}

// startOIDCSiteFor starts the site with the provider covering roles (a
// JSON list); while it covers the admins, nothing is set up through the
// API (their passwords are off).
func startOIDCSiteFor(t *testing.T, roles string) *oidcSite {
	t.Helper()
	addr := freeAddr(t)
	public := "http://" + addr
	p := oidctest.Start(t, oidctest.Options{})
	p.AddClient(oidctest.Client{ID: "beredskap", RedirectURI: public + "/api/v1/oidc/callback", Secret: "s3cret"})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "client.secret"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`{"public_url": %q, "providers": [
	  {"id": "helseid", "name": {"nb": "HelseID", "en": "HelseID"}, "issuer": %q, "client_id": "beredskap",
	   "client_secret_file": "client.secret", "user_claim": "preferred_username", "acr_values": ["high"],
	   "roles": %s}]}`, public, p.Issuer, roles)
	path := filepath.Join(dir, "auth.json")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, addr: addr, dataDir: t.TempDir(), args: []string{"--auth-config", path}}
	s.start()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() && s.log != nil {
			out := s.log.String()
			if len(out) > 4000 {
				out = out[len(out)-4000:]
			}
			t.Logf("server log (tail):\n%s", out)
		}
	})
	site := &oidcSite{srv: s, provider: p, ids: map[string]string{}}
	if strings.Contains(roles, "admin") {
		return site
	}
	site.admin = loginToken(t, s, "admin")
	var ur wire.UsersResponse
	deskGet(t, s, site.admin, "/api/v1/users", &ur)
	for _, u := range ur.Users {
		site.ids[u.Username] = u.ID
	}
	// The demo's people at the provider, and linked in Beredskap.
	for _, name := range []string{"nils", "kari"} {
		p.AddUser(oidctest.User{Username: name, Subject: "sub-" + name, ACR: "high",
			Claims: map[string]any{"preferred_username": name + "@kommune.no"}})
		site.call(t, "POST", "/api/v1/users/"+site.ids[name]+"/identities", wire.IdentityRequest{Provider: "helseid", Subject: name + "@kommune.no"}, nil)
	}
	return site
}

// call sends an admin's request that must succeed.
func (s *oidcSite) call(t *testing.T, method, path string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, s.srv.url(path), bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+s.admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb wire.ErrorBody
		_ = json.NewDecoder(resp.Body).Decode(&eb)
		t.Fatalf("%s %s: %d %+v", method, path, resp.StatusCode, eb.Error)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// shots saves a screenshot in the light and in the dark theme (when
// E2E_SHOTS names a directory), set as the app sets it.
func shots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("E2E_SHOTS") == "" {
		return
	}
	a := &axeAudit{t: t}
	for _, theme := range []string{"light", "dark"} {
		a.setTheme(ctx, theme)
		shot(t, ctx, name+"-"+theme)
	}
}

// chooseNorwegian picks Norsk bokmål in the settings, as a user would
// before logging in (headless Chromium's own language is English).
func chooseNorwegian(t *testing.T, ctx context.Context) {
	t.Helper()
	within(t, ctx, 30*time.Second,
		click(sel("settings-toggle")),
		click(sel("lang-nb")),
		click(sel("settings-close")),
	)
}

// providerLogin taps the provider's button on the app's page and logs in
// as username on the provider's own page; the browser comes back to the
// app with the one-time code.
func providerLogin(t *testing.T, ctx context.Context, s *oidcSite, page, username string) {
	t.Helper()
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(s.srv.url(page)),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("provider-login")),
	)
	// With the service worker in control, so that the navigations to
	// the API (the start, the provider's callback) are seen to pass it
	// to the network.
	waitServiceWorker(t, ctx)
	chooseNorwegian(t, ctx)
	(&axeAudit{t: t, source: axeSource(t)}).check(ctx, "login-with-provider"+strings.ReplaceAll(page, "/", "-"))
	if got, want := textOf(t, ctx, "provider-login"), i18n.T("nb", "oidc.login_with", "HelseID"); got != want {
		t.Fatalf("the button says %q, want %q", got, want)
	}
	shots(t, ctx, "login-with-provider")
	within(t, ctx, 60*time.Second,
		click(sel("provider-login")),
		chromedp.WaitVisible(`form[action="/login"] input[name="username"]`),
	)
	if u := eval[string](t, ctx, `location.origin`); u != s.provider.URL {
		t.Fatalf("the provider's page is at %s, want %s", u, s.provider.URL)
	}
	within(t, ctx, 60*time.Second,
		chromedp.SendKeys(`form[action="/login"] input[name="username"]`, username),
		chromedp.Click(`form[action="/login"] button`),
		chromedp.WaitVisible(mounted),
	)
}

// TestOIDCLoginPhoneThenOffline: the phone logs in through the provider's
// page, comes back, chooses a PIN and sees the visits; with the server
// gone, a reload and the PIN open the same shift.
func TestOIDCLoginPhoneThenOffline(t *testing.T) {
	s := startOIDCSite(t)
	ctx := browser(t)
	// Someone the provider knows but Beredskap does not comes back to
	// the login page with the reason, in the user's language, and no
	// trace of it in the address.
	s.provider.AddUser(oidctest.User{Username: "ukjent", Subject: "sub-ukjent", ACR: "high",
		Claims: map[string]any{"preferred_username": "ukjent@kommune.no"}})
	providerLogin(t, ctx, s, "/", "ukjent")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("login-error")))
	if got, want := textOf(t, ctx, "login-error"), i18n.T("nb", "oidc.unknown_user"); got != want {
		t.Fatalf("the refusal reads %q, want %q", got, want)
	}
	if h := eval[string](t, ctx, `location.pathname + location.hash`); h != "/" {
		t.Fatalf("the address after the refusal is %q", h)
	}
	shots(t, ctx, "unknown-user")
	providerLogin(t, ctx, s, "/", "nils")
	within(t, ctx, 60*time.Second, chromedp.WaitVisible(sel("pin-confirm")))
	// The one-time code left the address bar (and the history) at once.
	if h := eval[string](t, ctx, `location.pathname + location.hash`); h != "/" {
		t.Fatalf("the address after the login is %q", h)
	}
	if v := eval[bool](t, ctx, `sessionStorage.getItem("beredskap/oidc-proof") === null`); !v {
		t.Fatal("the proof stays in sessionStorage after the exchange")
	}
	within(t, ctx, 60*time.Second,
		chromedp.SendKeys(sel("pin"), "482915"),
		chromedp.SendKeys(sel("pin-confirm"), "482915"),
		click(sel("pin-save")),
		chromedp.WaitVisible(sel("visit")),
	)
	waitServiceWorker(t, ctx)
	s.srv.stop()

	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	unlock(t, ctx, "482915")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")))
	shot(t, ctx, "offline-visits")
}

// TestOIDCLoginOffice: a coordinator logs in to the office through the
// provider and lands on the desk.
func TestOIDCLoginOffice(t *testing.T) {
	s := startOIDCSite(t)
	ctx := desk(t)
	// The admins' break-glass login is one link away on the office's
	// login page.
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(s.srv.url("/office")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("provider-login")),
		click(sel("use-break-glass")),
		chromedp.WaitVisible(sel("totp")),
	)
	if n := count(t, ctx, "provider-login"); n != 0 {
		t.Fatalf("the break-glass form shows %d provider buttons", n)
	}
	(&axeAudit{t: t, source: axeSource(t)}).check(ctx, "office-break-glass")
	shots(t, ctx, "break-glass")
	providerLogin(t, ctx, s, "/office", "kari")
	within(t, ctx, 60*time.Second, chromedp.WaitVisible(sel("office-logout")), chromedp.WaitVisible(sel("office-dashboard")))
	if h := eval[string](t, ctx, `location.pathname + location.hash`); h != "/office" {
		t.Fatalf("the address after the login is %q", h)
	}
	if who := eval[string](t, ctx, `document.querySelector(".office-user").textContent`); !strings.Contains(who, "Kari") {
		t.Fatalf("the desk shows %q, not the coordinator", who)
	}
}

// TestOIDCFallbackCodeDuringOutage: an admin declares the provider down
// on the desk, which then shows the outage, and issues a printable sheet
// of one-time codes for a worker; the phone's login page shows the
// banner, and a code of the sheet logs in once; the same code again is
// refused, in Norwegian.
func TestOIDCFallbackCodeDuringOutage(t *testing.T) {
	s := startOIDCSite(t)
	audit := &axeAudit{t: t, source: axeSource(t)}
	const reason = "HelseID svarer ikke"

	office := officeLogin(t, s.srv, "admin")
	within(t, office, 60*time.Second,
		click(sel("office-users")),
		chromedp.WaitVisible(sel("user-row")),
		chromedp.WaitVisible(sel("provider-outage-declare")),
		chromedp.SendKeys(sel("provider-outage-reason"), reason),
		chromedp.SendKeys(sel("provider-outage-hours"), "2"),
		click(sel("provider-outage-declare")),
		chromedp.WaitVisible(sel("provider-outage-end")),
		chromedp.WaitVisible(sel("provider-outage")),
	)
	if banner := textOf(t, office, "provider-outage"); !strings.Contains(banner, reason) {
		t.Fatalf("the desk's banner says %q", banner)
	}
	within(t, office, 60*time.Second,
		click(chromedp.CSS(`[data-testid="user-row"][data-username="nils"] [data-testid="user-logins"]`)),
		chromedp.WaitVisible(sel("user-logins-card")),
		chromedp.WaitVisible(sel("fallback-status")),
		chromedp.WaitVisible(sel("identity")),
		chromedp.SendKeys(sel("link-subject"), "nils.hansen@kommune.no"),
		click(sel("link")),
	)
	waitFor(t, office, `document.querySelectorAll('[data-testid="identity"]').length === 2`)
	audit.check(office, "office-admin-logins")
	within(t, office, 60*time.Second,
		click(sel("fallback-issue")),
		chromedp.WaitVisible(sel("fallback-sheet")),
	)
	codes := eval[[]string](t, office, `[...document.querySelectorAll('[data-testid="sheet-code"]')].map(e => e.textContent)`)
	if len(codes) < 2 {
		t.Fatalf("the sheet shows %d codes", len(codes))
	}
	audit.check(office, "office-admin-sheet")
	// On paper only the sheet: not the navigation, the users or the
	// buttons.
	if _, err := chromedp.Call(office, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	printed := eval[[]bool](t, office, `["[data-testid=fallback-sheet]", ".office-nav", "[data-testid=users-table]", "[data-testid=fallback-print]", "[data-testid=login-service]"].map(q => { const e = document.querySelector(q); return !!e && e.getClientRects().length > 0; })`)
	if !printed[0] || printed[1] || printed[2] || printed[3] || printed[4] {
		t.Fatalf("printed (sheet, navigation, users, print button, outage form): %v", printed)
	}
	shot(t, office, "fallback-sheet-print")
	if _, err := chromedp.Call(office, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}
	code := codes[0]

	useCode := func(ctx context.Context) {
		within(t, ctx, 60*time.Second,
			chromedp.Navigate(s.srv.url("/")),
			chromedp.WaitVisible(mounted),
			chromedp.WaitVisible(sel("provider-outage")),
		)
		chooseNorwegian(t, ctx)
		if banner := textOf(t, ctx, "provider-outage"); !strings.Contains(banner, reason) {
			t.Fatalf("the banner says %q", banner)
		}
		shots(t, ctx, "outage-banner")
		within(t, ctx, 30*time.Second,
			click(sel("use-fallback-code")),
			chromedp.WaitEnabled(sel("fallback-code")),
		)
		audit.check(ctx, "login-fallback-code")
		within(t, ctx, 30*time.Second,
			chromedp.SendKeys(sel("username"), "nils"),
			chromedp.SendKeys(sel("fallback-code"), code),
			click(sel("login")),
		)
	}
	ctx := browser(t)
	useCode(ctx)
	within(t, ctx, 60*time.Second, chromedp.WaitVisible(sel("pin-confirm")))

	again := browser(t)
	useCode(again)
	within(t, again, 30*time.Second, chromedp.WaitVisible(sel("login-error")))
	if got, want := textOf(t, again, "login-error"), i18n.T("nb", "error.fallback_code_used"); got != want {
		t.Fatalf("the second use says %q, want %q", got, want)
	}
	shot(t, again, "fallback-code-used")

	// Offline, the buttons are there as last seen, and say that the
	// login needs the network; a tap does not leave the app.
	waitServiceWorker(t, again)
	s.srv.stop()
	within(t, again, 60*time.Second,
		chromedp.Reload(),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("provider-offline")),
	)
	if got, want := textOf(t, again, "provider-offline"), i18n.T("nb", "login.offline"); got != want {
		t.Fatalf("offline the buttons say %q, want %q", got, want)
	}
	shots(t, again, "provider-offline")
	within(t, again, 30*time.Second, click(sel("provider-login")), chromedp.WaitVisible(sel("login-error")))
	if got, want := textOf(t, again, "login-error"), i18n.T("nb", "login.offline"); got != want {
		t.Fatalf("a tap offline says %q, want %q", got, want)
	}
	if u := eval[string](t, again, `location.origin + location.pathname`); u != s.srv.url("/") {
		t.Fatalf("a tap offline went to %s", u)
	}
}

// TestOIDCLoginPasswordsOff: with every role covered by the provider and
// no outage declared, the login page offers the provider only, and says
// that passwords are off and when they come back.
func TestOIDCLoginPasswordsOff(t *testing.T) {
	s := startOIDCSiteFor(t, `["worker", "nurse", "coordinator", "admin"]`)
	ctx := browser(t)
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(s.srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("provider-login")),
		chromedp.WaitVisible(sel("passwords-off")),
	)
	chooseNorwegian(t, ctx)
	if n := count(t, ctx, "username") + count(t, ctx, "password") + count(t, ctx, "login"); n != 0 {
		t.Fatalf("the page offers %d password fields and buttons", n)
	}
	if got, want := textOf(t, ctx, "passwords-off"), i18n.T("nb", "login.passwords_off"); got != want {
		t.Fatalf("the page says %q, want %q", got, want)
	}
	(&axeAudit{t: t, source: axeSource(t)}).check(ctx, "login-passwords-off")
	shots(t, ctx, "passwords-off")
}
