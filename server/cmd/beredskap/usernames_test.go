package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
	"beredskap/internal/keys"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/users"
)

// TestUserAddNormalisesAndRefusesCollisions: `beredskap user add` stores
// the normalised username and refuses one that is another's after
// normalisation.
func TestUserAddNormalisesAndRefusesCollisions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	servertest.Seed(t, db)
	db.Close()
	var out, errOut bytes.Buffer
	for _, name := range []string{"KARI", "ｋａｒｉ"} {
		add := []string{"add", "--data", dir, "--username", name, "--name", "Kari To", "--role", "nurse", "--units", "Hjemmetjenesten Nord"}
		err := userCmd(ctx, add, strings.NewReader("correct horse battery\n"), &out, &errOut)
		if !errors.Is(err, users.ErrUsernameTaken) {
			t.Fatalf("user add %q: %v, want ErrUsernameTaken", name, err)
		}
	}
	add := []string{"add", "--data", dir, "--username", "ＥＶＡ", "--name", "Eva Lie", "--role", "nurse", "--units", "Hjemmetjenesten Nord"}
	if err := userCmd(ctx, add, strings.NewReader("correct horse battery\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "added eva ") {
		t.Fatalf("%q", out.String())
	}
}

// TestServeWarnsAboutCollidingUsernames: serve lists, at start, accounts
// whose usernames are one name once normalised (written by an older
// version, here straight into the store).
func TestServeWarnsAboutCollidingUsernames(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, err := keys.LoadKeys(data); err != nil {
		t.Fatal(err)
	}
	db, err := openStore(data, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []store.Account{
		{User: care.User{ID: "u1", Username: "kari", Name: "Kari", Role: care.RoleAdmin}, PasswordHash: "x"},
		{User: care.User{ID: "u2", Username: "ｋａｒｉ", Name: "Kari Fullwidth", Role: care.RoleAdmin}, PasswordHash: "x"},
	} {
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
	if err := db.MarkInitialized(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	db.Close()
	logged := serveOnce(t, "--data", data)
	if !strings.Contains(logged, "username collision") || !strings.Contains(logged, "ｋａｒｉ") || !strings.Contains(logged, "can log in") {
		t.Fatalf("serve did not warn about the colliding usernames:\n%s", logged)
	}
	// `beredskap user rename` settles it on a stopped server.
	var out, errOut bytes.Buffer
	if err := userCmd(context.Background(), []string{"rename", "--data", data, "--id", "u2", "--username", "KARI"}, strings.NewReader(""), &out, &errOut); !errors.Is(err, users.ErrUsernameTaken) {
		t.Fatalf("rename to the taken name: %v", err)
	}
	if err := userCmd(context.Background(), []string{"rename", "--data", data, "--id", "u2", "--username", "Kari.B"}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if logged := serveOnce(t, "--data", data); strings.Contains(logged, "username collision") {
		t.Fatalf("still warned after the rename:\n%s", logged)
	}
}
