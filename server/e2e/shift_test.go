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

	"beredskap/internal/seal"
	"beredskap/internal/wire"
)

// loginWithPIN logs in through the page and chooses a PIN.
func loginWithPIN(t *testing.T, ctx context.Context, srv *server, username, pin string) {
	t.Helper()
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("username")),
		chromedp.WaitEnabled(sel("username")), // enabled only once the app, not the prerender, holds the form
		chromedp.SendKeys(sel("username"), username),
		chromedp.SendKeys(sel("password"), "demo"),
		click(sel("login")),
		chromedp.WaitVisible(sel("pin-confirm")),
	)
	shot(t, ctx, "pin-setup")
	within(t, ctx, 60*time.Second,
		chromedp.SendKeys(sel("pin"), pin),
		chromedp.SendKeys(sel("pin-confirm"), pin),
		click(sel("pin-save")),
		chromedp.WaitVisible(sel("visit")),
	)
}

// unlock types the PIN on the locked page.
func unlock(t *testing.T, ctx context.Context, pin string) {
	t.Helper()
	within(t, ctx, 60*time.Second,
		chromedp.WaitVisible(sel("unlock")),
		chromedp.SendKeys(sel("pin"), pin),
		click(sel("unlock")),
	)
}

func count(t *testing.T, ctx context.Context, testid string) int {
	return eval[int](t, ctx, `document.querySelectorAll('[data-testid="`+testid+`"]').length`)
}

// TestOfflineUnlockAfterReload: log in, choose a PIN, lose the server,
// reload; the PIN opens the same shift from the sealed store.
func TestOfflineUnlockAfterReload(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "nils", "482915")
	visits := count(t, ctx, "visit")
	if visits < 6 {
		t.Fatalf("nils sees %d visits", visits)
	}
	shot(t, ctx, "visits")
	waitServiceWorker(t, ctx)
	srv.stop()

	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("unlock")))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="owner"]').textContent`); !strings.Contains(got, "Nils Hauge") {
		t.Fatalf("locked page says %q", got)
	}
	shot(t, ctx, "locked-offline")
	unlock(t, ctx, "482915")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")))
	if got := count(t, ctx, "visit"); got != visits {
		t.Fatalf("offline after unlock: %d visits, want %d", got, visits)
	}
	// The person card and the doses open offline.
	within(t, ctx, 30*time.Second, click(sel("visit")), chromedp.WaitVisible(sel("person-card")))
	shot(t, ctx, "visit-offline")

	// The lock button locks; the PIN opens again.
	within(t, ctx, 30*time.Second, click(sel("lock")), chromedp.WaitVisible(sel("unlock")))
	unlock(t, ctx, "482915")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("person-card")))
}

// TestFiveWrongPINsWipe: the fifth wrong PIN deletes the shift; a reload
// between attempts does not reset the count; routines stay readable.
func TestFiveWrongPINsWipe(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "anna", "271828")
	waitServiceWorker(t, ctx)
	srv.stop()
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
	for attempt := 1; attempt <= 5; attempt++ {
		if attempt == 3 {
			within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted))
		}
		unlock(t, ctx, "000000")
		if attempt < 5 {
			left := strconv.Itoa(5 - attempt)
			waitFor(t, ctx, `(() => {
				const e = document.querySelector('[data-testid="pin-error"]');
				const b = document.querySelector('[data-testid="unlock"]');
				return !!e && e.textContent.includes("`+left+`") && !!b && !b.disabled;
			})()`)
		}
	}
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("wiped")))
	shot(t, ctx, "wiped")
	if n := eval[int](t, ctx, storeCountJS("sealed")); n != 0 {
		t.Fatalf("the sealed store still holds %d values", n)
	}
	within(t, ctx, 30*time.Second, click(sel("tab-routines")), chromedp.WaitVisible(sel("routine")))
	if n := count(t, ctx, "routine"); n != 6 {
		t.Fatalf("%d routines after the wipe", n)
	}
}

// TestExpiredShiftIsWiped: a bundle past its expiry is deleted when the
// app opens, before anyone can try a PIN.
func TestExpiredShiftIsWiped(t *testing.T) {
	srv := startServer(t, "--offline-hours", "0.006") // 21.6 s
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "anna", "314159")
	waitServiceWorker(t, ctx)
	srv.stop()
	time.Sleep(23 * time.Second)
	within(t, ctx, 60*time.Second, chromedp.Reload(), chromedp.WaitVisible(mounted), chromedp.WaitVisible(sel("wiped")))
	if n := eval[int](t, ctx, storeCountJS("sealed")); n != 0 {
		t.Fatalf("the sealed store still holds %d values", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="wiped"]').textContent`); !strings.Contains(got, "expired") && !strings.Contains(got, "utløpt") {
		t.Fatalf("wipe banner says %q", got)
	}
}

// TestNoPatientDataInClearOnThePhone reads every IndexedDB store,
// localStorage, sessionStorage and the cached pages after login and
// emergency access, and looks for the patients' names, addresses and
// access codes.
func TestNoPatientDataInClearOnThePhone(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "anna", "161803")
	// Open a unit-part patient with a reason: an access record is written.
	within(t, ctx, 30*time.Second,
		click(sel("tab-unit")),
		chromedp.WaitVisible(sel("unit-visit")),
		click(sel("unit-visit")),
		chromedp.WaitVisible(sel("emergency-reason")),
		chromedp.SendKeys(sel("emergency-reason"), "Visit moved to me by phone"),
		click(sel("emergency-open")),
		chromedp.WaitVisible(sel("person-card")),
	)
	shot(t, ctx, "emergency")
	if n := eval[int](t, ctx, storeCountJS("outbox")); n != 1 {
		t.Fatalf("outbox holds %d records after emergency access, want 1", n)
	}

	b := fetchBundle(t, srv, "anna")
	var secrets []string
	for _, p := range b.Patients {
		secrets = append(secrets, p.Name, p.Address, p.AccessInfo)
	}
	dump := eval[string](t, ctx, dumpStorageJS)
	if len(dump) < 2000 {
		t.Fatalf("the dump holds only %d characters: the scan is broken", len(dump))
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(dump, s) {
			t.Errorf("%q is readable in the browser's storage", s)
		}
	}
	for _, s := range []string{"161803", "Visit moved to me"} {
		if strings.Contains(dump, s) {
			t.Errorf("%q is readable in the browser's storage", s)
		}
	}
}

// fetchBundle gets the user's bundle straight from the API, to know what
// must not be readable on the phone.
func fetchBundle(t *testing.T, srv *server, username string) wire.Bundle {
	t.Helper()
	post := func(path, token string, in, out any) {
		body, _ := json.Marshal(in)
		req, _ := http.NewRequest("POST", srv.url(path), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var lr wire.LoginResponse
	post("/api/v1/session", "", wire.LoginRequest{Username: username, Password: "demo"}, &lr)
	pub, _, _ := seal.NewSigningKey()
	var dr wire.DeviceResponse
	post("/api/v1/devices", lr.Token, wire.DeviceRequest{PublicKey: pub, Label: "test"}, &dr)
	req, _ := http.NewRequest("GET", srv.url("/api/v1/bundle"), nil)
	req.Header.Set("Authorization", "Bearer "+lr.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var br wire.BundleResponse
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
		t.Fatal(err)
	}
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// storeCountJS counts the values in one object store of the app's
// IndexedDB database.
func storeCountJS(store string) string {
	return `new Promise((res, rej) => {
		const r = indexedDB.open("beredskap");
		r.onerror = () => rej(r.error);
		r.onsuccess = () => {
			const c = r.result.transaction("` + store + `", "readonly").objectStore("` + store + `").count();
			c.onsuccess = () => { r.result.close(); res(c.result); };
			c.onerror = () => rej(c.error);
		};
	})`
}

// dumpStorageJS returns every key and value the page can store, as text.
const dumpStorageJS = `(async () => {
	const out = [];
	const text = v => {
		if (v instanceof Uint8Array || v instanceof ArrayBuffer) return new TextDecoder("utf-8").decode(v);
		return typeof v === "string" ? v : JSON.stringify(v);
	};
	const req = r => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
	for (const info of await indexedDB.databases()) {
		const db = await req(indexedDB.open(info.name));
		for (const name of db.objectStoreNames) {
			const st = db.transaction(name, "readonly").objectStore(name);
			const [keys, vals] = await Promise.all([req(st.getAllKeys()), req(st.getAll())]);
			keys.forEach((k, i) => out.push(info.name + "/" + name + "/" + text(k) + "=" + text(vals[i])));
		}
		db.close();
	}
	for (const s of [localStorage, sessionStorage]) {
		for (let i = 0; i < s.length; i++) out.push(s.key(i) + "=" + s.getItem(s.key(i)));
	}
	for (const name of await caches.keys()) {
		const c = await caches.open(name);
		for (const r of await c.keys()) {
			const resp = await c.match(r);
			const type = resp.headers.get("Content-Type") || "";
			if (type.startsWith("text/") || type.includes("json") || type.includes("javascript")) out.push(r.url + "=" + await resp.text());
		}
	}
	return out.join("\n");
})()`
