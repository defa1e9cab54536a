package badger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

func sessionKey(hash string) string { return "session/" + hash }
func userSessionKey(userID, hash string) string {
	return "usersession/" + userID + "/" + hash
}

// PutSession stores a session until it expires.
func (db *DB) PutSession(ctx context.Context, s store.Session) error {
	ttl := time.Until(s.Expires)
	if ttl <= 0 || s.TokenHash == "" || s.UserID == "" {
		return fmt.Errorf("put session: token hash, user and a future expiry are required")
	}
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSONWithTTL(txn, sessionKey(s.TokenHash), s, ttl); err != nil {
			return err
		}
		return txn.SetEntry(badger.NewEntry([]byte(userSessionKey(s.UserID, s.TokenHash)), nil).WithTTL(ttl))
	})
}

// Session returns the live session with the token hash; an expired session
// is ErrNotFound.
func (db *DB) Session(ctx context.Context, hash string) (store.Session, error) {
	var s store.Session
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, sessionKey(hash), &s) })
	if err != nil {
		return s, err
	}
	if !time.Now().Before(s.Expires) {
		return store.Session{}, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	s.TokenHash = hash
	return s, nil
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, s store.Session) error {
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(sessionKey(s.TokenHash))); err != nil {
			return err
		}
		return txn.Delete([]byte(userSessionKey(s.UserID, s.TokenHash)))
	})
}

// DeleteUserSessions ends every session of a user (disable, password reset).
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	return db.update(ctx, func(txn *badger.Txn) error {
		for _, h := range scanKeys(txn, "usersession/"+userID+"/", "", "") {
			if err := txn.Delete([]byte(sessionKey(h))); err != nil {
				return err
			}
			if err := txn.Delete([]byte(userSessionKey(userID, h))); err != nil {
				return err
			}
		}
		return nil
	})
}

// UserSessions lists a user's live sessions.
func (db *DB) UserSessions(ctx context.Context, userID string) ([]store.Session, error) {
	var out []store.Session
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, h := range scanKeys(txn, "usersession/"+userID+"/", "", "") {
			var s store.Session
			err := getJSON(txn, sessionKey(h), &s)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if time.Now().Before(s.Expires) {
				s.TokenHash = h
				out = append(out, s)
			}
		}
		return nil
	})
	return out, err
}
