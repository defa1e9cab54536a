package badger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// A login's steps expire by themselves (Badger's TTL); an identity is
// kept under the hash of provider and subject, so that a key names no
// one (a subject may be a national identity number), with an index by
// user.

func loginFlowKey(id string) string { return "loginflow/" + id }

func identityHash(provider, subject string) string {
	h := sha256.Sum256([]byte(provider + "\x00" + subject))
	return hex.EncodeToString(h[:])
}

func identityKey(provider, subject string) string { return "idlink/" + identityHash(provider, subject) }

func userIdentityKey(userID, provider, subject string) string {
	return "useridlink/" + userID + "/" + identityHash(provider, subject)
}

// PutLoginFlow stores a login step until it expires.
func (db *DB) PutLoginFlow(ctx context.Context, f store.LoginFlow) error {
	ttl := time.Until(f.Expires)
	if f.ID == "" || ttl <= 0 {
		return fmt.Errorf("put login flow: an id and a future expiry are required")
	}
	err := db.update(ctx, func(txn *badger.Txn) error {
		held, err := exists(txn, loginFlowKey(f.ID))
		if err != nil {
			return err
		}
		if held {
			return store.ErrLoginFlowExists
		}
		return putJSONWithTTL(txn, loginFlowKey(f.ID), f, ttl)
	})
	if err != nil {
		return fmt.Errorf("put login flow: %w", err)
	}
	return nil
}

// TakeLoginFlow reads and deletes a login step in one transaction: of
// two takers, Badger's conflict detection lets one commit, and the
// other, run again, finds nothing.
func (db *DB) TakeLoginFlow(ctx context.Context, id string, now time.Time) (store.LoginFlow, error) {
	var f store.LoginFlow
	err := db.update(ctx, func(txn *badger.Txn) error {
		f = store.LoginFlow{}
		if err := getJSON(txn, loginFlowKey(id), &f); err != nil {
			return err
		}
		return txn.Delete([]byte(loginFlowKey(id)))
	})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.LoginFlow{}, fmt.Errorf("login flow: %w", store.ErrNotFound)
		}
		return store.LoginFlow{}, fmt.Errorf("take login flow: %w", err)
	}
	if !now.Before(f.Expires) {
		return store.LoginFlow{}, fmt.Errorf("login flow: %w", store.ErrNotFound)
	}
	return f, nil
}

// PutIdentityLink links an identity to a user.
func (db *DB) PutIdentityLink(ctx context.Context, l store.IdentityLink) error {
	if l.Provider == "" || l.Subject == "" || l.UserID == "" {
		return fmt.Errorf("put identity link: provider, subject and user are required")
	}
	err := db.update(ctx, func(txn *badger.Txn) error {
		var old store.IdentityLink
		switch err := getJSON(txn, identityKey(l.Provider, l.Subject), &old); {
		case err == nil && old.UserID != l.UserID:
			return fmt.Errorf("%s: %w", old.UserID, store.ErrIdentityLinked)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err := putJSON(txn, identityKey(l.Provider, l.Subject), l); err != nil {
			return err
		}
		return setIndex(txn, userIdentityKey(l.UserID, l.Provider, l.Subject))
	})
	if err != nil {
		return fmt.Errorf("link identity at %s: %w", l.Provider, err)
	}
	return nil
}

// IdentityLink returns the link of an identity.
func (db *DB) IdentityLink(ctx context.Context, provider, subject string) (store.IdentityLink, error) {
	var l store.IdentityLink
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, identityKey(provider, subject), &l) })
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return l, fmt.Errorf("identity at %s: %w", provider, store.ErrNotFound)
		}
		return l, fmt.Errorf("identity at %s: %w", provider, err)
	}
	return l, nil
}

// IdentityLinks returns a user's links.
func (db *DB) IdentityLinks(ctx context.Context, userID string) ([]store.IdentityLink, error) {
	var out []store.IdentityLink
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, h := range scanKeys(txn, "useridlink/"+userID+"/", "", "") {
			var l store.IdentityLink
			if err := getJSON(txn, "idlink/"+h, &l); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("identity links of %s: %w", userID, err)
	}
	store.SortIdentityLinks(out)
	return out, nil
}

// DeleteIdentityLink removes a link and its index.
func (db *DB) DeleteIdentityLink(ctx context.Context, provider, subject string) error {
	err := db.update(ctx, func(txn *badger.Txn) error {
		var l store.IdentityLink
		if err := getJSON(txn, identityKey(provider, subject), &l); err != nil {
			return err
		}
		if err := txn.Delete([]byte(identityKey(provider, subject))); err != nil {
			return err
		}
		return txn.Delete([]byte(userIdentityKey(l.UserID, provider, subject)))
	})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("identity at %s: %w", provider, store.ErrNotFound)
		}
		return fmt.Errorf("unlink identity at %s: %w", provider, err)
	}
	return nil
}
