package server

import (
	"testing"

	"beredskap/internal/wire"
)

// TestSetLang saves a language through PUT /api/v1/me/lang and checks
// that the next login carries it, and that a refused request changes
// nothing.
func TestSetLang(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name     string
		user     string
		token    bool
		body     string
		code     int
		wantCode wire.Code
		wantLang string // the language the next login carries
	}{
		{"worker chooses Swedish", "anna", true, `{"lang":"sv"}`, 200, "", "sv"},
		{"nurse chooses Danish", "nils", true, `{"lang":"da"}`, 200, "", "da"},
		{"coordinator chooses English", "kari", true, `{"lang":"en"}`, 200, "", "en"},
		{"admin chooses bokmål", "admin", true, `{"lang":"nb"}`, 200, "", "nb"},
		{"worker back to bokmål", "anna", true, `{"lang":"nb"}`, 200, "", "nb"},
		{"unknown language", "anna", true, `{"lang":"fi"}`, 400, wire.CodeInvalidInput, "nb"},
		{"a locale, not a language code", "anna", true, `{"lang":"sv-SE"}`, 400, wire.CodeInvalidInput, "nb"},
		{"upper case", "anna", true, `{"lang":"SV"}`, 400, wire.CodeInvalidInput, "nb"},
		{"empty", "anna", true, `{"lang":""}`, 400, wire.CodeInvalidInput, "nb"},
		{"no field", "anna", true, `{}`, 400, wire.CodeInvalidInput, "nb"},
		{"unknown field", "anna", true, `{"lang":"sv","theme":"dark"}`, 400, wire.CodeInvalidInput, "nb"},
		{"not JSON", "anna", true, `lang=sv`, 400, wire.CodeInvalidInput, "nb"},
		{"not logged in", "anna", false, `{"lang":"sv"}`, 401, wire.CodeUnauthorized, "nb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := ""
			if c.token {
				token = e.login(c.user).Token
			}
			var got wire.LangRequest
			code, raw := e.call("PUT", "/api/v1/me/lang", token, c.body, &got)
			if code != c.code {
				t.Fatalf("status %d, want %d: %s", code, c.code, raw)
			}
			if c.wantCode != "" {
				if ec := errorCode(t, raw); ec != c.wantCode {
					t.Errorf("code %s, want %s", ec, c.wantCode)
				}
			} else if got.Lang != c.wantLang {
				t.Errorf("answer %q, want %q", got.Lang, c.wantLang)
			}
			if lang := e.login(c.user).User.Lang; lang != c.wantLang {
				t.Errorf("next login carries %q, want %q", lang, c.wantLang)
			}
		})
	}
}

// TestSetLangKeepsAccount checks that saving a language leaves the rest of
// the account as it was: the password still works, the role and units are
// unchanged.
func TestSetLangKeepsAccount(t *testing.T) {
	e := newEnv(t)
	before := e.login("kari").User
	if code, raw := e.call("PUT", "/api/v1/me/lang", e.login("kari").Token, wire.LangRequest{Lang: "da"}, nil); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	after := e.login("kari").User
	if after.Lang != "da" {
		t.Fatalf("lang %q, want da", after.Lang)
	}
	after.Lang = before.Lang
	if after.ID != before.ID || after.Role != before.Role || after.Name != before.Name || len(after.Units) != len(before.Units) || after.Disabled {
		t.Errorf("account changed: before %+v, after %+v", before, after)
	}
}
