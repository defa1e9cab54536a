package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
	"beredskap/internal/store"
	badgerstore "beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// writeLegacyAccount stores an account as a store from before usernames
// were normalised did (the username as given, indexed lower-cased),
// bypassing every check, so that two accounts can collide.
func writeLegacyAccount(t *testing.T, db *badgerstore.DB, a store.Account) {
	t.Helper()
	b, _ := json.Marshal(a)
	id, _ := json.Marshal(a.ID)
	err := db.Badger().Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte("user/"+a.ID), b); err != nil {
			return err
		}
		return txn.Set([]byte("username/"+strings.ToLower(a.Username)), id)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUsernamesAreNormalisedAtLogin: "Kari", "KARI", fullwidth "ｋａｒｉ"
// and "kari" are one username, kari's.
func TestUsernamesAreNormalisedAtLogin(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari")
	for _, name := range []string{"Kari", "KARI", "ｋａｒｉ", "ＫＡＲＩ", " kari "} {
		var lr wire.LoginResponse
		code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: name, Password: "demo"}, &lr)
		if code != 200 || lr.User.ID != kari.User.ID || lr.User.Username != "kari" {
			t.Fatalf("login as %q: %d %s", name, code, raw)
		}
	}
}

// TestNewUsernameThatCollidesIsRefused: a new user whose name is an
// existing one's after normalisation is refused with 409 conflict and a
// message that says why; a new name is stored normalised.
func TestNewUsernameThatCollidesIsRefused(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").Token
	for _, name := range []string{"KARI", "ｋａｒｉ", "Kari", "ＡＮＮＡ"} {
		req := wire.NewUserRequest{Username: name, Name: "Kari Two", Role: care.RoleWorker, Units: e.login("kari").User.Units, Password: "a long new password"}
		code, raw := e.call("POST", "/api/v1/users", admin, req, nil)
		if code != 409 || errorCode(t, raw) != wire.CodeConflict || !strings.Contains(string(raw), "already has the username") {
			t.Fatalf("new user %q: %d %s", name, code, raw)
		}
	}
	var uv wire.UserView
	req := wire.NewUserRequest{Username: "Ｅｖａ.Ｂｅｒｇ", Name: "Eva Berg", Role: care.RoleWorker, Units: e.login("kari").User.Units, Password: "a long new password"}
	if code, raw := e.call("POST", "/api/v1/users", admin, req, &uv); code != 200 || uv.Username != "eva.berg" {
		t.Fatalf("new user: %d %s", code, raw)
	}
}

// TestCollidingUsernamesAreListedForRenaming: a store written before
// usernames were normalised, with two accounts whose names are one after
// it, lists them in GET /api/v1/users; an admin renames one, after which
// the list is empty and the renamed user logs in with the new name.
func TestCollidingUsernamesAreListedForRenaming(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").User
	twin := store.Account{User: care.User{ID: "0190b6a2-0000-7000-8000-00000000aaaa", Username: "ｋａｒｉ", Name: "Kari Fullwidth", Role: care.RoleWorker, Units: kari.Units}}
	acct, _ := e.db.Account(t.Context(), kari.ID)
	twin.PasswordHash = acct.PasswordHash
	writeLegacyAccount(t, e.db, twin)

	admin := e.login("admin").Token
	var ur wire.UsersResponse
	if code, raw := e.call("GET", "/api/v1/users", admin, nil, &ur); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	if len(ur.Collisions) != 1 {
		t.Fatalf("collisions %+v", ur.Collisions)
	}
	c := ur.Collisions[0]
	if c.Normalized != "kari" || len(c.UserIDs) != 2 || len(c.Usernames) != 2 || c.LogsIn != kari.ID {
		t.Fatalf("collision %+v", c)
	}
	// Renaming to a name that is taken is refused too.
	if code, raw := e.call("POST", "/api/v1/users/"+twin.ID+"/rename", admin, wire.RenameUserRequest{Username: "ANNA"}, nil); code != 409 {
		t.Fatalf("rename to a taken name: %d %s", code, raw)
	}
	var uv wire.UserView
	if code, raw := e.call("POST", "/api/v1/users/"+twin.ID+"/rename", admin, wire.RenameUserRequest{Username: "Kari.F"}, &uv); code != 200 || uv.Username != "kari.f" {
		t.Fatalf("rename: %d %s", code, raw)
	}
	ur = wire.UsersResponse{}
	e.call("GET", "/api/v1/users", admin, nil, &ur)
	if len(ur.Collisions) != 0 {
		t.Fatalf("collisions after the rename: %+v", ur.Collisions)
	}
	var lr wire.LoginResponse
	if code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari.f", Password: "demo"}, &lr); code != 200 || lr.User.ID != twin.ID {
		t.Fatalf("the renamed user's login: %d %s", code, raw)
	}
	if lr := e.login("kari"); lr.User.ID != kari.ID {
		t.Fatal("kari is someone else now")
	}
	// Only admins rename.
	if code, _ := e.call("POST", "/api/v1/users/"+twin.ID+"/rename", e.login("kari").Token, wire.RenameUserRequest{Username: "x.y"}, nil); code != 403 {
		t.Fatalf("a coordinator renamed a user: %d", code)
	}
}
