package app

import (
	"testing"

	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// TestLoginExplain: a login refused by the server reads in the user's
// language, by what the refusal is; a server whose database is out of
// reach (a failover) says so, not "something went wrong".
func TestLoginExplain(t *testing.T) {
	f := &loginForm{shift: shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{})}
	for _, c := range []struct {
		code wire.Code
		key  string
	}{
		{wire.CodeUnauthorized, "login.wrong"},
		{wire.CodeRateLimited, "login.rate_limited"},
		{wire.CodeInsufficientStorage, "error.insufficient_storage"},
		{wire.CodeUnavailable, "error.unavailable"},
		{wire.CodeForbidden, "login.forbidden"},
		{wire.CodeInternal, "error.generic"},
	} {
		got := f.explain(&wire.Error{Code: c.code, Message: "x"})
		if want := i18n.T("nb", c.key); got != want {
			t.Errorf("%s: %q, want %q", c.code, got, want)
		}
	}
}
