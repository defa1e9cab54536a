package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
)

// Account is a user as the server keeps it: the user and the password hash.
type Account struct {
	care.User
	PasswordHash string `json:"password_hash"`
}

// ErrUsernameTaken means another user already has the username.
var ErrUsernameTaken = errors.New("username taken")

func userKey(id string) string           { return "user/" + id }
func usernameKey(username string) string { return "username/" + strings.ToLower(username) }

// PutAccount creates or replaces an account. The username must be unique.
func (db *DB) PutAccount(ctx context.Context, a Account) error {
	if a.ID == "" || a.Username == "" || !a.Role.Valid() {
		return fmt.Errorf("put account: id, username and a valid role are required")
	}
	return db.update(ctx, func(txn *badger.Txn) error {
		var owner string
		err := getJSON(txn, usernameKey(a.Username), &owner)
		switch {
		case err == nil && owner != a.ID:
			return ErrUsernameTaken
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		var old Account
		if err := getJSON(txn, userKey(a.ID), &old); err == nil && !strings.EqualFold(old.Username, a.Username) {
			if err := txn.Delete([]byte(usernameKey(old.Username))); err != nil {
				return err
			}
		}
		if err := putJSON(txn, usernameKey(a.Username), a.ID); err != nil {
			return err
		}
		return putJSON(txn, userKey(a.ID), a)
	})
}

// AccountByUsername returns the account with the username (any case).
func (db *DB) AccountByUsername(ctx context.Context, username string) (Account, error) {
	var a Account
	err := db.view(ctx, func(txn *badger.Txn) error {
		var id string
		if err := getJSON(txn, usernameKey(username), &id); err != nil {
			return err
		}
		return getJSON(txn, userKey(id), &a)
	})
	return a, err
}

// Account returns the account with the id.
func (db *DB) Account(ctx context.Context, id string) (Account, error) {
	var a Account
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, userKey(id), &a) })
	return a, err
}

// Accounts lists every account.
func (db *DB) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[Account](txn, "user/")
		return err
	})
	return out, err
}

// SetAccountLang changes the language an account's pages are shown in.
// It reads and writes in one transaction, so that a concurrent change to
// the account (disabled, new password) is not undone.
func (db *DB) SetAccountLang(ctx context.Context, id, lang string) error {
	err := db.update(ctx, func(txn *badger.Txn) error {
		var a Account
		if err := getJSON(txn, userKey(id), &a); err != nil {
			return err
		}
		a.Lang = lang
		return putJSON(txn, userKey(id), a)
	})
	if err != nil {
		return fmt.Errorf("set language of %s: %w", id, err)
	}
	return nil
}
