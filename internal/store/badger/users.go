package badger

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/auth"
	"beredskap/internal/store"
)

func userKey(id string) string { return "user/" + id }

// usernameKey indexes an account by its username as logins compare it:
// normalised (NFKC and case folding), so that "Kari" and "ｋａｒｉ" are
// "kari" and no two accounts can hold what a login sees as one name.
func usernameKey(username string) string { return "username/" + auth.NormalizeUsername(username) }

// PutAccount creates or replaces an account. A new or changed username
// is stored normalised and must be unique after normalisation
// (ErrUsernameTaken otherwise). An unchanged one is left as it is, so that
// an account from before normalisation whose name collides with another
// can still be disabled or given a password until it is renamed.
func (db *DB) PutAccount(ctx context.Context, a store.Account) error {
	if a.ID == "" || a.Username == "" || !a.Role.Valid() {
		return fmt.Errorf("put account: id, username and a valid role are required")
	}
	return db.update(ctx, func(txn *badger.Txn) error {
		var old store.Account
		err := getJSON(txn, userKey(a.ID), &old)
		switch {
		case err == nil && old.Username == a.Username:
			return putJSON(txn, userKey(a.ID), a)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		a.Username = auth.NormalizeUsername(a.Username)
		if a.Username == "" {
			return fmt.Errorf("put account: the username is empty")
		}
		var owner string
		err = getJSON(txn, usernameKey(a.Username), &owner)
		switch {
		case err == nil && owner != a.ID:
			return fmt.Errorf("username %q: %w", a.Username, store.ErrUsernameTaken)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		if old.ID != "" {
			if err := deleteOwnIndex(txn, old); err != nil {
				return err
			}
		}
		if err := putJSON(txn, usernameKey(a.Username), a.ID); err != nil {
			return err
		}
		return putJSON(txn, userKey(a.ID), a)
	})
}

// deleteOwnIndex removes the username index entries that point at a: the
// normalised one and, in a store written before usernames were
// normalised, the lower-cased one.
func deleteOwnIndex(txn *badger.Txn, a store.Account) error {
	for _, k := range []string{usernameKey(a.Username), "username/" + strings.ToLower(a.Username)} {
		var owner string
		err := getJSON(txn, k, &owner)
		if errors.Is(err, store.ErrNotFound) || (err == nil && owner != a.ID) {
			continue
		}
		if err != nil {
			return err
		}
		if err := txn.Delete([]byte(k)); err != nil {
			return err
		}
	}
	return nil
}

// AccountByUsername returns the account with the username, compared
// after normalisation (any case, any width).
func (db *DB) AccountByUsername(ctx context.Context, username string) (store.Account, error) {
	var a store.Account
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
func (db *DB) Account(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, userKey(id), &a) })
	return a, err
}

// Accounts lists every account.
func (db *DB) Accounts(ctx context.Context) ([]store.Account, error) {
	var out []store.Account
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[store.Account](txn, "user/")
		return err
	})
	return out, err
}

// SetAccountLang changes the language an account's pages are shown in.
// It reads and writes in one transaction, so that a concurrent change to
// the account (disabled, new password) is not undone.
func (db *DB) SetAccountLang(ctx context.Context, id, lang string) error {
	err := db.update(ctx, func(txn *badger.Txn) error {
		var a store.Account
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

// UsernameCollisions lists the accounts that share a normalised
// username, in name order.
func (db *DB) UsernameCollisions(ctx context.Context) ([]store.UsernameCollision, error) {
	var out []store.UsernameCollision
	err := db.view(ctx, func(txn *badger.Txn) error {
		accts, err := scanJSON[store.Account](txn, "user/")
		if err != nil {
			return err
		}
		by := map[string][]store.Account{}
		for _, a := range accts {
			n := auth.NormalizeUsername(a.Username)
			by[n] = append(by[n], a)
		}
		for n, group := range by {
			if len(group) < 2 {
				continue
			}
			c := store.UsernameCollision{Normalized: n, Accounts: group}
			if err := getJSON(txn, usernameKey(n), &c.Indexed); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			sort.Slice(c.Accounts, func(i, j int) bool { return c.Accounts[i].Username < c.Accounts[j].Username })
			out = append(out, c)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Normalized < out[j].Normalized })
	return out, err
}

// normalizeUsernameIndex brings the username index of a store written
// before usernames were normalised up to date: every account is found
// under its normalised name. Where two accounts share one, the one the
// index already names keeps it (else the first by username); the others
// are listed by UsernameCollisions for an admin to rename. It changes
// nothing in a store that is up to date. It is the migration to schema 2.
func normalizeUsernameIndex(txn *badger.Txn) error {
	accts, err := scanJSON[store.Account](txn, "user/")
	if err != nil {
		return err
	}
	sort.Slice(accts, func(i, j int) bool { return accts[i].Username < accts[j].Username })
	for _, a := range accts {
		k := usernameKey(a.Username)
		var owner string
		switch err := getJSON(txn, k, &owner); {
		case errors.Is(err, store.ErrNotFound):
			if err := putJSON(txn, k, a.ID); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if old := "username/" + strings.ToLower(a.Username); old != k {
			var oldOwner string
			if err := getJSON(txn, old, &oldOwner); err == nil && oldOwner == a.ID {
				if err := txn.Delete([]byte(old)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
