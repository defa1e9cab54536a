package e2e

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestHardwareBoundUnlockWithVirtualAuthenticator: with a platform
// authenticator that supports PRF (Chromium's virtual one), the shift is
// sealed with PIN and hardware; the PIN alone no longer opens it once the
// authenticator's credential is gone. WebAuthn needs a domain, so the
// page is opened on localhost rather than 127.0.0.1.
func TestHardwareBoundUnlockWithVirtualAuthenticator(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	call := func(f func(c context.Context) error) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := f(c); err != nil {
			t.Fatal(err)
		}
	}
	var authID webauthn.AuthenticatorID
	call(func(c context.Context) error {
		if _, err := chromedp.Call(c, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		res, err := chromedp.Call(c, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, HasPrf: true,
			AutomaticPresenceSimulation: true,
		}})
		authID = res.AuthenticatorID
		return err
	})
	_, port, _ := net.SplitHostPort(srv.addr)
	local := "http://localhost:" + port

	within(t, ctx, 60*time.Second,
		chromedp.Navigate(local+"/"),
		chromedp.WaitVisible(mounted),
		chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
		chromedp.SendKeys(sel("username"), "nils"),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("pin-confirm")),
		chromedp.SendKeys(sel("pin"), "192837"),
		chromedp.SendKeys(sel("pin-confirm"), "192837"),
		click(sel("pin-save")),
		chromedp.WaitVisible(sel("visit")),
	)
	creds := 0
	call(func(c context.Context) error {
		res, err := chromedp.Call(c, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authID})
		creds = len(res.Credentials)
		return err
	})
	if creds != 1 {
		t.Fatalf("the authenticator holds %d credentials", creds)
	}
	within(t, ctx, 30*time.Second, click(sel("lock")), chromedp.WaitVisible(sel("unlock")))
	if mode := eval[string](t, ctx, `document.querySelector('[data-testid="unlock-mode"]').textContent`); !strings.Contains(mode, "sikkerhetsbrikke") {
		t.Fatalf("unlock page says %q", mode)
	}
	shot(t, ctx, "hardware-mode")
	unlock(t, ctx, "192837")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")))

	// The credential is gone (another phone, or storage copied away): the
	// right PIN does not open the shift, and costs no attempt.
	call(func(c context.Context) error {
		_, err := chromedp.Call(c, webauthn.ClearCredentials, webauthn.ClearCredentialsParams{AuthenticatorID: authID})
		return err
	})
	within(t, ctx, 30*time.Second, click(sel("lock")), chromedp.WaitVisible(sel("unlock")))
	unlock(t, ctx, "192837")
	waitFor(t, ctx, `(() => { const e = document.querySelector('[data-testid="pin-error"]'); return !!e && /sikkerhetsnøkkel/.test(e.textContent); })()`)
	shot(t, ctx, "hardware-missing")
}
