package badger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// Logging in without the identity provider (store.LoginFallback). Every
// write here appends to the audit chain, so it holds auditMu, which also
// makes each check-then-write one at a time in this process; Badger's
// conflict detection (update retries) would catch the rest.
//
// Keys: "provoutage/<start>/<id>" (declarations in time order),
// "fallback/<user>" (a user's sheet, replaced whole), "totp/<user>" (a
// user's secret and last step used), "breakglass/<at>/<id>" (uses in
// time order). The TOTP secret is as safe as the rest of the store: under
// Badger's encryption at rest when the store has a key.

func providerOutageKey(o store.ProviderOutage) string {
	return "provoutage/" + sortableTime(o.Start) + "/" + o.ID
}

// DeclareProviderOutage stores o unless an outage is active at o.Start.
func (db *DB) DeclareProviderOutage(ctx context.Context, o store.ProviderOutage, a store.Audit) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		all, err := scanJSON[store.ProviderOutage](txn, "provoutage/")
		if err != nil {
			return err
		}
		for _, old := range all {
			if old.ActiveAt(o.Start) {
				return fmt.Errorf("%w: an outage of the identity provider is active until %s", store.ErrProviderOutageState, old.Until.Format(time.RFC3339))
			}
		}
		if err := putJSON(txn, providerOutageKey(o), o); err != nil {
			return err
		}
		return appendAudit(txn, o.Start, a)
	})
	if err != nil {
		return fmt.Errorf("declare provider outage: %w", err)
	}
	return nil
}

// EndProviderOutage ends the outage active at at.
func (db *DB) EndProviderOutage(ctx context.Context, by string, at time.Time, a store.Audit) (store.ProviderOutage, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	var o store.ProviderOutage
	err := db.update(ctx, func(txn *badger.Txn) error {
		all, err := scanJSON[store.ProviderOutage](txn, "provoutage/")
		if err != nil {
			return err
		}
		found := false
		for _, old := range all {
			if old.ActiveAt(at) {
				o, found = old, true
			}
		}
		if !found {
			return fmt.Errorf("%w: no outage of the identity provider is active", store.ErrProviderOutageState)
		}
		end := at.UTC()
		o.End, o.EndedBy = &end, by
		if err := putJSON(txn, providerOutageKey(o), o); err != nil {
			return err
		}
		if a.Subject == "" {
			a.Subject = o.ID
		}
		return appendAudit(txn, at, a)
	})
	if err != nil {
		return o, fmt.Errorf("end provider outage: %w", err)
	}
	return o, nil
}

// ProviderOutages lists up to limit declarations, newest first.
func (db *DB) ProviderOutages(ctx context.Context, limit int) ([]store.ProviderOutage, error) {
	var out []store.ProviderOutage
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte("provoutage/"), Reverse: true})
		defer it.Close()
		for it.Seek([]byte("provoutage/\xff")); it.Valid() && (limit <= 0 || len(out) < limit); it.Next() {
			var o store.ProviderOutage
			if err := it.Item().Value(func(b []byte) error { return store.DecodeJSON(b, &o) }); err != nil {
				return fmt.Errorf("decode provider outage: %w", err)
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("provider outages: %w", err)
	}
	return out, nil
}

func fallbackKey(userID string) string { return "fallback/" + userID }

// PutFallbackSheet replaces the user's sheet.
func (db *DB) PutFallbackSheet(ctx context.Context, s store.FallbackSheet, a store.Audit) error {
	if s.UserID == "" || len(s.Codes) == 0 {
		return errors.New("put fallback sheet: a user and codes are required")
	}
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, fallbackKey(s.UserID), s); err != nil {
			return err
		}
		return appendAudit(txn, s.Issued, a)
	})
	if err != nil {
		return fmt.Errorf("put fallback sheet of %s: %w", s.UserID, err)
	}
	return nil
}

// FallbackSheet returns the user's current sheet.
func (db *DB) FallbackSheet(ctx context.Context, userID string) (store.FallbackSheet, error) {
	var s store.FallbackSheet
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, fallbackKey(userID), &s) })
	return s, err
}

// UseFallbackCode marks one code of the user's sheet used.
func (db *DB) UseFallbackCode(ctx context.Context, userID, hash string, at time.Time, a store.Audit) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		var s store.FallbackSheet
		if err := getJSON(txn, fallbackKey(userID), &s); err != nil {
			return err
		}
		for i, c := range s.Codes {
			if c.Hash != hash {
				continue
			}
			if c.Used != nil {
				return fmt.Errorf("code %d of the sheet of %s: %w", i+1, userID, store.ErrFallbackCodeUsed)
			}
			t := at.UTC()
			s.Codes[i].Used = &t
			if err := putJSON(txn, fallbackKey(userID), s); err != nil {
				return err
			}
			return appendAudit(txn, at, a)
		}
		return fmt.Errorf("a fallback code of %s: %w", userID, store.ErrNotFound)
	})
	if err != nil {
		return fmt.Errorf("use fallback code: %w", err)
	}
	return nil
}

func totpKey(userID string) string { return "totp/" + userID }

// PutTOTP stores or replaces the user's TOTP secret.
func (db *DB) PutTOTP(ctx context.Context, t store.TOTPSecret, a store.Audit) error {
	if t.UserID == "" || t.Secret == "" {
		return errors.New("put TOTP: a user and a secret are required")
	}
	t.LastStep = 0
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, totpKey(t.UserID), t); err != nil {
			return err
		}
		return appendAudit(txn, t.Enrolled, a)
	})
	if err != nil {
		return fmt.Errorf("put TOTP of %s: %w", t.UserID, err)
	}
	return nil
}

// TOTP returns the user's TOTP secret.
func (db *DB) TOTP(ctx context.Context, userID string) (store.TOTPSecret, error) {
	var t store.TOTPSecret
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, totpKey(userID), &t) })
	return t, err
}

func breakGlassKey(u store.BreakGlassUse) string {
	return "breakglass/" + sortableTime(u.At) + "/" + u.ID
}

// UseTOTPStep records a break-glass login at step u.Step, unless a step
// at or after it was used.
func (db *DB) UseTOTPStep(ctx context.Context, u store.BreakGlassUse, a store.Audit) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		var t store.TOTPSecret
		if err := getJSON(txn, totpKey(u.UserID), &t); err != nil {
			return err
		}
		if u.Step <= t.LastStep {
			return fmt.Errorf("step %d of %s: %w", u.Step, u.UserID, store.ErrTOTPReused)
		}
		t.LastStep = u.Step
		if err := putJSON(txn, totpKey(u.UserID), t); err != nil {
			return err
		}
		if err := putJSON(txn, breakGlassKey(u), u); err != nil {
			return err
		}
		return appendAudit(txn, u.At, a)
	})
	if err != nil {
		return fmt.Errorf("use TOTP step: %w", err)
	}
	return nil
}

// BreakGlassUses lists up to limit uses, newest first.
func (db *DB) BreakGlassUses(ctx context.Context, limit int) ([]store.BreakGlassUse, error) {
	var out []store.BreakGlassUse
	err := db.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: []byte("breakglass/"), Reverse: true})
		defer it.Close()
		for it.Seek([]byte("breakglass/\xff")); it.Valid() && (limit <= 0 || len(out) < limit); it.Next() {
			var u store.BreakGlassUse
			if err := it.Item().Value(func(b []byte) error { return store.DecodeJSON(b, &u) }); err != nil {
				return fmt.Errorf("decode break-glass use: %w", err)
			}
			out = append(out, u)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("break-glass uses: %w", err)
	}
	return out, nil
}
