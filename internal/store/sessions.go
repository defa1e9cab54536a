package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Session is a logged-in user. The token itself is never stored: the key
// is its SHA-256, so a copy of the database gives no usable token.
type Session struct {
	TokenHash string    `json:"-"`
	UserID    string    `json:"user_id"`
	DeviceID  string    `json:"device_id,omitempty"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

func sessionKey(hash string) string { return "session/" + hash }
func userSessionKey(userID, hash string) string {
	return "usersession/" + userID + "/" + hash
}

// PutSession stores a session until it expires.
func (db *DB) PutSession(ctx context.Context, s Session) error {
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
func (db *DB) Session(ctx context.Context, hash string) (Session, error) {
	var s Session
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, sessionKey(hash), &s) })
	if err != nil {
		return s, err
	}
	if !time.Now().Before(s.Expires) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	s.TokenHash = hash
	return s, nil
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, s Session) error {
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
func (db *DB) UserSessions(ctx context.Context, userID string) ([]Session, error) {
	var out []Session
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, h := range scanKeys(txn, "usersession/"+userID+"/", "", "") {
			var s Session
			err := getJSON(txn, sessionKey(h), &s)
			if errors.Is(err, ErrNotFound) {
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
