package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// phoneSizes are the screens the phone pages must fit: a common phone
// (390×844) and a small one (360×640).
var phoneSizes = []struct {
	name string
	w, h int64
}{{"360x640", 360, 640}, {"390x844", 390, 844}}

// fieldProblemsJS lists what makes a page hard to use with one thumb on a
// small phone: a page that scrolls sideways, a control that sticks out of
// the screen, and a touch target (button, link, field) smaller than 48 px
// in either direction. A radio button or checkbox counts with its label,
// which is what the thumb hits.
const fieldProblemsJS = `(() => {
	const out = [];
	const vw = window.innerWidth;
	const doc = document.documentElement;
	if (doc.scrollWidth > vw || document.body.scrollWidth > vw) {
		out.push("the page scrolls sideways: " + Math.max(doc.scrollWidth, document.body.scrollWidth) + " px in " + vw + " px");
	}
	const name = el => {
		const id = el.getAttribute("data-testid");
		const text = (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 30);
		return el.tagName.toLowerCase() + (id ? "[" + id + "]" : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + ' "' + text + '"';
	};
	const inScroller = el => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const o = getComputedStyle(p).overflowX;
			if (o === "auto" || o === "scroll") return true;
		}
		return false;
	};
	for (const el of document.querySelectorAll('button, a[href], input, select, textarea, summary, [role="button"]')) {
		if (el.closest("#app-wasm-loader, .visually-hidden, [hidden]")) continue;
		const st = getComputedStyle(el);
		if (st.display === "none" || st.visibility === "hidden") continue;
		let target = el;
		if (el.matches('input[type="radio"], input[type="checkbox"]')) target = el.closest("label") || el;
		const r = target.getBoundingClientRect();
		if (r.width === 0 && r.height === 0) continue;
		if (r.width < 47.5 || r.height < 47.5) {
			out.push(name(el) + " is " + Math.round(r.width) + "×" + Math.round(r.height) + " px");
		}
		if (!el.matches("input, select, textarea") && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible") {
			out.push(name(el) + " has text wider than itself (" + el.scrollWidth + " px in " + el.clientWidth + " px)");
		}
	}
	// Anything drawn beyond the screen's edge is cut off, even where the
	// style sheet hides the sideways scroll.
	let cut = 0;
	for (const el of document.querySelectorAll("body *")) {
		if (cut >= 5 || el.closest("#app-wasm-loader, .visually-hidden, [hidden], svg") || inScroller(el)) continue;
		const r = el.getBoundingClientRect();
		if (r.width > 0 && r.height > 0 && (r.right > vw + 0.5 || r.left < -0.5)) {
			out.push(name(el) + " sticks out of the screen (" + Math.round(r.left) + "…" + Math.round(r.right) + " of " + vw + ")");
			cut++;
		}
	}
	return out;
})()`

// checkField measures the page at every phone size and fails for each
// problem found; at the small size it keeps a screenshot (E2E_SHOTS).
func checkField(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, size := range phoneSizes {
		within(t, ctx, 10*time.Second, chromedp.EmulateViewport(size.w, size.h))
		time.Sleep(150 * time.Millisecond) // layout after the resize
		for _, p := range eval[[]string](t, ctx, fieldProblemsJS) {
			t.Errorf("%s at %s: %s", page, size.name, p)
		}
		if size.w == 360 {
			screenShot(t, ctx, page)
		}
	}
	within(t, ctx, 10*time.Second, chromedp.EmulateViewport(390, 844))
}

// screenShot keeps what the screen shows (not the whole page, where the
// fixed tab bar lands in the middle) when E2E_SHOTS names a directory.
func screenShot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("E2E_SHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, t.Name()+"-"+name+".png"), b, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// checkStatusInView scrolls to the end of the page and checks that the
// online/offline indicator and the time left offline are still on the
// screen: a worker must see them on every page without scrolling back.
func checkStatusInView(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, size := range phoneSizes {
		within(t, ctx, 10*time.Second, chromedp.EmulateViewport(size.w, size.h))
		out := eval[[]string](t, ctx, `(async () => {
			window.scrollTo(0, document.documentElement.scrollHeight);
			await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
			const out = [];
			for (const id of ["net-status", "time-left"]) {
				const el = document.querySelector('[data-testid="' + id + '"]');
				if (!el) { out.push(id + " is missing"); continue; }
				const r = el.getBoundingClientRect();
				if (r.height === 0 || r.top < 0 || r.bottom > window.innerHeight) out.push(id + " is off the screen (" + Math.round(r.top) + "…" + Math.round(r.bottom) + ")");
				if (!el.textContent.trim()) out.push(id + " is empty");
			}
			window.scrollTo(0, 0);
			return out;
		})()`)
		for _, p := range out {
			t.Errorf("%s at %s: %s", page, size.name, p)
		}
	}
	within(t, ctx, 10*time.Second, chromedp.EmulateViewport(390, 844))
}

// setSystemScheme emulates the phone's light or dark setting.
func setSystemScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(c, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}); err != nil {
		t.Fatal(err)
	}
}

// openSettings opens the language and theme panel from the topbar.
func openSettings(t *testing.T, ctx context.Context) {
	t.Helper()
	if count(t, ctx, "settings") == 0 {
		within(t, ctx, 10*time.Second, click(sel("settings-toggle")), chromedp.WaitVisible(sel("settings")))
	}
}

func closeSettings(t *testing.T, ctx context.Context) {
	t.Helper()
	if count(t, ctx, "settings") > 0 {
		within(t, ctx, 10*time.Second, click(sel("settings-close")), chromedp.WaitNotPresent(sel("settings")))
	}
}

// chooseTheme picks a theme in the settings panel and waits until <html>
// carries it.
func chooseTheme(t *testing.T, ctx context.Context, theme string) {
	t.Helper()
	openSettings(t, ctx)
	within(t, ctx, 10*time.Second, click(sel("theme-"+theme)))
	if theme == "system" {
		waitFor(t, ctx, `!document.documentElement.hasAttribute("data-theme")`)
	} else {
		waitFor(t, ctx, `document.documentElement.getAttribute("data-theme") === "`+theme+`"`)
	}
	closeSettings(t, ctx)
}

// pageBackground is the body's computed background colour.
func pageBackground(t *testing.T, ctx context.Context) string {
	return eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`)
}

const (
	lightBackground = "rgb(243, 245, 247)" // --bg of the light theme
	darkBackground  = "rgb(13, 20, 25)"    // --bg of the dark theme
)

// TestFieldUsability walks every phone page at 360×640 and 390×844, in
// the light and the dark theme: nothing scrolls sideways and every
// control is at least 48 px. It also checks that the theme follows the
// phone's setting until one is chosen, and that a chosen theme holds over
// the phone's setting and survives a reload.
func TestFieldUsability(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)

	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("username")),
	)
	// The system theme follows the phone.
	setSystemScheme(t, ctx, "dark")
	if bg := pageBackground(t, ctx); bg != darkBackground {
		t.Errorf("phone set to dark, no choice made: background %s, want %s", bg, darkBackground)
	}
	setSystemScheme(t, ctx, "light")
	if bg := pageBackground(t, ctx); bg != lightBackground {
		t.Errorf("phone set to light, no choice made: background %s, want %s", bg, lightBackground)
	}
	checkField(t, ctx, "login")
	openSettings(t, ctx)
	checkField(t, ctx, "login-settings")
	closeSettings(t, ctx)

	loginWithPIN(t, ctx, srv, "anna", "264831")
	// Headless Chromium refuses persistent storage; close the warning as a
	// worker would.
	eval[bool](t, ctx, `(() => { const b = document.querySelector('[data-testid="storage-warning"] button'); if (b) b.click(); return true; })()`)

	walk := func(theme string) {
		t.Helper()
		within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("visit")))
		checkField(t, ctx, theme+"-visits")
		checkStatusInView(t, ctx, theme+"-visits")
		openSettings(t, ctx)
		checkField(t, ctx, theme+"-settings")
		checkStatusInView(t, ctx, theme+"-settings")
		closeSettings(t, ctx)

		openVisitWithDose(t, ctx)
		checkField(t, ctx, theme+"-visit")
		checkStatusInView(t, ctx, theme+"-visit")
		within(t, ctx, 30*time.Second, click(sel("med-sign")), chromedp.WaitVisible(sel("dose-form")))
		checkField(t, ctx, theme+"-dose-form")
		checkStatusInView(t, ctx, theme+"-dose-form")
		within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("visit")))
		openVisitWithDose(t, ctx)
		within(t, ctx, 30*time.Second, click(sel("deviation-new")), chromedp.WaitVisible(chromedp.CSS(`form`)))
		checkField(t, ctx, theme+"-deviation-form")
		checkStatusInView(t, ctx, theme+"-deviation-form")

		// The rest of the phone's pages, each one tap from the last.
		for _, step := range []struct{ page, tap, shows string }{
			{"unit", "tab-unit", "unit-list"},
			{"priority", "priority-link", "priority-list"},
			{"sync", "tab-sync", "sync-now"},
			{"routines", "tab-routines", "routine"},
			{"routine", "routine", "routine-detail"},
		} {
			within(t, ctx, 30*time.Second, click(sel(step.tap)), chromedp.WaitVisible(sel(step.shows)))
			checkField(t, ctx, theme+"-"+step.page)
			checkStatusInView(t, ctx, theme+"-"+step.page)
		}
	}

	chooseTheme(t, ctx, "light")
	setSystemScheme(t, ctx, "dark")
	if bg := pageBackground(t, ctx); bg != lightBackground {
		t.Errorf("light chosen, phone set to dark: background %s, want %s", bg, lightBackground)
	}
	walk("light")

	chooseTheme(t, ctx, "dark")
	setSystemScheme(t, ctx, "light")
	if bg := pageBackground(t, ctx); bg != darkBackground {
		t.Errorf("dark chosen, phone set to light: background %s, want %s", bg, darkBackground)
	}
	walk("dark")

	// The locked page, after a reload: the chosen theme is still there.
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("unlock")),
	)
	if th := eval[string](t, ctx, `document.documentElement.getAttribute("data-theme") || ""`); th != "dark" {
		t.Errorf("after a reload the theme is %q, want dark", th)
	}
	if bg := pageBackground(t, ctx); bg != darkBackground {
		t.Errorf("after a reload: background %s, want %s", bg, darkBackground)
	}
	checkField(t, ctx, "dark-unlock")
	checkStatusInView(t, ctx, "dark-unlock")
	chooseTheme(t, ctx, "light")
	checkField(t, ctx, "light-unlock")
	chooseTheme(t, ctx, "system")
	setSystemScheme(t, ctx, "dark")
	if bg := pageBackground(t, ctx); bg != darkBackground {
		t.Errorf("back to the system theme, phone set to dark: background %s, want %s", bg, darkBackground)
	}
}

// loginLang logs in through the API and returns the language saved on the
// account.
func loginLang(t *testing.T, srv *server, username string) string {
	t.Helper()
	body := strings.NewReader(`{"username":"` + username + `","password":"demo"}`)
	resp, err := http.Post(srv.url("/api/v1/session"), "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr wire.LoginResponse
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("login %s: %d %v", username, resp.StatusCode, err)
	}
	return lr.User.Lang
}

// waitServerLang waits until the account of username has lang (30 s at
// most): the app saves it in the background.
func waitServerLang(t *testing.T, srv *server, username, lang string) {
	t.Helper()
	got := ""
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got = loginLang(t, srv, username); got == lang {
			return
		}
	}
	t.Fatalf("the account of %s has %q, want %q", username, got, lang)
}

// textOf is the text of the first element with the data-testid.
func textOf(t *testing.T, ctx context.Context, testid string) string {
	return eval[string](t, ctx, `(document.querySelector('[data-testid="`+testid+`"]') || {textContent: ""}).textContent.trim()`)
}

// TestLanguageSwitch: a worker switches the phone to Swedish from the
// topbar; the pages change at once, the account keeps it, and a reload
// shows the locked page in Swedish. Offline, a switch to Danish waits on
// the phone and reaches the server when it answers again. A coordinator
// switches the office pages the same way.
func TestLanguageSwitch(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "anna", "591734")
	if got, want := textOf(t, ctx, "tab-visits"), i18n.T("nb", "nav.visits"); got != want {
		t.Fatalf("before switching: tab %q, want %q", got, want)
	}
	openSettings(t, ctx)
	within(t, ctx, 10*time.Second, click(sel("lang-sv")))
	waitFor(t, ctx, `document.querySelector('[data-testid="tab-visits"]').textContent.trim() === `+jsString(i18n.T("sv", "nav.visits")))
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "sv" {
		t.Errorf("<html lang> is %q, want sv", lang)
	}
	if pressed := eval[string](t, ctx, `document.querySelector('[data-testid="lang-sv"]').getAttribute("aria-pressed")`); pressed != "true" {
		t.Errorf("the Swedish button is not marked pressed: %q", pressed)
	}
	waitServerLang(t, srv, "anna", "sv")
	waitFor(t, ctx, `document.querySelector('[data-testid="lang-unsent"]') === null`)
	shot(t, ctx, "swedish")

	// A reload locks the phone; the unlock page speaks Swedish.
	within(t, ctx, 60*time.Second, chromedp.Navigate(srv.url("/")), chromedp.WaitVisible(mounted), chromedp.WaitVisible(sel("unlock")))
	if got, want := textOf(t, ctx, "unlock"), i18n.T("sv", "unlock.submit"); got != want {
		t.Errorf("unlock button %q, want %q", got, want)
	}
	unlock(t, ctx, "591734")
	within(t, ctx, 30*time.Second, chromedp.WaitVisible(sel("visit")))

	// Offline, the choice waits on the phone.
	srv.stop()
	openSettings(t, ctx)
	within(t, ctx, 10*time.Second, click(sel("lang-da")))
	waitFor(t, ctx, `document.querySelector('[data-testid="tab-visits"]').textContent.trim() === `+jsString(i18n.T("da", "nav.visits")))
	waitFor(t, ctx, `document.querySelector('[data-testid="lang-unsent"]') !== null`)
	shot(t, ctx, "danish-unsent")
	srv.start()
	// The browser's online event is the hint to look for the server.
	eval[bool](t, ctx, `window.dispatchEvent(new Event("online"))`)
	waitServerLang(t, srv, "anna", "da")
	waitFor(t, ctx, `document.querySelector('[data-testid="lang-unsent"]') === null`)

	// The coordinator's desk has the same switch.
	office := officeLogin(t, srv, "kari")
	openSettings(t, office)
	within(t, office, 10*time.Second, click(sel("lang-en")))
	waitFor(t, office, `document.querySelector('[data-testid="office-records"]').textContent.trim() === `+jsString(i18n.T("en", "office.records")))
	waitServerLang(t, srv, "kari", "en")
	shot(t, office, "office-english")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestNextVisitOneTapAway: the home page's first control opens the next
// visit not yet finished; once it is completed, the card moves on to the
// following one.
func TestNextVisitOneTapAway(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	loginWithPIN(t, ctx, srv, "anna", "730461")
	hrefs := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="visit"]')].map(a => a.getAttribute("href"))`)
	if len(hrefs) < 2 {
		t.Fatalf("anna has %d visits", len(hrefs))
	}
	next := func() string {
		return eval[string](t, ctx, `(document.querySelector('[data-testid="next-visit"]') || {getAttribute: () => ""}).getAttribute("href")`)
	}
	if got := next(); got != hrefs[0] {
		t.Fatalf("next visit %q, want the first, %q", got, hrefs[0])
	}
	// It is the first thing on the page under the topbar, and on screen.
	first := eval[string](t, ctx, `document.querySelector("main a[href], main button").getAttribute("data-testid")`)
	if first != "next-visit" {
		t.Errorf("the first control on the home page is %q, want next-visit", first)
	}
	if !eval[bool](t, ctx, `(() => { const r = document.querySelector('[data-testid="next-visit"]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.height >= 48; })()`) {
		t.Error("the next visit is not fully on the first screen, or smaller than 48 px")
	}
	screenShot(t, ctx, "next-visit")

	// One tap opens it; starting keeps it as the current visit.
	within(t, ctx, 30*time.Second, click(sel("next-visit")), chromedp.WaitVisible(sel("status-started")))
	if path := eval[string](t, ctx, `location.pathname`); path != hrefs[0] {
		t.Fatalf("the card opened %s, want %s", path, hrefs[0])
	}
	within(t, ctx, 30*time.Second, click(sel("status-started")))
	waitFor(t, ctx, `document.querySelector('[data-testid="visit-status"]').textContent.startsWith(`+jsString(i18n.T("nb", "visit.status.started"))+`)`)
	within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("next-visit")))
	if got := next(); got != hrefs[0] {
		t.Fatalf("a started visit: next %q, want it still, %q", got, hrefs[0])
	}
	if label := textOf(t, ctx, "next-visit"); !strings.Contains(label, i18n.T("nb", "visits.current")) {
		t.Errorf("a started visit is labelled %q", label)
	}
	// Completed: the card moves on.
	within(t, ctx, 30*time.Second, click(sel("next-visit")), chromedp.WaitVisible(sel("status-completed")))
	within(t, ctx, 30*time.Second, click(sel("status-completed")))
	waitFor(t, ctx, `document.querySelector('[data-testid="visit-status"]').textContent.startsWith(`+jsString(i18n.T("nb", "visit.status.completed"))+`)`)
	within(t, ctx, 30*time.Second, click(sel("tab-visits")), chromedp.WaitVisible(sel("next-visit")))
	waitFor(t, ctx, `document.querySelector('[data-testid="next-visit"]').getAttribute("href") === `+jsString(hrefs[1]))
}

// TestLoadingScreenShowsProgress: on a slow first download, the loading
// screen is in the user's language and theme (kept on the phone from an
// earlier visit) and its progress bar moves; it gives way to the app.
func TestLoadingScreenShowsProgress(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	// An earlier visit left Swedish and the dark theme on the phone.
	within(t, ctx, 30*time.Second, chromedp.Navigate(srv.url("/healthz")))
	eval[bool](t, ctx, `(() => { localStorage.setItem("beredskap.theme", "dark"); localStorage.setItem("beredskap.lang", "sv"); return true; })()`)
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(c, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	// About two seconds for the wasm at 1 MB/s.
	if _, err := chromedp.Call(c, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{URLPattern: srv.url("/web/app.wasm*"), Latency: 50, DownloadThroughput: 1 << 20, UploadThroughput: -1}},
	}); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 30*time.Second, chromedp.Navigate(srv.url("/")))
	waitFor(t, ctx, `(() => { const b = document.querySelector("#app-wasm-loader .boot-progress"); return !!b && b.value > 0 && b.value < 100; })()`)
	screenShot(t, ctx, "loading")
	if got, want := eval[string](t, ctx, `document.querySelector("#app-wasm-loader .boot-title").textContent`), i18n.T("sv", "app.loading_wasm"); got != want {
		t.Errorf("loading line %q, want %q", got, want)
	}
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "sv" {
		t.Errorf("<html lang> %q while loading, want sv", lang)
	}
	if bg := eval[string](t, ctx, `getComputedStyle(document.getElementById("app-wasm-loader")).backgroundColor`); bg != "rgb(11, 45, 68)" {
		t.Errorf("loading screen background %s, want the dark theme's rgb(11, 45, 68)", bg)
	}
	label := eval[string](t, ctx, `document.getElementById("app-wasm-loader-label").textContent`)
	if !strings.HasSuffix(strings.TrimSpace(label), "%") {
		t.Errorf("loader label %q is not a percentage", label)
	}
	within(t, ctx, 60*time.Second, chromedp.WaitVisible(mounted))
	waitFor(t, ctx, `document.getElementById("app-wasm-loader") === null`)
	// The very first page the app draws is in Swedish, not only a later one.
	if got, want := textOf(t, ctx, "tab-visits"), i18n.T("sv", "nav.visits"); got != want {
		t.Errorf("the app opened in %q, want Swedish %q", got, want)
	}
}

// TestInstallButton: where the browser offers to install the app, the
// settings panel has a button that opens the browser's own prompt. The
// test hands the page the event Chromium sends when it offers installing,
// with a prompt that only counts its calls, so that the button is known to
// reach the prompt the page was given.
func TestInstallButton(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t)
	within(t, ctx, 60*time.Second,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(mounted),
		chromedp.WaitVisible(sel("username")),
	)
	openSettings(t, ctx)
	eval[bool](t, ctx, `(() => {
		const e = new Event("beforeinstallprompt", {cancelable: true});
		e.prompt = () => { window.installPrompts = (window.installPrompts || 0) + 1; };
		e.userChoice = Promise.resolve({outcome: "accepted", platform: "web"});
		window.dispatchEvent(e);
		return true;
	})()`)
	within(t, ctx, 10*time.Second, click(sel("install")))
	waitFor(t, ctx, `window.installPrompts === 1`)
	shot(t, ctx, "install")
}
