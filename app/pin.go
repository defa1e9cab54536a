package app

import (
	"context"
	"errors"
	"log"
	"runtime"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
	"beredskap/internal/i18n"
	"beredskap/internal/seal"
)

// pinInput is a PIN field: digits, the phone's number pad, never
// remembered by the browser.
func pinInput(id, testid, label string, value *string, f *app.Compo, disabled bool) []app.UI {
	return []app.UI{
		app.Label().For(id).Text(label),
		app.Input().ID(id).Type("password").Attr("inputmode", "numeric").Attr("pattern", "[0-9]*").
			Attr("autocomplete", "off").Attr("minlength", seal.MinPINLength).Attr("maxlength", 32).
			Attr("data-testid", testid).Required(true).Disabled(disabled).
			Value(*value).OnInput(f.ValueTo(value)),
	}
}

// pinSetup asks for a new PIN, twice, after login. It protects the shift
// on this phone; the server never sees it.
type pinSetup struct {
	app.Compo
	shift   *shift.Shift
	pin     string
	confirm string
	busy    bool
	problem string
}

func (f *pinSetup) Render() app.UI {
	s := f.shift
	body := []app.UI{
		app.H2().Text(s.T("pin.setup_title")),
		app.P().Class("muted").Text(s.T("pin.setup_hint", seal.MinPINLength)),
	}
	body = append(body, pinInput("pin", "pin", s.T("pin.new"), &f.pin, &f.Compo, f.busy)...)
	body = append(body, pinInput("pin-confirm", "pin-confirm", s.T("pin.confirm"), &f.confirm, &f.Compo, f.busy)...)
	body = append(body,
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Attr("data-testid", "pin-error").Text(f.problem)
		}),
		app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "pin-save").
			Disabled(f.busy).Text(busyLabel(s, f.busy, "pin.save", "pin.saving")),
	)
	return app.Form().Class("card form").Method("post").Action("/").OnSubmit(f.submit).Body(body...)
}

func (f *pinSetup) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy {
		return
	}
	pin, confirm := f.pin, f.confirm
	if err := seal.CheckPIN(pin); err != nil {
		f.problem = f.shift.T("pin.too_short", seal.MinPINLength)
		return
	}
	if pin != confirm {
		f.problem = f.shift.T("pin.mismatch")
		return
	}
	f.busy, f.problem = true, ""
	ctx.Async(func() {
		time.Sleep(30 * time.Millisecond) // let "Saving …" paint before Argon2id takes the thread
		err := f.shift.Keyring().SetPIN(context.Background(), pin, confirm)
		if err == nil {
			requestPersistence(f.shift)
		}
		ctx.Dispatch(func(ctx app.Context) {
			f.busy = false
			f.pin, f.confirm = "", ""
			if err != nil {
				f.problem = f.shift.T("error.generic")
			}
		})
	})
}

// unlockForm asks for the PIN of the shift stored on the phone. It works
// without any network.
type unlockForm struct {
	app.Compo
	shift   *shift.Shift
	pin     string
	busy    bool
	problem string
}

func (f *unlockForm) Render() app.UI {
	s := f.shift
	lang := s.Prefs().Lang()
	body := []app.UI{
		app.H2().Text(s.T("unlock.title")),
		app.P().Attr("data-testid", "owner").Text(s.T("unlock.owner", s.Keyring().OwnerName())),
		app.If(s.Keyring().LockReason() != "", func() app.UI {
			return app.P().Class("muted").Text(s.T("unlock.reason." + s.Keyring().LockReason()))
		}),
		app.P().Class("muted").Text(s.T("unlock.until", i18n.Time(lang, s.Keyring().ExpiresAt().Local()))),
		app.P().Class("small muted").Attr("data-testid", "unlock-mode").Text(unlockMode(s)),
	}
	body = append(body, pinInput("pin", "pin", s.T("pin.label"), &f.pin, &f.Compo, f.busy)...)
	if n := s.Keyring().FailedPINs(); n > 0 && f.problem == "" {
		body = append(body, app.P().Class("error").Attr("data-testid", "pin-error").Text(s.T("unlock.left", shift.MaxPINAttempts-n)))
	}
	body = append(body,
		app.If(f.problem != "", func() app.UI {
			return app.P().Class("error").Attr("role", "alert").Attr("data-testid", "pin-error").Text(f.problem)
		}),
		app.Button().Type("submit").Class("btn btn-primary btn-block").Attr("data-testid", "unlock").
			Disabled(f.busy).Text(busyLabel(s, f.busy, "unlock.submit", "unlock.busy")),
	)
	return app.Div().Body(
		app.Form().Class("card form").Method("post").Action("/").OnSubmit(f.submit).Body(body...),
		app.Div().Class("card").Body(
			app.P().Class("muted small").Text(s.T("unlock.forgot")),
			logoutButton(s),
		),
	)
}

func (f *unlockForm) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.busy || f.pin == "" {
		return
	}
	pin := f.pin
	f.busy, f.problem = true, ""
	ctx.Async(func() {
		time.Sleep(30 * time.Millisecond)
		err := f.shift.Keyring().Unlock(context.Background(), pin)
		if err == nil {
			k := f.shift.Keyring().WrappedKDF()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			log.Printf("beredskap: unlocked in %d ms (Argon2id t=%d m=%d KiB p=%d), Go heap from the system %d MiB",
				f.shift.Keyring().UnlockTime().Milliseconds(), k.Time, k.MemoryKiB, k.Threads, ms.Sys>>20)
		}
		ctx.Dispatch(func(ctx app.Context) {
			f.busy, f.pin = false, ""
			var wrong *shift.WrongPINError
			switch {
			case err == nil:
			case errors.As(err, &wrong) && wrong.Left > 0:
				f.problem = f.shift.T("unlock.wrong", wrong.Left)
			case errors.As(err, &wrong):
				// The shift is wiped; the login page says why.
			case errors.Is(err, shift.ErrHardwareMissing):
				f.problem = f.shift.T("unlock.hardware_missing")
			default:
				f.problem = f.shift.T("error.generic")
			}
		})
	})
}

// logoutButton ends the shift on this phone. Records not yet sent stay and
// are sent after the next login.
func logoutButton(s *shift.Shift) app.UI {
	return app.Button().Class("btn btn-block").Attr("data-testid", "logout").Text(s.T("logout.button")).
		OnClick(func(ctx app.Context, e app.Event) {
			if !app.Window().Call("confirm", s.T("logout.confirm")).Bool() {
				return
			}
			ctx.Async(func() {
				c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				_ = s.Keyring().Logout(c)
			})
		})
}

func busyLabel(s *shift.Shift, busy bool, idle, working string) string {
	if busy {
		return s.T(working)
	}
	return s.T(idle)
}

// unlockMode says what protects the shift on this phone.
func unlockMode(s *shift.Shift) string {
	if s.Keyring().HardwareBound() {
		return s.T("unlock.mode.hardware")
	}
	return s.T("unlock.mode.pin")
}
