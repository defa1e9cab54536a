package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/auth"
	"beredskap/internal/store"
)

// Accounts, sessions, devices and the bundles issued to phones.

const (
	tAccounts = "accounts"
	tSessions = "sessions"
	tDevices  = "devices"
	tBundles  = "bundles"
)

// PutAccount creates or replaces an account. The username is stored
// normalised (NFKC and case folding) and is unique after normalisation
// by the table's unique index, so that two nodes creating "Kari" and
// "KARI" at once cannot both succeed.
func (db *DB) PutAccount(ctx context.Context, a store.Account) error {
	if a.ID == "" || a.Username == "" || !a.Role.Valid() {
		return fmt.Errorf("put account: id, username and a valid role are required")
	}
	a.Username = auth.NormalizeUsername(a.Username)
	if a.Username == "" {
		return fmt.Errorf("put account: the username is empty")
	}
	data, err := db.seal.sealJSON(tAccounts, a.ID, a)
	if err != nil {
		return fmt.Errorf("put account: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO accounts (id, username, data) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET username = excluded.username, data = excluded.data`, a.ID, a.Username, data)
	if code(err) == "23505" && constraint(err) == "accounts_username_key" {
		return fmt.Errorf("username %q: %w", a.Username, store.ErrUsernameTaken)
	}
	if err != nil {
		return fmt.Errorf("put account %s: %w", a.ID, err)
	}
	return nil
}

// AccountByUsername returns the account with the username, compared
// after normalisation.
func (db *DB) AccountByUsername(ctx context.Context, username string) (store.Account, error) {
	var a store.Account
	var id string
	var data []byte
	err := db.queryRow(ctx, `SELECT id, data FROM accounts WHERE username = $1`, []any{auth.NormalizeUsername(username)}, &id, &data)
	if err := noRows(err, "username", username); err != nil {
		return a, err
	}
	return a, db.seal.openJSON(tAccounts, id, data, &a)
}

// Account returns the account with the id.
func (db *DB) Account(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	err := db.one(ctx, nil, "user", tAccounts, id, &a)
	return a, err
}

// Accounts lists every account, by id.
func (db *DB) Accounts(ctx context.Context) ([]store.Account, error) {
	return list[store.Account](ctx, db, "accounts", tAccounts, `SELECT id, data FROM accounts ORDER BY id`)
}

// SetAccountLang changes an account's language, reading and writing it
// under a row lock so that a concurrent change is not undone.
func (db *DB) SetAccountLang(ctx context.Context, id, lang string) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var a store.Account
		var data []byte
		err := tx.QueryRow(ctx, `SELECT data FROM accounts WHERE id = $1 FOR UPDATE`, id).Scan(&data)
		if err := noRows(err, "user", id); err != nil {
			return err
		}
		if err := db.seal.openJSON(tAccounts, id, data, &a); err != nil {
			return err
		}
		a.Lang = lang
		if data, err = db.seal.sealJSON(tAccounts, id, a); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE accounts SET data = $2 WHERE id = $1`, id, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("set language of %s: %w", id, err)
	}
	return nil
}

// UsernameCollisions lists accounts that share a normalised username.
// The unique index keeps this store from holding any; the check is
// there for a store loaded from elsewhere, and costs one read.
func (db *DB) UsernameCollisions(ctx context.Context) ([]store.UsernameCollision, error) {
	accts, err := db.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	by := map[string][]store.Account{}
	for _, a := range accts {
		n := auth.NormalizeUsername(a.Username)
		by[n] = append(by[n], a)
	}
	var out []store.UsernameCollision
	for n, group := range by {
		if len(group) < 2 {
			continue
		}
		c := store.UsernameCollision{Normalized: n, Accounts: group}
		for _, a := range group {
			if a.Username == n {
				c.Indexed = a.ID
			}
		}
		sort.Slice(c.Accounts, func(i, j int) bool { return c.Accounts[i].Username < c.Accounts[j].Username })
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Normalized < out[j].Normalized })
	return out, nil
}

// PutSession stores a session until it expires; the user's expired
// sessions go at the same time (nothing else removes them).
func (db *DB) PutSession(ctx context.Context, s store.Session) error {
	now := time.Now()
	if !s.Expires.After(now) || s.TokenHash == "" || s.UserID == "" {
		return fmt.Errorf("put session: token hash, user and a future expiry are required")
	}
	data, err := db.seal.sealJSON(tSessions, s.TokenHash, s)
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND expires_ns <= $2`, s.UserID, ns(now)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, expires_ns, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, expires_ns = excluded.expires_ns, data = excluded.data`,
			s.TokenHash, s.UserID, ns(s.Expires), data)
		return err
	})
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// Session returns the live session with the token hash; an expired one
// is ErrNotFound. The error names no hash: it is a token's.
func (db *DB) Session(ctx context.Context, hash string) (store.Session, error) {
	var s store.Session
	var data []byte
	err := db.queryRow(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expires_ns > $2`, []any{hash, ns(time.Now())}, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	if err := db.seal.openJSON(tSessions, hash, data, &s); err != nil {
		return store.Session{}, fmt.Errorf("session: %w", err)
	}
	if !time.Now().Before(s.Expires) {
		return store.Session{}, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	s.TokenHash = hash
	return s, nil
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, s store.Session) error {
	if _, err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, s.TokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := db.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete sessions of %s: %w", userID, err)
	}
	return nil
}

// UserSessions lists a user's live sessions.
func (db *DB) UserSessions(ctx context.Context, userID string) ([]store.Session, error) {
	now := time.Now()
	rows, err := db.pool.Query(ctx, `SELECT token_hash, data FROM sessions WHERE user_id = $1 AND expires_ns > $2 ORDER BY token_hash`, userID, ns(now))
	if err != nil {
		return nil, fmt.Errorf("sessions of %s: %w", userID, db.mapErr(err))
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		var hash string
		var data []byte
		if err := rows.Scan(&hash, &data); err != nil {
			return nil, fmt.Errorf("sessions of %s: %w", userID, err)
		}
		var s store.Session
		if err := db.seal.openJSON(tSessions, hash, data, &s); err != nil {
			return nil, fmt.Errorf("sessions of %s: %w", userID, err)
		}
		if now.Before(s.Expires) {
			s.TokenHash = hash
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sessions of %s: %w", userID, err)
	}
	return out, nil
}

// PutDevice creates or updates a device.
func (db *DB) PutDevice(ctx context.Context, d store.Device) error {
	if d.ID == "" || d.UserID == "" || len(d.PublicKey) == 0 {
		return fmt.Errorf("put device: id, user and public key are required")
	}
	data, err := db.seal.sealJSON(tDevices, d.ID, d)
	if err != nil {
		return fmt.Errorf("put device: %w", err)
	}
	if _, err := db.exec(ctx, `INSERT INTO devices (id, user_id, data) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data`, d.ID, d.UserID, data); err != nil {
		return fmt.Errorf("put device %s: %w", d.ID, err)
	}
	return nil
}

// Device returns the device with the id.
func (db *DB) Device(ctx context.Context, id string) (store.Device, error) {
	var d store.Device
	err := db.one(ctx, nil, "device", tDevices, id, &d)
	return d, err
}

// UserDevices lists a user's devices, by id.
func (db *DB) UserDevices(ctx context.Context, userID string) ([]store.Device, error) {
	return list[store.Device](ctx, db, "devices of "+userID, tDevices, `SELECT id, data FROM devices WHERE user_id = $1 ORDER BY id`, userID)
}

// Devices lists every registered device, by id.
func (db *DB) Devices(ctx context.Context) ([]store.Device, error) {
	return list[store.Device](ctx, db, "devices", tDevices, `SELECT id, data FROM devices ORDER BY id`)
}

// updateDevice reads a device under a row lock, lets fn change it and
// writes it back when fn says so.
func (db *DB) updateDevice(ctx context.Context, tx pgx.Tx, id string, fn func(*store.Device) bool) (store.Device, error) {
	var d store.Device
	var data []byte
	err := tx.QueryRow(ctx, `SELECT data FROM devices WHERE id = $1 FOR UPDATE`, id).Scan(&data)
	if err := noRows(err, "device", id); err != nil {
		return d, err
	}
	if err := db.seal.openJSON(tDevices, id, data, &d); err != nil {
		return d, err
	}
	if !fn(&d) {
		return d, nil
	}
	if data, err = db.seal.sealJSON(tDevices, id, d); err != nil {
		return d, err
	}
	_, err = tx.Exec(ctx, `UPDATE devices SET data = $2 WHERE id = $1`, id, data)
	return d, err
}

// RevokeDevice marks a device revoked (the first time stays) and audits
// it, in one transaction.
func (db *DB) RevokeDevice(ctx context.Context, id, by string, now time.Time) (store.Device, error) {
	var d store.Device
	err := db.tx(ctx, func(tx pgx.Tx) (err error) {
		d, err = db.updateDevice(ctx, tx, id, func(d *store.Device) bool {
			if d.Revoked == nil {
				t := now.UTC()
				d.Revoked = &t
			}
			return true
		})
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, now, store.Audit{Time: now, Actor: by, Action: store.AuditDeviceRevoke, Subject: id, Detail: "user=" + d.UserID + " label=" + d.Label})
	})
	if err != nil {
		return d, fmt.Errorf("revoke device: %w", err)
	}
	return d, nil
}

// TouchDevice records contact from a device, at most once a minute.
func (db *DB) TouchDevice(ctx context.Context, id string, now time.Time) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		_, err := db.updateDevice(ctx, tx, id, func(d *store.Device) bool {
			if now.Sub(d.LastSeen) < time.Minute {
				return false
			}
			d.LastSeen = now.UTC()
			return true
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("touch device: %w", err)
	}
	return nil
}

// PutIssuedBundle records a bundle given to a phone.
func (db *DB) PutIssuedBundle(ctx context.Context, b store.IssuedBundle) error {
	if b.ID == "" || b.UserID == "" {
		return fmt.Errorf("put bundle: id and user are required")
	}
	data, err := db.seal.sealJSON(tBundles, b.ID, b)
	if err != nil {
		return fmt.Errorf("put bundle: %w", err)
	}
	if _, err := db.exec(ctx, `INSERT INTO bundles (id, user_id, issued_ns, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, issued_ns = excluded.issued_ns, data = excluded.data`,
		b.ID, b.UserID, ns(b.IssuedAt), data); err != nil {
		return fmt.Errorf("put bundle %s: %w", b.ID, err)
	}
	return nil
}

// IssuedBundles lists the bundles issued to a user at or after since,
// oldest first.
func (db *DB) IssuedBundles(ctx context.Context, userID string, since time.Time) ([]store.IssuedBundle, error) {
	return list[store.IssuedBundle](ctx, db, "bundles of "+userID, tBundles,
		`SELECT id, data FROM bundles WHERE user_id = $1 AND issued_ns >= $2 ORDER BY issued_ns, id`, userID, ns(since))
}

// IssuedBundle returns the bundle with the id.
func (db *DB) IssuedBundle(ctx context.Context, id string) (store.IssuedBundle, error) {
	var b store.IssuedBundle
	err := db.one(ctx, nil, "bundle", tBundles, id, &b)
	return b, err
}
