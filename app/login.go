package app

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// loginForm asks for username and password, and, where the municipality's
// identity providers are configured, offers a button per provider above
// them (or instead of them while local passwords are off). During a
// declared provider outage it says so and offers the one-time fallback
// codes; the office's form also offers the admins' break-glass login. It
// is shown wherever a page needs a session and there is none.
type loginForm struct {
	app.Compo
	shift *shift.Shift

	username string
	password string
	code     string
	totp     string
	busy     bool
	problem  string
	// ready is false in the server's prerender: the form must not be
	// submitted as a plain HTML form, which would put the password in a URL.
	ready bool

	// mode is how the form logs in: modePassword, modeFallback (a code
	// of the printed sheet) or modeBreakGlass (password and TOTP).
	mode string
	// providers are the identity providers, from the server or, offline,
	// as the last look saw them.
	providers []wire.ProviderView
	outage    wire.ProviderOutageStatus
	// unreachable is true when the last look at the server failed: the
	// provider buttons say that logging in needs the network.
	unreachable bool
	office      bool
	// providerProblem is true when problem is about a login through a
	// provider: it is shown under the buttons, not under the password.
	providerProblem bool
}

const (
	modePassword   = ""
	modeFallback   = "fallback"
	modeBreakGlass = "breakglass"
)

// The browser's storage keys of a login through a provider: the proof
// lives in sessionStorage (this tab, across the navigation to the
// provider and back); the provider list in localStorage, so that the
// buttons are there offline too.
const (
	proofKey     = "beredskap/oidc-proof"
	providersKey = "beredskap/oidc-providers"
)

func (f *loginForm) OnMount(ctx app.Context) {
	f.ready = true
	// The page's renders do not reach this component (no exported
	// fields changed): it follows the shift's changes itself, such as
	// the language chosen in the settings before logging in.
	ctx.Handle(changed, func(ctx app.Context, a app.Action) {})
	f.office = strings.HasPrefix(ctx.Page().URL().Path, "/office")
	var cached []wire.ProviderView
	if ctx.LocalStorage().Get(providersKey, &cached) == nil {
		f.providers = cached
	}
	f.takeReturn(ctx)
	f.look(ctx)
}

// look asks the server for the providers and the outage status.
func (f *loginForm) look(ctx app.Context) {
	api := f.shift.API()
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		pr, perr := api.Providers(c)
		var st wire.ProviderOutageStatus
		var serr error
		if perr == nil {
			st, serr = api.ProviderOutage(c)
		}
		ctx.Dispatch(func(ctx app.Context) {
			f.unreachable = perr != nil && shift.ErrorCode(perr) == "" // not an answer: the network
			if perr == nil {
				f.providers = pr.Providers
				ctx.LocalStorage().Set(providersKey, pr.Providers)
			}
			if serr == nil {
				f.outage = st
			}
			if !f.outage.Active && f.mode == modeFallback {
				f.mode = modePassword
			}
		})
	})
}

// takeReturn finishes a login that comes back from the provider: the
// fragment (#oidc_code=… or #oidc_error=…) leaves the address bar and
// the history at once, then the code is exchanged with the proof this
// tab kept, or the refusal is shown.
func (f *loginForm) takeReturn(ctx app.Context) {
	loc := app.Window().Get("location")
	hash := loc.Get("hash").String()
	if !strings.HasPrefix(hash, "#oidc_") {
		return
	}
	app.Window().Get("history").Call("replaceState", nil, "", loc.Get("pathname").String()+loc.Get("search").String())
	f.providerProblem = true
	q, err := url.ParseQuery(hash[1:])
	if err != nil {
		f.problem = f.shift.T("oidc.code_invalid")
		return
	}
	var verifier string
	_ = ctx.SessionStorage().Get(proofKey, &verifier)
	ctx.SessionStorage().Del(proofKey)
	if key := q.Get("oidc_error"); key != "" {
		f.problem = f.refusalText(key, q["oidc_error_args"])
		return
	}
	code := q.Get("oidc_code")
	if code == "" || verifier == "" {
		// Not started in this tab (or its storage is gone): the code
		// cannot be used without the proof.
		f.problem = f.shift.T("oidc.code_invalid")
		return
	}
	f.busy = true
	f.run(ctx, func(c context.Context, label string) error {
		return f.shift.Keyring().LoginExchange(c, code, verifier, label)
	})
}

// refusalText is a refusal from the fragment in the user's language. The
// fragment is the URL's, which anyone can send in a link: its key picks
// a text of the catalogue, and an argument is taken only when it names
// a configured provider (the one argument the server sends), so that a
// link cannot put words of its own into the page.
func (f *loginForm) refusalText(key string, args []string) string {
	for _, a := range args {
		known := false
		for _, p := range f.providers {
			known = known || a == p.ID
			for _, n := range p.Name {
				known = known || a == n
			}
		}
		if !known {
			args = nil
			break
		}
	}
	code := wire.CodeForbidden
	if key == "oidc.provider_unreachable" {
		code = wire.CodeUnavailable
	}
	return shift.ErrorText(f.shift.Prefs().Lang(), &wire.Error{Code: code, Key: key, Args: args})
}

// passwordsShown is whether the username and password fields are
// offered: always without providers or during a declared outage; while
// the providers cover every role, local passwords are off for everyone
// and the form offers the providers only.
func (f *loginForm) passwordsShown() bool {
	if len(f.providers) == 0 || f.outage.Active {
		return true
	}
	for _, r := range []care.Role{care.RoleWorker, care.RoleNurse, care.RoleCoordinator, care.RoleAdmin} {
		covered := false
		for _, p := range f.providers {
			covered = covered || slices.Contains(p.Roles, r)
		}
		if !covered {
			return true
		}
	}
	return false
}

// providerName is the provider's name in the user's language.
func (f *loginForm) providerName(p wire.ProviderView) string {
	if n := p.Name[f.shift.Prefs().Lang()]; n != "" {
		return n
	}
	if n := p.Name["en"]; n != "" {
		return n
	}
	return p.ID
}

func (f *loginForm) Render() app.UI {
	fields := f.passwordsShown() || f.mode == modeBreakGlass
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(f.submit).Body(
		app.If(f.shift.Keyring().WipeReason() != "", func() app.UI {
			return app.P().Class("banner banner-important").Attr("role", "status").Attr("data-testid", "wiped").
				Text(f.shift.T("wipe." + f.shift.Keyring().WipeReason()))
		}),
		// Slots that are always there: what the server's answers add
		// (the outage, the providers) does not move the fields to other
		// places among their siblings, which would make go-app build
		// them anew and lose the focus in them.
		app.Div().Class("outage-slot").Body(
			app.If(f.outage.Active, func() app.UI { return providerOutageBanner(f.shift, f.outage) }),
		),
		app.H2().Text(f.shift.T("login.title")),
		app.P().Class("muted").Text(f.shift.T("login.hint")),
		app.Div().Class("providers-slot").Body(
			app.If(len(f.providers) > 0 && f.mode != modeBreakGlass, f.providerButtons),
			app.If(fields && len(f.providers) > 0 && f.mode != modeBreakGlass, func() app.UI {
				return app.P().Class("login-or").Attr("aria-hidden", "true").Text(f.shift.T("login.or"))
			}),
		),
		app.If(f.mode == modeBreakGlass, func() app.UI {
			return app.Div().Body(
				app.H3().Text(f.shift.T("login.break_glass")),
				app.P().Class("muted small").Text(f.shift.T("login.break_glass_hint")),
			)
		}),
		app.If(f.mode == modeFallback, func() app.UI {
			return app.P().Class("muted small").Text(f.shift.T("login.fallback_hint"))
		}),
		app.If(fields, f.fields),
		app.If(!fields, func() app.UI {
			return app.P().Class("muted small passwords-off").Attr("data-testid", "passwords-off").Text(f.shift.T("login.passwords_off"))
		}),
		app.If(f.problem != "" && (!f.providerProblem || len(f.providers) == 0 || f.mode == modeBreakGlass), f.problemLine),
		app.If(fields, func() app.UI {
			cls := "btn btn-primary btn-block"
			if len(f.providers) > 0 && f.mode == modePassword && !f.outage.Active {
				cls = "btn btn-block"
			}
			return app.Button().Type("submit").Class(cls).
				Attr("data-testid", "login").Disabled(f.busy || !f.ready).
				Text(f.loginLabel())
		}),
		f.modeLinks(),
	)
}

// providerButtons are the "Log in with …" buttons, one per provider.
func (f *loginForm) providerButtons() app.UI {
	return app.Div().Class("providers").Attr("role", "group").Attr("aria-label", f.shift.T("login.providers")).Body(
		app.Range(f.providers).Slice(func(i int) app.UI {
			p := f.providers[i]
			return app.Button().Type("button").Class("btn btn-primary btn-block").
				Attr("data-testid", "provider-login").Attr("data-provider", p.ID).
				Disabled(f.busy || !f.ready).
				Text(f.shift.T("oidc.login_with", f.providerName(p))).
				OnClick(func(ctx app.Context, e app.Event) { f.startProvider(ctx, p.ID) })
		}),
		app.If(f.unreachable && !(f.providerProblem && f.problem != ""), func() app.UI {
			return app.P().Class("muted small").Attr("data-testid", "provider-offline").Text(f.shift.T("login.offline"))
		}),
		app.If(f.problem != "" && f.providerProblem, f.problemLine),
	)
}

func (f *loginForm) problemLine() app.UI {
	return app.P().Class("error").Attr("role", "alert").Attr("data-testid", "login-error").Text(f.problem)
}

// fields are the inputs of the form's mode.
func (f *loginForm) fields() app.UI {
	user := []app.UI{
		app.Label().For("username").Text(f.shift.T("login.username")),
		app.Input().ID("username").Name("username").Type("text").
			Attr("autocomplete", "username").Attr("autocapitalize", "none").
			Attr("data-testid", "username").Required(true).Disabled(!f.ready).
			Value(f.username).OnInput(f.ValueTo(&f.username)),
	}
	password := []app.UI{
		app.Label().For("password").Text(f.shift.T("login.password")),
		app.Input().ID("password").Name("password").Type("password").
			Attr("autocomplete", "current-password").
			Attr("data-testid", "password").Required(true).Disabled(!f.ready).
			Value(f.password).OnInput(f.ValueTo(&f.password)),
	}
	switch f.mode {
	case modeFallback:
		return app.Div().Body(append(user,
			app.Label().For("fallback-code").Text(f.shift.T("login.fallback_code")),
			app.Input().ID("fallback-code").Name("code").Type("text").
				Attr("autocomplete", "one-time-code").Attr("autocapitalize", "characters").Attr("spellcheck", "false").
				Attr("data-testid", "fallback-code").Required(true).Disabled(!f.ready).
				Value(f.code).OnInput(f.ValueTo(&f.code)),
		)...)
	case modeBreakGlass:
		return app.Div().Body(append(append(user, password...),
			app.Label().For("totp").Text(f.shift.T("login.totp")),
			app.Input().ID("totp").Name("totp").Type("text").Attr("inputmode", "numeric").
				Attr("autocomplete", "one-time-code").Attr("pattern", "[0-9 ]*").
				Attr("data-testid", "totp").Required(true).Disabled(!f.ready).
				Value(f.totp).OnInput(f.ValueTo(&f.totp)),
		)...)
	}
	return app.Div().Body(append(user, password...)...)
}

// modeLinks switch between the password, the fallback code (during an
// outage) and, on the office's form, the break-glass login.
func (f *loginForm) modeLinks() app.UI {
	link := func(mode, key, testid string) app.UI {
		return app.Button().Type("button").Class("btn-link").Attr("data-testid", testid).
			Text(f.shift.T(key)).OnClick(func(ctx app.Context, e app.Event) {
			f.mode, f.problem = mode, ""
		})
	}
	var links []app.UI
	if f.mode != modePassword {
		links = append(links, link(modePassword, "login.back", "login-back"))
	}
	if f.outage.Active && f.mode != modeFallback {
		links = append(links, link(modeFallback, "login.with_fallback_code", "use-fallback-code"))
	}
	if f.office && len(f.providers) > 0 && f.mode != modeBreakGlass {
		links = append(links, link(modeBreakGlass, "login.break_glass", "use-break-glass"))
	}
	if len(links) == 0 {
		return app.Text("")
	}
	return app.Div().Class("login-links").Body(links...)
}

func (f *loginForm) loginLabel() string {
	if f.busy {
		return f.shift.T("login.busy")
	}
	return f.shift.T("login.submit")
}

// startProvider sends the whole page to the provider, once the server
// answers: offline, a navigation to the API would end on the browser's
// error page.
func (f *loginForm) startProvider(ctx app.Context, provider string) {
	if f.busy {
		return
	}
	f.busy, f.problem, f.providerProblem = true, "", true
	target := "phone"
	if f.office {
		target = "office"
	}
	api := f.shift.API()
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		err := api.Health(c)
		verifier, challenge, perr := shift.NewLoginProof()
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case err != nil:
				f.busy, f.unreachable = false, true
				f.problem = f.shift.T("login.offline")
			case perr != nil:
				f.busy = false
				f.problem = f.shift.T("error.generic")
			default:
				ctx.SessionStorage().Set(proofKey, verifier)
				app.Window().Get("location").Call("assign", shift.StartURL(provider, target, challenge))
			}
		})
	})
}

func (f *loginForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	f.busy, f.problem, f.providerProblem = true, "", false
	username, password, code, totp, mode := f.username, f.password, f.code, f.totp, f.mode
	f.run(ctx, func(c context.Context, label string) error {
		kr := f.shift.Keyring()
		switch mode {
		case modeFallback:
			return kr.LoginFallback(c, username, code, label)
		case modeBreakGlass:
			return kr.LoginBreakGlass(c, username, password, totp, label)
		}
		return kr.Login(c, username, password, label)
	})
}

// run logs in with login and goes on as every login does: the phone's
// PIN choice comes by itself (the shift's phase), the office goes to
// its pages.
func (f *loginForm) run(ctx app.Context, login func(c context.Context, deviceLabel string) error) {
	label := app.Window().Get("navigator").Get("userAgent").String()
	if len(label) > 100 {
		label = label[:100]
	}
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := login(c, label)
		ctx.Dispatch(func(ctx app.Context) {
			f.busy = false
			if err != nil {
				f.problem = f.explain(err)
				return
			}
			f.password, f.code, f.totp = "", "", ""
			if _, _, office := f.shift.Keyring().OfficeSession(); office && !strings.HasPrefix(ctx.Page().URL().Path, "/office") {
				ctx.Navigate("/office")
			}
		})
	})
}

// explain turns a login failure into words for the user: the server's
// catalogue key when it sent one (the password off for the role, a
// fallback code used, a login through a provider refused), else by its
// code.
func (f *loginForm) explain(err error) string {
	var we *wire.Error
	if errors.As(err, &we) && loginKey(we.Key) {
		return shift.ErrorText(f.shift.Prefs().Lang(), err)
	}
	switch {
	case errors.Is(err, shift.ErrOffline):
		return f.shift.T("login.offline")
	case shift.ErrorCode(err) == wire.CodeUnauthorized:
		return f.shift.T("login.wrong")
	case shift.ErrorCode(err) == wire.CodeRateLimited:
		return f.shift.T("login.rate_limited")
	case shift.ErrorCode(err) == wire.CodeInsufficientStorage:
		return f.shift.T("error.insufficient_storage")
	case shift.ErrorCode(err) == wire.CodeUnavailable:
		return f.shift.T("error.unavailable")
	case shift.ErrorCode(err) == wire.CodeForbidden:
		return f.shift.T("login.forbidden")
	case errors.Is(err, shift.ErrBadSignature):
		return f.shift.T("login.bad_signature")
	default:
		return f.shift.T("error.generic")
	}
}

// loginKey is whether key is one of the refusals of issue 18's logins,
// which say more than the code's general text.
func loginKey(key string) bool {
	for _, p := range []string{"oidc.", "error.password_login_off", "error.fallback_", "error.break_glass", "error.totp_", "error.provider_outage"} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// providerOutageBanner says that the identity provider is declared down,
// why and until when: on every login page and on the desk.
func providerOutageBanner(s *shift.Shift, st wire.ProviderOutageStatus) app.UI {
	until := ""
	if st.Until != nil {
		until = localStamp(s.Prefs().Lang(), *st.Until, localTime)
	}
	return app.Div().Class("banner banner-important banner-outage").Attr("role", "status").Attr("data-testid", "provider-outage").Body(
		app.Strong().Text(s.T("login.outage_title")),
		app.Span().Attr("data-testid", "provider-outage-reason").Text(st.Reason),
		app.If(until != "", func() app.UI {
			return app.Span().Class("small").Text(s.T("admin.provider_outage_until", until))
		}),
	)
}
