package e2e

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// netSwitch stands between the phone and the server: the network up, down
// (nothing answers as the server would), or up with the sync requests
// failing (a gateway that refuses them), so that a phone can come back with
// records it cannot send yet. Each time the phone finds the network back
// it fetches its shift again, which carries the outbox report.
type netSwitch struct {
	down, syncFails atomic.Bool
	addr            string
}

func newNetSwitch(t *testing.T, srv *server) *netSwitch {
	t.Helper()
	target, err := url.Parse(srv.url("/"))
	if err != nil {
		t.Fatal(err)
	}
	n := &netSwitch{addr: freeAddr(t)}
	ln, err := net.Listen("tcp", n.addr)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case n.down.Load():
			http.Error(w, "no network", http.StatusBadGateway)
		case n.syncFails.Load() && r.Method == http.MethodPost && r.URL.Path == "/api/v1/sync":
			// Not the server's answer: the phone takes it for the network
			// gone again, and its next probe for the network back.
			http.Error(w, "the gateway refuses syncs", http.StatusBadGateway)
		default:
			proxy.ServeHTTP(w, r)
		}
	})}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return n
}

// syncHealthOf polls the server's sync-health view until ok says it is
// what the test waits for (60 s at most).
func syncHealthOf(t *testing.T, srv *server, token string, ok func(wire.SyncHealth) bool) wire.SyncHealth {
	t.Helper()
	var sh wire.SyncHealth
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		sh = wire.SyncHealth{}
		deskGet(t, srv, token, "/api/v1/sync-health", &sh)
		if ok(sh) {
			return sh
		}
	}
	t.Fatalf("sync health never became what the test waits for: %+v", sh)
	return sh
}

func waitingOf(sh wire.SyncHealth, username string) *wire.PhoneHealth {
	i := slices.IndexFunc(sh.Waiting, func(p wire.PhoneHealth) bool { return p.Username == username })
	if i < 0 {
		return nil
	}
	return &sh.Waiting[i]
}

// TestSyncHealthOnTheDesk: anna acknowledges an important announcement
// and her read mark reaches the desk; her phone loses the network during
// a declared outage and keeps two notes; when the network is back but
// its syncs still fail, its contact tells the server two records wait,
// and the coordinator's overview and sync-health page show anna (name
// and username) with the two records, in Norwegian; once the syncs go
// through, the page lists no phone waiting.
func TestSyncHealthOnTheDesk(t *testing.T) {
	srv := startServer(t)
	gw := newNetSwitch(t, srv)
	token := loginToken(t, srv, "kari")
	post := func(path string, body any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.url(path), bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	var dir wire.Directory
	deskGet(t, srv, token, "/api/v1/directory", &dir)
	var units []string
	for _, u := range dir.Units {
		units = append(units, u.ID)
	}
	const text = "Viktig: strømmen er borte i Nord, bruk papirskjema."
	post("/api/v1/announcements", wire.AnnouncementRequest{Units: units, Level: care.LevelImportant, Text: text})

	phone := browser(t)
	loginWithPIN(t, phone, &server{t: t, addr: gw.addr}, "anna", "864208")
	waitFor(t, phone, `[...document.querySelectorAll('[data-testid="new-announcement"]')].some(e => e.textContent.includes("strømmen er borte"))`)
	within(t, phone, 30*time.Second, click(sel("announcement-ack")))
	syncHealthOf(t, srv, token, func(sh wire.SyncHealth) bool {
		for _, a := range sh.Announcements {
			if a.Text == text {
				return slices.ContainsFunc(a.Read, func(r wire.ReaderStatus) bool { return r.Username == "anna" })
			}
		}
		return false
	})

	// The outage: the phone's network goes, and two notes wait on it.
	post("/api/v1/outage", wire.OutageRequest{Action: "start"})
	gw.down.Store(true)
	within(t, phone, 40*time.Second, chromedp.WaitVisible(chromedp.CSS(`[data-testid="net-status"].pill-offline`)))
	within(t, phone, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("note-text")))
	writeNote(t, phone, "Skrevet uten nett, første")
	writeNote(t, phone, "Skrevet uten nett, andre")
	waitFor(t, phone, `document.querySelector('[data-testid="sync-badge"]')?.textContent.trim() === "2"`)
	post("/api/v1/outage", wire.OutageRequest{Action: "end"})

	// The network is back, the syncs still fail: the phone's contact
	// (the shift fetched again) tells the server what waits.
	gw.syncFails.Store(true)
	gw.down.Store(false)
	sh := syncHealthOf(t, srv, token, func(sh wire.SyncHealth) bool { return waitingOf(sh, "anna") != nil })
	if p := waitingOf(sh, "anna"); p.Waiting == nil || *p.Waiting != 2 || p.OldestWaiting == nil || p.WorkerName != "Anna Berg" {
		t.Fatalf("anna's phone: %+v", p)
	}

	ctx := officeLogin(t, srv, "kari")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("overview-sync-health")))
	waitFor(t, ctx, `document.querySelector('[data-testid="sync-health-count-records"] .tile-num').textContent.trim() === "2"`)
	within(t, ctx, 30*time.Second, click(sel("sync-health-open")), chromedp.WaitVisible(sel("sync-health-waiting")))
	row := eval[string](t, ctx, `document.querySelector('[data-testid="sync-health-phone"]').textContent`)
	if !strings.Contains(row, "Anna Berg (anna)") || !strings.Contains(row, "Hjemmetjenesten Nord") {
		t.Fatalf("the waiting phone's row %q does not name anna and her unit", row)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="sync-health-count"]').textContent`); got != "2" {
		t.Fatalf("waiting %q, want 2", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="sync-health-window"]').textContent`); !strings.Contains(got, "Siste brudd") {
		t.Fatalf("window %q", got)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="sync-health-announcement"]')].map(e => e.textContent).join("|")`); !strings.Contains(got, "strømmen er borte") || !strings.Contains(got, "Lest (") {
		t.Fatalf("announcements %q", got)
	}
	shot(t, ctx, "sync-health")

	// The syncs go through: the phone sends the notes and says nothing
	// waits any more.
	gw.syncFails.Store(false)
	waitFor(t, phone, `!document.querySelector('[data-testid="sync-badge"]')`)
	syncHealthOf(t, srv, token, func(sh wire.SyncHealth) bool { return waitingOf(sh, "anna") == nil })
	within(t, ctx, 30*time.Second, chromedp.Reload(), chromedp.WaitVisible(sel("sync-health-window")))
	waitFor(t, ctx, `!document.querySelector('[data-testid="sync-health-waiting"]')`)
}
