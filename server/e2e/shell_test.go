package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWorkerOnlineThenOffline is the foundation's promise: a worker logs
// in and sees today's visits in order with their person cards; then the
// server is gone, and a reload of deep links still boots the app: the
// routines read without a PIN, the visit behind the PIN.
func TestWorkerOnlineThenOffline(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)

	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("username")),
	)
	shot(t, ctx, "login")
	loginWithPIN(t, ctx, srv, "anna", "505050")
	visits := count(t, ctx, "visit")
	if visits < 6 || visits > 10 {
		t.Fatalf("anna sees %d visits, want 6–10", visits)
	}
	shot(t, ctx, "visits")
	times := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="visit"] .visit-time strong')].map(e => e.textContent)`)
	for i := 1; i < len(times); i++ {
		if times[i] < times[i-1] {
			t.Fatalf("visits out of order: %v", times)
		}
	}

	within(t, ctx, 30*time.Second,
		click(sel("visit")),
		chromedp.WaitVisible(sel("person-card")),
	)
	card := eval[string](t, ctx, `document.querySelector('[data-testid="person-card"]').innerText`)
	for _, want := range []string{"Adresse", "Adkomst", "Fastlege", "Pårørende"} {
		if !strings.Contains(card, want) {
			t.Errorf("person card lacks %q:\n%s", want, card)
		}
	}
	shot(t, ctx, "visit")
	deepLink := eval[string](t, ctx, `location.pathname`)
	if !strings.HasPrefix(deepLink, "/visits/") {
		t.Fatalf("visit page at %q", deepLink)
	}

	waitServiceWorker(t, ctx)
	srv.stop()

	// A deep link the cache never saw, with the server gone.
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/routines")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("routine")),
	)
	if n := count(t, ctx, "routine"); n != 6 {
		t.Fatalf("offline routines page shows %d routines, want 6", n)
	}
	within(t, ctx, 30*time.Second,
		click(sel("routine")),
		chromedp.WaitVisible(sel("routine-detail")),
	)
	shot(t, ctx, "routine-offline")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(chromedp.CSS(`[data-testid="net-status"].pill-offline`)))

	// The visit's deep link boots offline and opens after the PIN.
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url(deepLink)),
		chromedp.WaitVisible(mounted),
	)
	unlock(t, ctx, "505050")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("person-card")))
	shot(t, ctx, "visit-offline")
}
