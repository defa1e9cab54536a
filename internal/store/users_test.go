package store

import (
	"context"
	"errors"
	"testing"

	"beredskap/internal/care"
)

// TestSetAccountLang changes only the language, survives a reopen, and
// refuses an unknown account without creating one.
func TestSetAccountLang(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	a := Account{User: care.User{ID: "u1", Username: "anna", Name: "Anna Berg", Role: care.RoleWorker, Units: []string{"n"}, Lang: "nb"}, PasswordHash: "h"}
	if err := db.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAccountLang(ctx, "u1", "sv"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAccountLang(ctx, "nobody", "sv"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown account: %v, want ErrNotFound", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir)
	defer db.Close()
	got, err := db.AccountByUsername(ctx, "anna")
	if err != nil {
		t.Fatal(err)
	}
	want := a
	want.Lang = "sv"
	if got.Lang != "sv" || got.Name != want.Name || got.PasswordHash != want.PasswordHash || got.Role != want.Role {
		t.Fatalf("after SetAccountLang: %+v, want %+v", got, want)
	}
	if _, err := db.Account(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetAccountLang created an account: %v", err)
	}
}
