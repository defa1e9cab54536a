package app

import (
	"testing"

	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/wire"
)

// TestOfficeExplainInNorwegian: the office pages show the server's error
// in the user's language. The body is the one the server sends for a
// routine saved without a title (issue 15: before, the page showed
// «Ugyldig forespørsel: invalid_input: title is required»).
func TestOfficeExplainInNorwegian(t *testing.T) {
	p := &officePage{page: page{shift: shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{})}}
	if lang := p.shift.Prefs().Lang(); lang != "nb" {
		t.Fatalf("a new shift speaks %q", lang)
	}
	err := &wire.Error{Code: wire.CodeInvalidInput, Message: "title: is required", Key: "error.field.required", Args: []string{"title"}}
	if got, want := p.explain(err), "Tittel må fylles ut."; got != want {
		t.Fatalf("explain = %q, want %q", got, want)
	}
	forbidden := &wire.Error{Code: wire.CodeForbidden, Message: "unit sor is not yours", Key: "error.unit_not_yours", Args: []string{"sor"}}
	if got, want := p.explain(forbidden), "Enheten sor er ikke en av dine."; got != want {
		t.Fatalf("explain = %q, want %q", got, want)
	}
}
