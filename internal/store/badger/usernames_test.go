package badger

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// writeLegacyAccount stores an account as a store from before usernames
// were normalised did: its username as given, indexed lower-cased,
// without any check. Tests use it to make colliding accounts.
func writeLegacyAccount(t testing.TB, db *DB, a store.Account) {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := json.Marshal(a.ID)
	err = db.Badger().Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte(userKey(a.ID)), b); err != nil {
			return err
		}
		return txn.Set([]byte("username/"+strings.ToLower(a.Username)), id)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func account(id, username string) store.Account {
	return store.Account{User: care.User{ID: id, Username: username, Name: username, Role: care.RoleCoordinator, Units: []string{"n"}}, PasswordHash: "h"}
}

// TestCollidingLegacyUsernamesAreListed: a store written before
// normalisation with two names that are one after it lists them, keeps
// the one the index named logging in, and lets an admin rename the other
// (disable and password changes work meanwhile).
func TestCollidingLegacyUsernamesAreListed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	writeLegacyAccount(t, db, account("u1", "kari"))
	writeLegacyAccount(t, db, account("u2", "ｋａｒｉ"))
	writeLegacyAccount(t, db, account("u3", "anna"))
	if err := db.normalizeUsernameIndexNow(ctx); err != nil {
		t.Fatal(err)
	}
	cs, err := db.UsernameCollisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Normalized != "kari" || len(cs[0].Accounts) != 2 || cs[0].Indexed != "u1" {
		t.Fatalf("collisions %+v", cs)
	}
	if a, err := db.AccountByUsername(ctx, "ｋａｒｉ"); err != nil || a.ID != "u1" {
		t.Fatalf("login name ｋａｒｉ: %+v %v", a, err)
	}
	other, _ := db.Account(ctx, "u2")
	other.Disabled = true
	if err := db.PutAccount(ctx, other); err != nil {
		t.Fatalf("disabling the colliding account: %v", err)
	}
	other.Username = "kari2"
	if err := db.PutAccount(ctx, other); err != nil {
		t.Fatalf("renaming the colliding account: %v", err)
	}
	if cs, err := db.UsernameCollisions(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("after the rename: %+v %v", cs, err)
	}
	if a, err := db.AccountByUsername(ctx, "KARI2"); err != nil || a.ID != "u2" {
		t.Fatalf("renamed account: %+v %v", a, err)
	}
	if a, err := db.AccountByUsername(ctx, "anna"); err != nil || a.ID != "u3" {
		t.Fatalf("anna: %+v %v", a, err)
	}
	// Once more changes nothing.
	if err := db.normalizeUsernameIndexNow(ctx); err != nil {
		t.Fatal(err)
	}
}

// normalizeUsernameIndexNow runs the migration's step on its own.
func (db *DB) normalizeUsernameIndexNow(ctx context.Context) error {
	return db.update(ctx, normalizeUsernameIndex)
}
