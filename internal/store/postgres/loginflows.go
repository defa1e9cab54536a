package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// Logins through an identity provider: the steps in progress and the
// identity links (see migration 00006).

const (
	tLoginFlows    = "login_flows"
	tIdentityLinks = "identity_links"
)

// PutLoginFlow stores a login step, sealed, and drops the steps that
// expired (nobody takes them any more).
func (db *DB) PutLoginFlow(ctx context.Context, f store.LoginFlow) error {
	now := time.Now()
	if f.ID == "" || !f.Expires.After(now) {
		return fmt.Errorf("put login flow: an id and a future expiry are required")
	}
	data, err := db.seal.sealJSON(tLoginFlows, f.ID, f)
	if err != nil {
		return fmt.Errorf("put login flow: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_flows WHERE expires_ns <= $1`, ns(now)); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO login_flows (id, expires_ns, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
			f.ID, ns(f.Expires), data)
		if err == nil && tag.RowsAffected() == 0 {
			return store.ErrLoginFlowExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("put login flow: %w", err)
	}
	return nil
}

// TakeLoginFlow deletes the step and returns what it held: DELETE ...
// RETURNING gives the row to one taker only.
func (db *DB) TakeLoginFlow(ctx context.Context, id string, now time.Time) (store.LoginFlow, error) {
	var f store.LoginFlow
	var expires int64
	var data []byte
	err := db.queryRow(ctx, `DELETE FROM login_flows WHERE id = $1 RETURNING expires_ns, data`, []any{id}, &expires, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("login flow: %w", store.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("take login flow: %w", err)
	}
	if expires <= ns(now) {
		return f, fmt.Errorf("login flow: %w", store.ErrNotFound)
	}
	if err := db.seal.openJSON(tLoginFlows, id, data, &f); err != nil {
		return store.LoginFlow{}, fmt.Errorf("take login flow: %w", err)
	}
	return f, nil
}

func (db *DB) identityKey(provider, subject string) []byte {
	return db.seal.name("identity\x00" + provider + "\x00" + subject)
}

// PutIdentityLink links an identity to a user, unless another user has
// it: the row is locked while that is checked, so two nodes linking one
// identity to two users cannot both succeed.
func (db *DB) PutIdentityLink(ctx context.Context, l store.IdentityLink) error {
	if l.Provider == "" || l.Subject == "" || l.UserID == "" {
		return fmt.Errorf("put identity link: provider, subject and user are required")
	}
	key := db.identityKey(l.Provider, l.Subject)
	data, err := db.seal.sealJSON(tIdentityLinks, hex.EncodeToString(key), l)
	if err != nil {
		return fmt.Errorf("put identity link: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO identity_links (key, user_id, data) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET data = excluded.data WHERE identity_links.user_id = excluded.user_id`, key, l.UserID, data)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var other string
			if err := tx.QueryRow(ctx, `SELECT user_id FROM identity_links WHERE key = $1`, key).Scan(&other); err != nil {
				return err
			}
			return fmt.Errorf("%s: %w", other, store.ErrIdentityLinked)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("link identity at %s: %w", l.Provider, err)
	}
	return nil
}

// IdentityLink returns the link of an identity.
func (db *DB) IdentityLink(ctx context.Context, provider, subject string) (store.IdentityLink, error) {
	var l store.IdentityLink
	key := db.identityKey(provider, subject)
	var data []byte
	err := db.queryRow(ctx, `SELECT data FROM identity_links WHERE key = $1`, []any{key}, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, fmt.Errorf("identity at %s: %w", provider, store.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("identity at %s: %w", provider, err)
	}
	if err := db.seal.openJSON(tIdentityLinks, hex.EncodeToString(key), data, &l); err != nil {
		return store.IdentityLink{}, fmt.Errorf("identity at %s: %w", provider, err)
	}
	return l, nil
}

// IdentityLinks returns a user's links.
func (db *DB) IdentityLinks(ctx context.Context, userID string) ([]store.IdentityLink, error) {
	rows, err := db.pool.Query(ctx, `SELECT key, data FROM identity_links WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("identity links of %s: %w", userID, db.mapErr(err))
	}
	defer rows.Close()
	var out []store.IdentityLink
	for rows.Next() {
		var key, data []byte
		if err := rows.Scan(&key, &data); err != nil {
			return nil, fmt.Errorf("identity links of %s: %w", userID, db.mapErr(err))
		}
		var l store.IdentityLink
		if err := db.seal.openJSON(tIdentityLinks, hex.EncodeToString(key), data, &l); err != nil {
			return nil, fmt.Errorf("identity links of %s: %w", userID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity links of %s: %w", userID, db.mapErr(err))
	}
	store.SortIdentityLinks(out)
	return out, nil
}

// DeleteIdentityLink removes a link.
func (db *DB) DeleteIdentityLink(ctx context.Context, provider, subject string) error {
	tag, err := db.exec(ctx, `DELETE FROM identity_links WHERE key = $1`, db.identityKey(provider, subject))
	if err != nil {
		return fmt.Errorf("unlink identity at %s: %w", provider, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("identity at %s: %w", provider, store.ErrNotFound)
	}
	return nil
}
