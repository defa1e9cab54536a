package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/wire"
)

// loginForm asks for username and password. It is shown wherever a page
// needs a session and there is none.
type loginForm struct {
	app.Compo
	shift *shift.Shift

	username string
	password string
	busy     bool
	problem  string
	// ready is false in the server's prerender: the form must not be
	// submitted as a plain HTML form, which would put the password in a URL.
	ready bool
}

func (f *loginForm) OnMount(ctx app.Context) { f.ready = true }

func (f *loginForm) Render() app.UI {
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(f.submit).Body(
		app.If(f.shift.Keyring().WipeReason() != "", func() app.UI {
			return app.P().Class("banner banner-important").Attr("role", "status").Attr("data-testid", "wiped").
				Text(f.shift.T("wipe." + f.shift.Keyring().WipeReason()))
		}),
		app.H2().Text(f.shift.T("login.title")),
		app.P().Class("muted").Text(f.shift.T("login.hint")),
		app.Label().For("username").Text(f.shift.T("login.username")),
		app.Input().ID("username").Name("username").Type("text").
			Attr("autocomplete", "username").Attr("autocapitalize", "none").
			Attr("data-testid", "username").Required(true).Disabled(!f.ready).
			Value(f.username).OnInput(f.ValueTo(&f.username)),
		app.Label().For("password").Text(f.shift.T("login.password")),
		app.Input().ID("password").Name("password").Type("password").
			Attr("autocomplete", "current-password").
			Attr("data-testid", "password").Required(true).Disabled(!f.ready).
			Value(f.password).OnInput(f.ValueTo(&f.password)),
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Attr("data-testid", "login-error").Text(f.problem)
		}),
		app.Button().Type("submit").Class("btn btn-primary btn-block").
			Attr("data-testid", "login").Disabled(f.busy || !f.ready).
			Text(f.loginLabel()),
	)
}

func (f *loginForm) loginLabel() string {
	if f.busy {
		return f.shift.T("login.busy")
	}
	return f.shift.T("login.submit")
}

func (f *loginForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	f.busy, f.problem = true, ""
	username, password := f.username, f.password
	label := app.Window().Get("navigator").Get("userAgent").String()
	if len(label) > 100 {
		label = label[:100]
	}
	ctx.Async(func() {
		c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := f.shift.Keyring().Login(c, username, password, label)
		ctx.Dispatch(func(ctx app.Context) {
			f.busy = false
			if err != nil {
				f.problem = f.explain(err)
				return
			}
			f.password = ""
			if _, _, office := f.shift.Keyring().OfficeSession(); office && !strings.HasPrefix(ctx.Page().URL().Path, "/office") {
				ctx.Navigate("/office")
			}
		})
	})
}

// explain turns a login failure into words for the user.
func (f *loginForm) explain(err error) string {
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
