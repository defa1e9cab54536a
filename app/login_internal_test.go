package app

import (
	"testing"
	"time"

	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/care"
	"beredskap/internal/i18n"
	"beredskap/internal/wire"
)

// TestLoginPasswordsShown: the password fields are offered without
// providers, while some role has no provider (its users log in with a
// password), and during a declared outage; with every role covered and
// no outage the form offers the providers only.
func TestLoginPasswordsShown(t *testing.T) {
	until := time.Now().Add(time.Hour)
	phones := wire.ProviderView{ID: "helseid", Roles: []care.Role{care.RoleWorker, care.RoleNurse}}
	office := wire.ProviderView{ID: "entra", Roles: []care.Role{care.RoleCoordinator, care.RoleAdmin}}
	for _, c := range []struct {
		name      string
		providers []wire.ProviderView
		outage    wire.ProviderOutageStatus
		want      bool
	}{
		{"no providers", nil, wire.ProviderOutageStatus{}, true},
		{"the admins keep passwords", []wire.ProviderView{phones, {ID: "x", Roles: []care.Role{care.RoleCoordinator}}}, wire.ProviderOutageStatus{}, true},
		{"every role covered", []wire.ProviderView{phones, office}, wire.ProviderOutageStatus{}, false},
		{"every role covered, outage", []wire.ProviderView{phones, office}, wire.ProviderOutageStatus{Active: true, Reason: "nede", Until: &until}, true},
	} {
		f := &loginForm{shift: shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{}), providers: c.providers, outage: c.outage}
		if got := f.passwordsShown(); got != c.want {
			t.Errorf("%s: passwords shown %v, want %v", c.name, got, c.want)
		}
	}
}

// TestLoginExplainKeys: a refusal of issue 18's logins reads as the
// server's key says, in the user's language (not the code's general
// text); other keys keep the form's own words.
func TestLoginExplainKeys(t *testing.T) {
	f := &loginForm{shift: shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{})}
	for _, c := range []struct {
		err  *wire.Error
		want string
	}{
		{&wire.Error{Code: wire.CodeUnauthorized, Key: "error.fallback_code_used"}, i18n.T("nb", "error.fallback_code_used")},
		{&wire.Error{Code: wire.CodeForbidden, Key: "error.password_login_off"}, i18n.T("nb", "error.password_login_off")},
		{&wire.Error{Code: wire.CodeUnauthorized, Key: "error.break_glass_wrong"}, i18n.T("nb", "error.break_glass_wrong")},
		{&wire.Error{Code: wire.CodeUnauthorized}, i18n.T("nb", "login.wrong")},
	} {
		if got := f.explain(c.err); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.err.Code, c.err.Key, got, c.want)
		}
	}
}

// TestLoginRefusalText: a refusal in the return address reads as its
// key says; an argument is taken only when it names a configured
// provider, so that a crafted link cannot put its own words on the page.
func TestLoginRefusalText(t *testing.T) {
	f := &loginForm{shift: shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{}),
		providers: []wire.ProviderView{{ID: "helseid", Name: map[string]string{"nb": "HelseID"}}}}
	for _, c := range []struct {
		key  string
		args []string
		want string
	}{
		{"oidc.unknown_user", nil, i18n.T("nb", "oidc.unknown_user")},
		{"oidc.provider_unreachable", []string{"HelseID"}, i18n.T("nb", "oidc.provider_unreachable", "HelseID")},
		{"oidc.provider_unreachable", []string{"Ring 815 00 000 og oppgi passordet ditt"}, i18n.T("nb", "error.code.unavailable")},
		{"no.such.key", nil, i18n.T("nb", "error.code.forbidden")},
	} {
		if got := f.refusalText(c.key, c.args); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.key, c.args, got, c.want)
		}
	}
}
